/* vmm/selftest_ir.c: the "ir" suite, interrupt remapping under attack: QEMU's edu device, in the
 * DMA domain of a test VM, sends its own MSI through an interrupt entry, then forges interrupt
 * messages by DMA-writing into the interrupt window 0xFEEx_xxxx (the "White Rabbit" attack) and by
 * reprogramming its MSI capability. Each forged vector has a counting handler; interrupts are on
 * for a bounded wait, and the case passes only if the count did not move, while a control message
 * through the same path is counted. The host side (tests/scenarios/qemu_ir.scn) checks in QEMU's
 * own trace that each blocked message reached the remapping unit and was refused there. */
#include "selftest.h"
#include "selftest_dma.h"
#include "../iommu/iommu.h"
#include "../iommu/msi.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/idt.h"
#include "../kernel/irq_vector.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define OWNER_IR OWNER_VM_FIRST
#define IR_GPA GiB(1) /* the test VM's one page: where edu loads the words it then forges */
#define WORD 4        /* one interrupt message: a 32-bit write */
#define IRQ_WAIT_US 50000
#define WHY_MAX 160
/* edu registers beyond the DMA engine */
#define EDU_REG_IRQ_RAISE 0x60
#define EDU_REG_IRQ_ACK 0x64
#define EDU_IRQ_BIT 1u
/* the other device whose entry edu tries to use: QEMU's e1000e */
#define NIC_VENDOR 0x8086
#define NIC_DEVICE 0x10d3
/* one vector per case, each with a counting handler */
#define V_EDU 0xc1    /* edu's own entry */
#define V_COMPAT 0xc3 /* what the compatibility-format forgery asks for */
#define V_NIC 0xc4    /* the NIC's entry */
#define V_FREED 0xc5  /* an entry that gets freed */
#define V_FIRST 0xc1
#define V_LAST 0xc5
_Static_assert(V_FIRST > IRQ_VECTOR_LAST, "test vectors overlap the run-time vector range");

struct ir_ctx {
	struct edu edu;
	struct pci_addr nic;
	bool have_nic;
	u64 page;
	struct iommu_domain *dom;
	u32 apic;
	struct selftest_result *r;
	char why[WHY_MAX];
};

static volatile u32 hits[256];

/* Counts and acknowledges; logs nothing (the console lock may be held by the interrupted code). */
static void count_irq(struct int_frame *f)
{
	hits[f->vector & 0xff]++;
	apic_eoi();
}

/* Lets pending interrupts in for a bounded time. */
static void let_irqs_in(void)
{
	irq_enable();
	u64 end = rdtsc() + tsc_hz() / 1000000 * IRQ_WAIT_US;
	while (rdtsc() < end)
		cpu_relax();
	irq_disable();
}

/* edu raises its own MSI (whatever its MSI registers hold: `m`, logged for the host-side check). */
static void edu_msi(struct ir_ctx *c, const struct msi_msg *m, const char *tag)
{
	pr_info("test", "ir: message %s: addr 0x%08x data 0x%08x via msi", tag, m->addr_lo, m->data);
	mmio_write32(c->edu.bar0 + EDU_REG_IRQ_RAISE, EDU_IRQ_BIT);
	let_irqs_in();
	mmio_write32(c->edu.bar0 + EDU_REG_IRQ_ACK, EDU_IRQ_BIT);
}

/* edu DMA-writes message m (one 32-bit word into the interrupt window), then interrupts are let in. */
static bool forge(struct ir_ctx *c, const struct msi_msg *m, const char *tag)
{
	pr_info("test", "ir: message %s: addr 0x%08x data 0x%08x via dma", tag, m->addr_lo, m->data);
	*(volatile u32 *)(uintptr_t)c->page = m->data;
	if (edu_dma(&c->edu, IR_GPA, 0, WORD, false) != 0 || edu_dma(&c->edu, m->addr_lo, 0, WORD, true) != 0) {
		snprintf(c->why, WHY_MAX, "edu DMA to 0x%08x did not complete", m->addr_lo);
		return false;
	}
	let_irqs_in();
	return true;
}

/* Every test vector's count, to compare after a case. */
static void snap(u32 *out)
{
	for (u32 v = V_FIRST; v <= V_LAST; v++)
		out[v - V_FIRST] = hits[v];
}

