/* vmm/selftest_assign_alias.c: the "alias" suite: device assignment of a DMA alias group on a real
 * (emulated) topology. QEMU's q35 with a pcie-pci-bridge and two edu devices behind it: the IOMMU sees
 * both edus' DMA under one requester id, (secondary bus, 00.0). VM records with RAM but no vCPU (as in
 * selftest_assign.c) ask for the edus through assign_vm_start(), and the edus' own DMA engines check
 * the outcome:
 *  alias-topology       two edus behind one bridge share a requester id that is neither's own;
 *  alias-blocked-at-boot  before any assignment an edu's DMA is blocked under the alias id (its
 *                       context entry exists and names the blocking domain);
 *  alias-refused-partial  a VM asking for one edu only is refused, naming the other and the shared id;
 *  alias-group-assigned a VM asking for both gets both in one DMA domain;
 *  alias-dma-window     each edu's DMA at IOVA = guest-physical lands in the VM's RAM frames;
 *  alias-dma-outside    a DMA outside the VM's RAM (at another VM's frames) is blocked, under the
 *                       alias id, and the fault names the VM;
 *  alias-already-assigned  a second VM record asking for one of them is refused (holder check), and
 *                       the first VM's DMA still works;
 *  alias-stop-blocked   after assign_vm_stop, DMA to the former window is blocked again. */
#include "assign.h"
#include "selftest.h"
#include "selftest_vmrec.h"
#include "selftest_dma.h"
#include "vpci.h"
#include "../iommu/iommu.h"
#include "../iommu/iommu_rt.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define SLOT_A (VM_MAX - 1)
#define SLOT_B (VM_MAX - 2)
#define RAM_BYTES MiB(2)
#define SRC_GPA 0x10000ULL	/* where the "guest" puts the bytes an edu reads */
#define DST_GPA 0x1f3000ULL	/* where an edu writes them (near the top of the 2 MiB) */
#define DST2_GPA 0x1f4000ULL	/* the second edu's target */
#define OUTSIDE_FALLBACK GiB(1) /* beyond the test machine's RAM: never in the window */
#define XFER 256
#define PAT_ONE 0x11
#define PAT_TWO 0x22
#define PAT_VICTIM 0x5a
#define WHY 200
#define RID_BUS(r) ((r) >> 8)
#define RID_DEV(r) (((r) >> 3) & 0x1f)
#define RID_FN(r) ((r)&7)

struct alias_ctx {
	struct edu one, two; /* two edus whose DMA the IOMMU cannot tell apart */
	u16 rid;	     /* their shared requester id */
	struct vm *a, *b;
	struct selftest_result *r;
	char why[WHY];
};

static u8 *ptr(u64 hpa)
{
	return (u8 *)(uintptr_t)hpa;
}

static void master_off(const struct edu *e)
{
	pci_cfg_write16(&e->addr, PCI_COMMAND,
			(u16)(pci_cfg_read16(&e->addr, PCI_COMMAND) & ~PCI_COMMAND_MASTER));
}

static void cfg_of(struct cfg_vm *cv, const struct pci_addr *d0, const struct pci_addr *d1)
{
	memset(cv, 0, sizeof(*cv));
	cv->dma = CFG_DMA_PROTECTED;
	cv->devices[cv->ndevices++] = *d0;
	if (d1)
		cv->devices[cv->ndevices++] = *d1;
}

/* The first requester id of x's DMA that is not its own, 0 with none (a function on a root bus). */
static u16 alias_rid(const struct pci_addr *x)
{
	u16 rids[IOMMU_MAX_DMA_ALIASES];
	u32 n = iommu_dma_aliases(x, rids, IOMMU_MAX_DMA_ALIASES);
	for (u32 i = 0; i < n; i++)
		if (rids[i] != pci_addr_rid(x))
			return rids[i];
	return 0;
}

/* Two edus behind one bridge, sharing an alias requester id. */
static bool find_group(struct alias_ctx *c)
{
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		u16 rid = alias_rid(&f->addr);
		if (f->vendor != EDU_VENDOR || f->device != EDU_DEVICE || !rid)
			continue;
		for (u32 j = i + 1; j < pci_count(); j++) {
			const struct pci_func *g = pci_func_at(j);
			if (g->vendor != EDU_VENDOR || g->device != EDU_DEVICE || alias_rid(&g->addr) != rid)
				continue;
			c->rid = rid;
			return edu_open_at(&c->one, &f->addr) == 0 && edu_open_at(&c->two, &g->addr) == 0;
		}
	}
	return false;
}

