/* vmm/selftest_dma.c: the "dma" suite, the DMA attack suite: QEMU's edu device, attached to the
 * domain of a test VM "a" whose guest-physical addresses differ from its host-physical ones, tries
 * to reach beyond a's memory. Every case checks the outcome (data moved, or a fault recorded with
 * the right reason and address) and that the victim memory is unchanged. */
#include "selftest.h"
#include "selftest_dma.h"
#include "../iommu/iommu.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/paging.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define OWNER_A OWNER_VM_FIRST
#define OWNER_B (OWNER_VM_FIRST + 1)
/* a's guest-physical map: a 2 MiB superpage at 1 GiB, then 8 pages (RAM is below 1 GiB in the test
 * machine, so GPA == HPA can never happen by chance). b uses the same GPA for its own frames. */
#define A_GPA_SP GiB(1)
#define A_GPA_SMALL (GiB(1) + MiB(2))
#define A_SMALL_PAGES 8
#define B_GPA GiB(1)
#define B_PAGES 4
#define XFER 256 /* bytes per DMA */
#define PAT_A 0xa5
#define PAT_B 0x5b /* b's secret */
#define PAT_X 0x3c /* what the attacker writes */
#define PAT_Y 0xc3
#define IRQ_WAIT_US 500000
#define WHY_MAX 160

extern const u8 __text_start[];

struct vm_mem {
	u16 owner;
	u64 sp_hpa, small_hpa; /* 2 MiB chunk (a only) and the small pages */
	u32 small_pages;
	struct iommu_domain *dom;
};

struct dma_ctx {
	struct edu edu;
	struct vm_mem a, b;
	struct selftest_result *r;
	char why[WHY_MAX];
};

static u8 *ptr(u64 hpa) { return (u8 *)(uintptr_t)hpa; }

static bool all_bytes(u64 hpa, u8 v, u32 len)
{
	for (u32 i = 0; i < len; i++)
		if (ptr(hpa)[i] != v)
			return false;
	return true;
}

/* Fills edu's buffer [0, XFER) with byte v by a DMA from a's first small page. */
static int load_edu(struct dma_ctx *c, u8 v)
{
	memset(ptr(c->a.small_hpa), v, XFER);
	return edu_dma(&c->edu, A_GPA_SMALL, 0, XFER, false);
}

/* After a DMA that must be blocked: drains the fault registers and checks a new fault from edu with
 * this reason (0: any), direction and page. Fills c->why on failure. */
static bool blocked(struct dma_ctx *c, u64 before, u8 reason, bool write, u64 iova)
{
	iommu_fault_poll();
	struct iommu_fault f;
	if (iommu_fault_count(&c->edu.addr) <= before || !iommu_fault_last(&c->edu.addr, &f)) {
		snprintf(c->why, WHY_MAX, "no fault recorded for the DMA %s 0x%llx", write ? "write to" : "read from",
			 iova);
		return false;
	}
	if ((reason && f.reason != reason) || f.write != write || f.addr != ALIGN_DOWN(iova, PAGE_SIZE)) {
		snprintf(c->why, WHY_MAX, "fault reason %u %s addr 0x%llx, expected reason %u %s 0x%llx", f.reason,
			 f.write ? "write" : "read", f.addr, reason, write ? "write" : "read", iova);
		return false;
	}
	return true;
}

static void report(struct dma_ctx *c, const char *name, bool ok) { selftest_report(c->r, name, ok, c->why); }

/* ---- set-up and tear-down of the two VMs ---- */

static int give(u64 hpa, u64 pages, u16 owner)
{
	if (!hpa || frame_owner_assign(hpa, pages, owner, FRAME_R | FRAME_W) != 0)
		return -1;
	memset(ptr(hpa), 0, pages * PAGE_SIZE);
	return 0;
}