/* True when only `vec` moved, by exactly `delta`, since `before`. */
static bool moved(struct ir_ctx *c, const u32 *before, u8 vec, u32 delta, const char *what)
{
	for (u32 v = V_FIRST; v <= V_LAST; v++) {
		u32 want = before[v - V_FIRST] + (v == vec ? delta : 0);
		if (hits[v] != want) {
			snprintf(c->why, WHY_MAX, "%s: vector 0x%02x arrived %u times, expected %u", what, v,
				 hits[v] - before[v - V_FIRST], want - before[v - V_FIRST]);
			return false;
		}
	}
	return true;
}

static void report(struct ir_ctx *c, const char *name, bool ok) { selftest_report(c->r, name, ok, c->why); }

/* ---- set-up ---- */

static int setup(struct ir_ctx *c)
{
	const char *err = NULL;
	if (!irq_remap_on())
		err = "interrupt remapping is off";
	else if (edu_open(&c->edu) != 0)
		err = "no edu device (QEMU -device edu,dma_mask=0xffffffffffffffff)";
	if (err) {
		selftest_report(c->r, "ir-setup", false, err);
		return -1;
	}
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->vendor == NIC_VENDOR && f->device == NIC_DEVICE) {
			c->nic = f->addr;
			c->have_nic = true;
		}
	}
	c->page = frame_alloc();
	if (!c->page || frame_owner_assign(c->page, 1, OWNER_IR, FRAME_R | FRAME_W) != 0) {
		selftest_report(c->r, "ir-setup", false, "no frame for the test VM");
		return -1;
	}
	memset((void *)(uintptr_t)c->page, 0, PAGE_SIZE);
	c->dom = domain_create(OWNER_IR, "ir");
	if (!c->dom || domain_map(c->dom, IR_GPA, c->page, PAGE_SIZE, DOMAIN_RW) != 0 ||
	    domain_attach(c->dom, &c->edu.addr) != 0) {
		selftest_report(c->r, "ir-setup", false, "could not give edu to the test VM's DMA domain");
		return -1;
	}
	c->apic = apic_id();
	for (u32 v = V_FIRST; v <= V_LAST; v++)
		idt_set_handler((u8)v, count_irq);
	memset((void *)hits, 0, sizeof(hits));
	return 0;
}

static void teardown(struct ir_ctx *c)
{
	irq_remap_msi_disable(&c->edu.addr);
	if (c->have_nic)
		irq_remap_msi_disable(&c->nic);
	domain_destroy(c->dom);
	if (c->page) {
		memset((void *)(uintptr_t)c->page, 0, PAGE_SIZE);
		frame_owner_mark_scrubbed(c->page, 1, OWNER_IR); /* its domain is gone, IOTLB invalidated */
		if (frame_owner_release(c->page, 1, OWNER_IR) == 0)
			frame_free(c->page);
	}
	for (u32 v = V_FIRST; v <= V_LAST; v++)
		idt_set_handler((u8)v, NULL);
}

/* ---- the cases ---- */