/* After a DMA that must be blocked: a new fault from e, under the alias id, a write at that page. */
static bool blocked(struct alias_ctx *c, const struct edu *e, u64 before, u64 iova)
{
	iommu_fault_poll();
	struct iommu_fault f;
	if (iommu_fault_count(&e->addr) <= before || !iommu_fault_last(&e->addr, &f)) {
		snprintf(c->why, WHY, "no fault recorded for the DMA write to 0x%llx", iova);
		return false;
	}
	if (f.sid != c->rid || f.reason != IOMMU_REASON_WRITE || !f.write ||
	    f.addr != ALIGN_DOWN(iova, PAGE_SIZE)) {
		snprintf(c->why, WHY,
			 "fault from %02x:%02x.%u reason %u %s 0x%llx, expected %02x:%02x.%u reason %u write "
			 "0x%llx",
			 RID_BUS(f.sid), RID_DEV(f.sid), RID_FN(f.sid), f.reason, f.write ? "write" : "read",
			 f.addr, RID_BUS(c->rid), RID_DEV(c->rid), RID_FN(c->rid), IOMMU_REASON_WRITE, iova);
		return false;
	}
	return true;
}

/* e writes its buffer to iova; that must be blocked and victim (len XFER) left as it was. */
static bool write_blocked(struct alias_ctx *c, const struct edu *e, u64 iova, u64 victim)
{
	memset(ptr(victim), PAT_VICTIM, XFER);
	u64 before = iommu_fault_count(&e->addr);
	if (edu_dma(e, iova, 0, XFER, true) != 0 || !blocked(c, e, before, iova))
		return false;
	if (!selftest_all_bytes(victim, PAT_VICTIM, XFER)) {
		snprintf(c->why, WHY, "the blocked DMA changed 0x%llx", victim);
		return false;
	}
	return true;
}

/* e copies XFER bytes of pattern p from the VM's SRC_GPA to dst_gpa, both as device addresses (IOVA =
 * guest-physical); the bytes must arrive in the VM's frame for dst_gpa, with no fault. */
static bool dma_in_window(struct alias_ctx *c, const struct edu *e, u64 dst_gpa, u8 p)
{
	const struct vm *vm = c->a;
	u64 src = vm->ram_hpa + SRC_GPA, dst = vm->ram_hpa + dst_gpa;
	memset(ptr(src), p, XFER);
	memset(ptr(dst), 0, XFER);
	u64 before = iommu_fault_count(&e->addr);
	bool ok = edu_dma(e, SRC_GPA, 0, XFER, false) == 0 && edu_dma(e, dst_gpa, 0, XFER, true) == 0;
	iommu_fault_poll();
	char bdf[PCI_ADDR_STR_MAX];
	pci_addr_format(&e->addr, bdf, sizeof(bdf));
	if (!ok || iommu_fault_count(&e->addr) != before || !selftest_all_bytes(dst, p, XFER)) {
		snprintf(c->why, WHY, "%s: DMA gpa 0x%llx -> 0x%llx did not land at hpa 0x%llx (or faulted)",
			 bdf, SRC_GPA, dst_gpa, dst);
		return false;
	}
	u32 perms;
	if (domain_lookup(vpci_of(vm)->dom, dst_gpa, &perms) != dst || perms != DOMAIN_RW) {
		snprintf(c->why, WHY, "%s: gpa 0x%llx does not translate to hpa 0x%llx", bdf, dst_gpa, dst);
		return false;
	}
	pr_info("test", "alias: %s DMA gpa 0x%llx -> 0x%llx landed at hpa 0x%llx in vm '%s''s RAM", bdf,
		SRC_GPA, dst_gpa, dst, vm->name);
	return true;
}