static int vms_create(struct dma_ctx *c)
{
	c->a = (struct vm_mem){.owner = OWNER_A, .small_pages = A_SMALL_PAGES};
	c->b = (struct vm_mem){.owner = OWNER_B, .small_pages = B_PAGES};
	c->a.sp_hpa = frame_alloc_contig(MiB(2) / PAGE_SIZE, MiB(2) / PAGE_SIZE, 0);
	c->a.small_hpa = frame_alloc_contig(A_SMALL_PAGES, 1, 0);
	c->b.small_hpa = frame_alloc_contig(B_PAGES, 1, 0);
	if (give(c->a.sp_hpa, MiB(2) / PAGE_SIZE, OWNER_A) || give(c->a.small_hpa, A_SMALL_PAGES, OWNER_A) ||
	    give(c->b.small_hpa, B_PAGES, OWNER_B))
		return -1;
	c->a.dom = domain_create(OWNER_A, "a");
	c->b.dom = domain_create(OWNER_B, "b");
	if (!c->a.dom || !c->b.dom)
		return -1;
	if (domain_map(c->a.dom, A_GPA_SP, c->a.sp_hpa, MiB(2), DOMAIN_RW) ||
	    domain_map(c->a.dom, A_GPA_SMALL, c->a.small_hpa, A_SMALL_PAGES * PAGE_SIZE, DOMAIN_RW) ||
	    domain_map(c->b.dom, B_GPA, c->b.small_hpa, B_PAGES * PAGE_SIZE, DOMAIN_RW))
		return -1;
	pr_info("test", "vm a: gpa 0x%llx -> hpa 0x%llx (2 MiB), gpa 0x%llx -> hpa 0x%llx (%u pages); vm b: gpa "
			"0x%llx -> hpa 0x%llx", A_GPA_SP, c->a.sp_hpa, A_GPA_SMALL, c->a.small_hpa, A_SMALL_PAGES,
		(u64)B_GPA, c->b.small_hpa);
	return 0;
}

static void take_back(u64 hpa, u64 pages, u16 owner)
{
	if (!hpa)
		return;
	if (frame_owner_of(hpa) == owner) {
		memset(ptr(hpa), 0, pages * PAGE_SIZE); /* scrubbed before it changes owner */
		frame_owner_mark_scrubbed(hpa, pages, owner); /* its domain is gone, IOTLB invalidated */
		frame_owner_release(hpa, pages, owner);
	}
	frame_free_contig(hpa, pages);
}

static void vms_destroy(struct dma_ctx *c)
{
	domain_destroy(c->a.dom);
	domain_destroy(c->b.dom);
	take_back(c->a.sp_hpa, MiB(2) / PAGE_SIZE, OWNER_A);
	take_back(c->a.small_hpa, A_SMALL_PAGES, OWNER_A);
	take_back(c->b.small_hpa, B_PAGES, OWNER_B);
}

/* ---- the cases ---- */

/* A device in no domain (still in the blocking domain): blocked, and the fault interrupt fires. */
static void case_no_domain(struct dma_ctx *c, const char *name)
{
	u64 before = iommu_fault_count(&c->edu.addr), irqs = iommu_fault_irqs();
	u64 victim = c->a.small_hpa + PAGE_SIZE;
	memset(ptr(victim), PAT_A, XFER);
	bool ok = edu_dma(&c->edu, victim, 0, XFER, true) == 0;
	/* let the fault event interrupt drain it */
	irq_enable();
	u64 end = rdtsc() + tsc_hz() / 1000000 * IRQ_WAIT_US;
	while (iommu_fault_irqs() == irqs && rdtsc() < end)
		cpu_relax();
	irq_disable();
	ok = ok && blocked(c, before, IOMMU_REASON_WRITE, true, victim);
	if (ok && iommu_fault_irqs() == irqs) {
		snprintf(c->why, WHY_MAX, "the fault event interrupt never arrived");
		ok = false;
	}
	if (ok && !all_bytes(victim, PAT_A, XFER)) {
		snprintf(c->why, WHY_MAX, "victim memory changed");
		ok = false;
	}
	report(c, name, ok);
}