static void run_cases(struct ir_ctx *c)
{
	struct irq_remap_vec edu_v = {0}, nic_v = {0}, freed_v = {0};
	struct msi_msg m;
	u32 b[V_LAST - V_FIRST + 1];
	bool ok;

	/* 1: edu's own MSI through its valid entry; then the same entry named by a DMA write (control:
	 * the path the forgeries below take does deliver) */
	snprintf(c->why, WHY_MAX, "could not allocate or program edu's interrupt entry");
	snap(b);
	ok = irq_remap_alloc(&c->edu.addr, V_EDU, c->apic, &edu_v) == 0 && irq_remap_program_msi(&edu_v) == 0;
	m = msi_remappable(edu_v.index);
	if (ok) {
		edu_msi(c, &m, "own-msi");
		ok = moved(c, b, V_EDU, 1, "edu's MSI through its entry");
	}
	report(c, "ir-1-device-msi-through-valid-irte", ok);
	snap(b);
	ok = edu_v.valid && forge(c, &m, "control-dma") && moved(c, b, V_EDU, 1, "DMA-written message, edu's entry");
	report(c, "ir-1b-control-dma-written-msi-delivered", ok);

	/* 2: White Rabbit: a compatibility-format message with a vector of edu's choosing */
	snap(b);
	m = msi_compat(c->apic, V_COMPAT);
	ok = forge(c, &m, "compat-dma") && moved(c, b, V_COMPAT, 0, "compatibility-format message");
	report(c, "ir-2-white-rabbit-compat-msi-blocked", ok);

	/* 3: the NIC's entry named by edu: from edu's MSI registers (as a VM that owns edu could program
	 * them), and by a DMA write */
	snprintf(c->why, WHY_MAX, "no e1000e, or no interrupt entry for it");
	ok = c->have_nic && irq_remap_alloc(&c->nic, V_NIC, c->apic, &nic_v) == 0;
	if (ok && irq_remap_program_msix(&nic_v, 0) != 0 && irq_remap_program_msi(&nic_v) != 0)
		ok = false;
	snap(b);
	if (ok) {
		struct irq_remap_vec forged = edu_v;
		forged.index = nic_v.index; /* edu's MSI registers now name the NIC's entry */
		m = msi_remappable(nic_v.index);
		ok = irq_remap_program_msi(&forged) == 0;
		edu_msi(c, &m, "nic-msi");
		ok = ok && moved(c, b, V_NIC, 0, "edu's MSI naming the NIC's entry");
	}
	report(c, "ir-3-other-device-irte-source-id-blocked", ok);
	snap(b);
	m = msi_remappable(nic_v.index);
	ok = nic_v.valid && forge(c, &m, "nic-dma") && moved(c, b, V_NIC, 0, "DMA-written message naming the NIC's entry");
	report(c, "ir-3b-other-device-irte-by-dma-blocked", ok);

	/* 4: an index beyond the table, by DMA and from edu's MSI registers */
	u32 n = irq_remap_entries(&c->edu.addr);
	snap(b);
	m = msi_remappable((u16)n);
	snprintf(c->why, WHY_MAX, "no table size for edu's unit");
	ok = n > 0 && n <= 0xffff && forge(c, &m, "beyond-dma") && moved(c, b, V_EDU, 0, "index beyond the table");
	if (ok) {
		struct irq_remap_vec forged = edu_v;
		forged.index = (u16)n;
		ok = irq_remap_program_msi(&forged) == 0;
		edu_msi(c, &m, "beyond-msi");
		ok = ok && moved(c, b, V_EDU, 0, "edu's MSI with an index beyond the table");
	}
	report(c, "ir-4-index-beyond-table-blocked", ok);

	/* 5: a freed entry: delivers before the free, never after (edu's MSI still names it) */
	snprintf(c->why, WHY_MAX, "could not allocate or program the entry to free");
	snap(b);
	ok = irq_remap_alloc(&c->edu.addr, V_FREED, c->apic, &freed_v) == 0 && irq_remap_program_msi(&freed_v) == 0;
	m = msi_remappable(freed_v.index);
	if (ok) {
		edu_msi(c, &m, "before-free-msi");
		ok = moved(c, b, V_FREED, 1, "edu's MSI before the free");
	}
	ok = ok && irq_remap_free(&freed_v) == 0;
	snap(b);
	if (ok) {
		edu_msi(c, &m, "freed-msi");
		ok = moved(c, b, V_FREED, 0, "edu's MSI after the free");
	}
	ok = ok && forge(c, &m, "freed-dma") && moved(c, b, V_FREED, 0, "DMA-written message through the freed entry");
	report(c, "ir-5-freed-irte-blocked", ok);

	pr_info("test", "ir: counts: edu 0x%02x %u, compat 0x%02x %u, nic 0x%02x %u, freed 0x%02x %u", V_EDU, hits[V_EDU],
		V_COMPAT, hits[V_COMPAT], V_NIC, hits[V_NIC], V_FREED, hits[V_FREED]);
	irq_remap_msi_disable(&c->edu.addr);
	irq_remap_free(&edu_v);
	irq_remap_free(&nic_v);
}

void selftest_ir(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	static struct ir_ctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	if (setup(&c) == 0)
		run_cases(&c);
	teardown(&c);
}