/* The guest (played through the virtual config space) turns on memory decoding and bus mastering. */
static void guest_enables(struct vm *vm)
{
	struct vpci_vm *v = vpci_of(vm);
	for (u32 i = 0; i < v->ndevs; i++)
		vpci_cfg_write(vm, 0, v->devs[i].vdev, v->devs[i].vfn, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
}

/* assign_vm_start must refuse: why must contain want; nothing may stay assigned. */
static bool refused(struct alias_ctx *c, struct vm *vm, const struct cfg_vm *cv, const char *want)
{
	char why[WHY];
	if (assign_vm_start(vm, cv, why, sizeof(why)) == 0) {
		assign_vm_stop(vm);
		snprintf(c->why, WHY, "vm '%s' was given its devices", vm->name);
		return false;
	}
	pr_info("test", "refused as expected: vm '%s': not started: %s", vm->name, why);
	if (!selftest_contains(why, want) || vpci_of(vm)->ndevs || vpci_of(vm)->dom) {
		snprintf(c->why, WHY, "expected '%s' and nothing assigned", want);
		return false;
	}
	return true;
}

static void report(struct alias_ctx *c, const char *name, bool ok)
{
	selftest_report(c->r, name, ok, c->why);
}

static void case_refused_partial(struct alias_ctx *c)
{
	struct cfg_vm cv;
	char one[PCI_ADDR_STR_MAX], two[PCI_ADDR_STR_MAX], want[WHY];
	pci_addr_format(&c->one.addr, one, sizeof(one));
	pci_addr_format(&c->two.addr, two, sizeof(two));
	cfg_of(&cv, &c->one.addr, NULL);
	snprintf(want, sizeof(want),
		 "device %s: its DMA requester id %02x:%02x.%u is shared with %s, which this VM does not get",
		 one, RID_BUS(c->rid), RID_DEV(c->rid), RID_FN(c->rid), two);
	bool ok = refused(c, c->a, &cv, want);
	cfg_of(&cv, &c->two.addr, NULL);
	snprintf(want, sizeof(want),
		 "device %s: its DMA requester id %02x:%02x.%u is shared with %s, which this VM does not get",
		 two, RID_BUS(c->rid), RID_DEV(c->rid), RID_FN(c->rid), one);
	ok = ok && refused(c, c->a, &cv, want);
	report(c, "alias-refused-partial", ok);
}

static void case_already_assigned(struct alias_ctx *c)
{
	struct cfg_vm cv;
	char two[PCI_ADDR_STR_MAX], want[WHY];
	pci_addr_format(&c->two.addr, two, sizeof(two));
	snprintf(want, sizeof(want), "device %s: already assigned to vm '%s'", two, c->a->name);
	cfg_of(&cv, &c->two.addr, NULL);
	bool ok = refused(c, c->b, &cv, want);
	/* the refusal took nothing from vm a: the other edu still reaches a's window */
	ok = ok && dma_in_window(c, &c->two, DST2_GPA, PAT_ONE);
	report(c, "alias-already-assigned", ok);
}

static void case_stop(struct alias_ctx *c)
{
	char why[WHY];
	u64 dst = c->a->ram_hpa + DST_GPA;
	assign_vm_stop(c->a);
	/* a device that ignores bus mastering off: turn it back on behind Moat's back */
	bool ok = edu_open_at(&c->one, &c->one.addr) == 0;
	if (!ok)
		snprintf(c->why, WHY, "edu could not be reopened");
	ok = ok && write_blocked(c, &c->one, DST_GPA, dst);
	master_off(&c->one);
	if (ok && domain_check_contexts(why, sizeof(why)) != 0) {
		snprintf(c->why, WHY, "%s", why);
		ok = false;
	}
	report(c, "alias-stop-blocked", ok);
}

static void run(struct alias_ctx *c)
{
	char one[PCI_ADDR_STR_MAX], two[PCI_ADDR_STR_MAX], why[WHY];
	pci_addr_format(&c->one.addr, one, sizeof(one));
	pci_addr_format(&c->two.addr, two, sizeof(two));
	pr_info("test", "alias: edu %s and %s share DMA requester id %02x:%02x.%u", one, two, RID_BUS(c->rid),
		RID_DEV(c->rid), RID_FN(c->rid));
	bool ok = c->rid != pci_addr_rid(&c->one.addr) && c->rid != pci_addr_rid(&c->two.addr) &&
		  c->one.addr.bus != 0 && c->two.addr.bus == c->one.addr.bus;
	snprintf(c->why, WHY, "the shared id is one of theirs, or they are on a root bus");
	report(c, "alias-topology", ok);

	/* boot: the alias id's context entry exists and names the blocking domain (reason 5, not 1 or 2) */
	u64 victim = c->b->ram_hpa;
	report(c, "alias-blocked-at-boot", write_blocked(c, &c->one, victim, victim));
	master_off(&c->one);
	master_off(&c->two);

	case_refused_partial(c);

	struct cfg_vm cv;
	cfg_of(&cv, &c->one.addr, &c->two.addr);
	ok = assign_vm_start(c->a, &cv, why, sizeof(why)) == 0 && vpci_of(c->a)->dom &&
	     vpci_of(c->a)->ndevs == 2;
	snprintf(c->why, WHY, "%s", ok ? "" : why);
	report(c, "alias-group-assigned", ok);
	if (!ok)
		return;
	guest_enables(c->a);
	ok = dma_in_window(c, &c->one, DST_GPA, PAT_ONE) && dma_in_window(c, &c->two, DST2_GPA, PAT_TWO);
	report(c, "alias-dma-window", ok);

	/* another VM's frames, by host-physical address: outside a's window (IOVA = guest-physical) */
	u64 iova = c->b->ram_hpa >= RAM_BYTES ? c->b->ram_hpa : OUTSIDE_FALLBACK;
	if (iova == OUTSIDE_FALLBACK)
		victim = c->b->ram_hpa; /* unrelated, still must not change */
	report(c, "alias-dma-outside", write_blocked(c, &c->one, iova, victim));

	case_already_assigned(c);
	case_stop(c);
}

void selftest_alias(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	static struct alias_ctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	if (!iommu_rt()->up || !find_group(&c)) {
		selftest_report(r, "alias-setup", false,
				"no DMA remapping, or no two edus behind one PCIe-to-PCI bridge (QEMU "
				"-device pcie-pci-bridge)");
		return;
	}
	c.a = selftest_vm_make(SLOT_A, "alias-a", RAM_BYTES);
	c.b = c.a ? selftest_vm_make(SLOT_B, "alias-b", RAM_BYTES) : NULL;
	if (!c.b)
		selftest_report(r, "alias-setup", false, "no memory for the VM records");
	else
		run(&c);
	selftest_vm_drop(c.b);
	selftest_vm_drop(c.a);
}