static void case_own_window(struct dma_ctx *c)
{
	u64 before = iommu_fault_count(&c->edu.addr);
	u64 src_gpa = A_GPA_SP + 5 * PAGE_SIZE, dst_gpa = A_GPA_SMALL + 2 * PAGE_SIZE;
	u64 src = c->a.sp_hpa + 5 * PAGE_SIZE, dst = c->a.small_hpa + 2 * PAGE_SIZE;
	for (u32 i = 0; i < XFER; i++)
		ptr(src)[i] = (u8)(i * 7 + 1);
	memset(ptr(dst), 0, XFER);
	bool ok = edu_dma(&c->edu, src_gpa, 0, XFER, false) == 0 && edu_dma(&c->edu, dst_gpa, 0, XFER, true) == 0;
	iommu_fault_poll();
	snprintf(c->why, WHY_MAX, "DMA inside a's window failed or faulted");
	ok = ok && iommu_fault_count(&c->edu.addr) == before && memcmp(ptr(src), ptr(dst), XFER) == 0;
	u32 perms;
	if (ok && domain_lookup(c->a.dom, src_gpa, &perms) != src) {
		snprintf(c->why, WHY_MAX, "gpa 0x%llx does not translate to hpa 0x%llx", src_gpa, src);
		ok = false;
	}
	report(c, "dma-1-own-window", ok);
}

static void case_write_other_vm(struct dma_ctx *c)
{
	u64 victim = c->b.small_hpa;
	memset(ptr(victim), PAT_B, XFER);
	bool ok = load_edu(c, PAT_X) == 0;
	u64 before = iommu_fault_count(&c->edu.addr);
	ok = ok && edu_dma(&c->edu, victim, 0, XFER, true) == 0 && blocked(c, before, IOMMU_REASON_WRITE, true, victim);
	if (ok && domain_map(c->a.dom, A_GPA_SMALL + A_SMALL_PAGES * PAGE_SIZE, victim, PAGE_SIZE, DOMAIN_RW) == 0) {
		snprintf(c->why, WHY_MAX, "a's domain accepted one of b's frames");
		ok = false;
	}
	if (ok && !all_bytes(victim, PAT_B, XFER)) {
		snprintf(c->why, WHY_MAX, "b's memory changed");
		ok = false;
	}
	report(c, "dma-2-write-other-vm", ok);
}

static void case_read_other_vm(struct dma_ctx *c)
{
	u64 secret = c->b.small_hpa + PAGE_SIZE, out = c->a.small_hpa + 3 * PAGE_SIZE;
	memset(ptr(secret), PAT_B, XFER);
	bool ok = load_edu(c, PAT_X) == 0;
	u64 before = iommu_fault_count(&c->edu.addr);
	ok = ok && edu_dma(&c->edu, secret, 0, XFER, false) == 0 && blocked(c, before, IOMMU_REASON_READ, false, secret);
	/* what edu got: copy its buffer out into a's window */
	memset(ptr(out), 0, XFER);
	ok = ok && edu_dma(&c->edu, A_GPA_SMALL + 3 * PAGE_SIZE, 0, XFER, true) == 0;
	for (u32 i = 0; ok && i < XFER; i++) {
		if (ptr(out)[i] == PAT_B) {
			snprintf(c->why, WHY_MAX, "b's secret reached edu (byte %u)", i);
			ok = false;
		}
	}
	report(c, "dma-3-read-other-secret", ok);
}

/* DMA writes of PAT_X to a frame that is not a's; checks the fault and that the frame is unchanged. */
static bool write_blocked(struct dma_ctx *c, u64 target, const char *what)
{
	static u8 snap[XFER];
	memcpy(snap, ptr(target), XFER);
	u64 before = iommu_fault_count(&c->edu.addr);
	if (edu_dma(&c->edu, target, 0, XFER, true) != 0 || !blocked(c, before, IOMMU_REASON_WRITE, true, target))
		return false;
	if (memcmp(snap, ptr(target), XFER) != 0) {
		snprintf(c->why, WHY_MAX, "%s changed", what);
		return false;
	}
	if (domain_map(c->a.dom, A_GPA_SMALL + A_SMALL_PAGES * PAGE_SIZE, ALIGN_DOWN(target, PAGE_SIZE), PAGE_SIZE,
		       DOMAIN_RW) == 0) {
		snprintf(c->why, WHY_MAX, "a's domain accepted %s", what);
		return false;
	}
	return true;
}

static void case_moat(struct dma_ctx *c)
{
	bool ok = load_edu(c, PAT_X) == 0;
	ok = ok && write_blocked(c, (u64)(uintptr_t)__text_start, "Moat's code");
	ok = ok && write_blocked(c, paging_root(), "Moat's page table");
	report(c, "dma-4-moat-code-and-page-tables", ok);
}

static void case_vtd_tables(struct dma_ctx *c)
{
	bool ok = load_edu(c, PAT_X) == 0;
	u8 bus = c->edu.addr.bus;
	ok = ok && write_blocked(c, iommu_root_table(0), "the VT-d root table");
	ok = ok && write_blocked(c, iommu_context_table(0, bus), "the VT-d context table");
	report(c, "dma-5-vtd-tables", ok);
}

static void case_beyond_width(struct dma_ctx *c)
{
	u64 iova = 1ULL << domain_address_bits(c->a.dom);
	bool ok = load_edu(c, PAT_X) == 0;
	u64 before = iommu_fault_count(&c->edu.addr);
	ok = ok && edu_dma(&c->edu, iova, 0, XFER, true) == 0 && blocked(c, before, IOMMU_REASON_BEYOND_AW, true, iova);
	if (ok && domain_map(c->a.dom, iova, c->a.small_hpa, PAGE_SIZE, DOMAIN_RW) == 0) {
		snprintf(c->why, WHY_MAX, "a mapping beyond the domain's %u bits was accepted",
			 domain_address_bits(c->a.dom));
		ok = false;
	}
	report(c, "dma-6-beyond-address-width", ok);
}

/* Writes through gpa (mapped, IOTLB warm), unmaps it, writes again: the second write must fault. */
static bool unmap_then_dma(struct dma_ctx *c, u64 gpa, u64 hpa)
{
	u64 before = iommu_fault_count(&c->edu.addr);
	memset(ptr(hpa), 0, XFER);
	if (load_edu(c, PAT_X) || edu_dma(&c->edu, gpa, 0, XFER, true) || !all_bytes(hpa, PAT_X, XFER)) {
		snprintf(c->why, WHY_MAX, "the write before the unmap did not land at 0x%llx", hpa);
		return false;
	}
	if (domain_unmap(c->a.dom, gpa, PAGE_SIZE) != 0) {
		snprintf(c->why, WHY_MAX, "domain_unmap failed");
		return false;
	}
	if (load_edu(c, PAT_Y) || edu_dma(&c->edu, gpa, 0, XFER, true) || !blocked(c, before, IOMMU_REASON_WRITE, true, gpa))
		return false;
	if (!all_bytes(hpa, PAT_X, XFER)) {
		snprintf(c->why, WHY_MAX, "a write reached 0x%llx after its unmap returned", hpa);
		return false;
	}
	return true;
}

static void case_unmap_strict(struct dma_ctx *c)
{
	/* a 4 KiB page out of the 2 MiB superpage (split), then an ordinary page */
	bool ok = unmap_then_dma(c, A_GPA_SP + 3 * PAGE_SIZE, c->a.sp_hpa + 3 * PAGE_SIZE) &&
		  unmap_then_dma(c, A_GPA_SMALL + 6 * PAGE_SIZE, c->a.small_hpa + 6 * PAGE_SIZE);
	/* the rest of the split superpage still works */
	u64 nb = c->a.sp_hpa + 4 * PAGE_SIZE;
	if (ok) {
		memset(ptr(nb), 0, XFER);
		if (load_edu(c, PAT_Y) || edu_dma(&c->edu, A_GPA_SP + 4 * PAGE_SIZE, 0, XFER, true) ||
		    !all_bytes(nb, PAT_Y, XFER)) {
			snprintf(c->why, WHY_MAX, "the neighbour of the unmapped page stopped working");
			ok = false;
		}
	}
	report(c, "dma-7-unmap-strict", ok);
}

static void case_detached(struct dma_ctx *c)
{
	bool ok = load_edu(c, PAT_X) == 0;
	if (ok && domain_detach(c->a.dom, &c->edu.addr) != 0) {
		snprintf(c->why, WHY_MAX, "detach failed");
		ok = false;
	}
	u64 hpa = c->a.small_hpa + PAGE_SIZE;
	memset(ptr(hpa), PAT_A, XFER);
	u64 before = iommu_fault_count(&c->edu.addr);
	ok = ok && edu_dma(&c->edu, A_GPA_SMALL + PAGE_SIZE, 0, XFER, true) == 0 &&
	     blocked(c, before, IOMMU_REASON_WRITE, true, A_GPA_SMALL + PAGE_SIZE);
	if (ok && !all_bytes(hpa, PAT_A, XFER)) {
		snprintf(c->why, WHY_MAX, "a's memory changed after the detach");
		ok = false;
	}
	report(c, "dma-8-device-in-no-domain", ok);
}

/* Only when interrupt remapping is off (`iommu_qi = off`): giving edu to a VM's domain is refused and
 * leaves it blocked (its DMA into a's window still faults, a's memory unchanged), and no interrupt
 * entry can be had for it. The other cases then attach it with domain_attach_dma_test. */
static void case_ir_off(struct dma_ctx *c)
{
	u64 before = iommu_fault_count(&c->edu.addr);
	u64 dst_gpa = A_GPA_SMALL + 3 * PAGE_SIZE, dst = c->a.small_hpa + 3 * PAGE_SIZE;
	memset(ptr(dst), PAT_A, XFER);
	struct irq_remap_vec v = {0};
	bool ok = false;
	if (domain_attach(c->a.dom, &c->edu.addr) == 0)
		snprintf(c->why, WHY_MAX, "domain_attach accepted edu with interrupt remapping off");
	else if (irq_remap_alloc(&c->edu.addr, 0x40, 0, &v) == 0 || v.valid || irq_remap_entries(&c->edu.addr))
		snprintf(c->why, WHY_MAX, "an interrupt entry was handed out with interrupt remapping off");
	else if (edu_dma(&c->edu, dst_gpa, 0, XFER, true) == 0 &&
		 blocked(c, before, IOMMU_REASON_WRITE, true, dst_gpa)) {
		ok = all_bytes(dst, PAT_A, XFER);
		if (!ok)
			snprintf(c->why, WHY_MAX, "a's memory changed: the refused attach let edu in");
	}
	report(c, "dma-9-ir-off-fail-closed", ok);
}

void selftest_dma(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	static struct dma_ctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	const char *err = NULL;
	if (edu_open(&c.edu) != 0)
		err = "no edu device (QEMU -device edu,dma_mask=0xffffffffffffffff)";
	else if (vms_create(&c) != 0)
		err = "could not build VMs a and b (DMA remapping off?)";
	if (err) {
		selftest_report(r, "dma-setup", false, err);
		vms_destroy(&c);
		return;
	}
	iommu_fault_poll();
	case_no_domain(&c, "dma-0-unassigned-device-and-fault-irq");
	if (!irq_remap_on())
		case_ir_off(&c);
	if ((irq_remap_on() ? domain_attach(c.a.dom, &c.edu.addr) : domain_attach_dma_test(c.a.dom, &c.edu.addr)) !=
	    0) {
		selftest_report(r, "dma-setup", false, "attaching edu to a's domain failed");
		vms_destroy(&c);
		return;
	}
	case_own_window(&c);
	case_write_other_vm(&c);
	case_read_other_vm(&c);
	case_moat(&c);
	case_vtd_tables(&c);
	case_beyond_width(&c);
	case_unmap_strict(&c);
	case_detached(&c);
	pr_info("test", "dma: edu faults %llu, fault interrupts %llu, overflows %llu", iommu_fault_count(&c.edu.addr),
		iommu_fault_irqs(), iommu_fault_overflows());
	vms_destroy(&c);
}
