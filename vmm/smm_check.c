/* vmm/smm_check.c: the SMM invariant checker (see smm.h). It walks every live VM's EPT and every DMA
 * domain, and the page permission table itself, and checks DESIGN.md's isolation invariants:
 *  1. every EPT or domain translation maps frames its VM owns, with at most the rights on record;
 *     no frame carries the label of a VM (or domain) that no longer exists; the one exception, an RMRR
 *     range a domain identity-maps (rmrr = accept), must be mapped at IOVA = host-physical over frames no
 *     one owns, and no EPT may reach an RMRR range;
 *  2. no table frame, VMCS, FPU area or bitmap of Moat is anything but OWNER_MOAT, and no translation
 *     reaches the local APIC, the I/O APIC, the TPM or a remapping unit's registers;
 *  3. every PCI function is in the blocking domain, a live VM's domain, or has no context entry;
 *  4. the RAM a destroyed VM gave back is unowned, marked scrubbed (zeroed, INVEPT/INVVPID and IOTLB
 *     invalidations completed before release) and, while free, reads zero.
 * Nothing here changes state; a violation is counted and the first one described. */
#include <stdarg.h>
#include "smm.h"
#include "../iommu/iommu.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/string.h"

#define LAPIC_BASE_MASK 0x000ffffffffff000ULL
#define IOAPIC_DEFAULT_BASE 0xfec00000ULL
#define TPM_MMIO_BASE 0xfed40000ULL /* TPM TIS/CRB localities 0-4 */
#define TPM_MMIO_SIZE 0x5000ULL
#define MMIO_MAX (3 + 8)

struct mmio_range {
	u64 base, size;
};

struct check {
	u16 owner;          /* whose translations are being walked */
	const char *what;   /* "vm 'x'" or "domain 'x'" */
	u32 bad;
	char *why;
	size_t n;
	struct mmio_range mmio[MMIO_MAX];
	u32 nmmio;
	u16 domain_owners[DOMAIN_MAX];
	u32 ndomains;
	u64 rmrr_base[DOMAIN_RMRR_MAX], rmrr_limit[DOMAIN_RMRR_MAX]; /* of the domain being walked */
	u32 nrmrr;
};

static void violation(struct check *c, const char *fmt, ...) __printf(2, 3);
static void violation(struct check *c, const char *fmt, ...)
{
	if (!c->bad++) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(c->why, c->n, fmt, ap);
		va_end(ap);
	}
}

static void collect_mmio(struct check *c)
{
	c->mmio[c->nmmio++] = (struct mmio_range){rdmsr(MSR_IA32_APIC_BASE) & LAPIC_BASE_MASK, PAGE_SIZE};
	c->mmio[c->nmmio++] = (struct mmio_range){IOAPIC_DEFAULT_BASE, PAGE_SIZE};
	c->mmio[c->nmmio++] = (struct mmio_range){TPM_MMIO_BASE, TPM_MMIO_SIZE};
	u64 units[MMIO_MAX - 3];
	u32 k = iommu_unit_mmio(units, ARRAY_SIZE(units));
	for (u32 i = 0; i < k; i++)
		c->mmio[c->nmmio++] = (struct mmio_range){units[i], PAGE_SIZE};
}

static void check_moat_frame(struct check *c, u64 phys, const char *kind)
{
	if (frame_owner_of(phys) != OWNER_MOAT)
		violation(c, "%s: %s frame 0x%llx is recorded as owner %u, not Moat", c->what, kind, phys,
			  frame_owner_of(phys));
}

static void on_table(void *ctx, u64 phys) { check_moat_frame(ctx, phys, "page-table"); }

/* One translation of c->owner: [hpa, hpa + size) with FRAME_* rights need. */
static void check_leaf(struct check *c, u64 gpa, u64 hpa, u64 size, u8 need)
{
	for (u32 i = 0; i < c->nmmio; i++)
		if (hpa < c->mmio[i].base + c->mmio[i].size && c->mmio[i].base < hpa + size)
			violation(c, "%s: gpa 0x%llx maps MMIO at 0x%llx", c->what, gpa, c->mmio[i].base);
	if (!frame_owner_allows(hpa, size / PAGE_SIZE, c->owner, need))
		violation(c, "%s: gpa 0x%llx -> 0x%llx (+0x%llx) maps frames it does not own with those rights "
			  "(first frame: owner %u, rights %u)", c->what, gpa, hpa, size, frame_owner_of(hpa),
			  frame_owner_perms(hpa));
}

static void on_ept_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 perms)
{
	const struct dmar_info *di = &iommu_state()->dmar;
	for (u32 i = 0; i < di->nrmrr && i < DMAR_MAX_RMRR; i++)
		if (dmar_range_overlaps(di->rmrr[i].base, di->rmrr[i].limit, hpa, size))
			violation(ctx, "%s: gpa 0x%llx maps RMRR firmware memory 0x%llx-0x%llx",
				  ((struct check *)ctx)->what, gpa, di->rmrr[i].base, di->rmrr[i].limit);
	u8 need = (u8)((perms & EPT_R ? FRAME_R : 0) | (perms & EPT_W ? FRAME_W : 0) |
		       (perms & EPT_X ? FRAME_X : 0));
	check_leaf(ctx, gpa, hpa, size, need);
}

static void on_domain(void *ctx, u16 owner, const char *name)
{
	struct check *c = ctx;
	static char what[DOMAIN_NAME_MAX + 16];
	snprintf(what, sizeof(what), "domain '%s'", name);
	c->what = what;
	c->owner = owner;
	c->nrmrr = 0;
	if (c->ndomains < DOMAIN_MAX)
		c->domain_owners[c->ndomains++] = owner;
}

static void on_domain_rmrr(void *ctx, u64 base, u64 limit)
{
	struct check *c = ctx;
	if (c->owner == OWNER_MOAT)
		violation(c, "%s: the blocking domain identity-maps RMRR 0x%llx-0x%llx", c->what, base,
			  limit);
	else if (c->nrmrr < DOMAIN_RMRR_MAX) {
		c->rmrr_base[c->nrmrr] = base;
		c->rmrr_limit[c->nrmrr++] = limit;
	}
}

/* A leaf inside one of the domain's RMRR ranges: identity, and over frames no one owns. */
static bool rmrr_leaf(struct check *c, u64 gpa, u64 hpa, u64 size)
{
	for (u32 i = 0; i < c->nrmrr; i++) {
		if (gpa < c->rmrr_base[i] || gpa - c->rmrr_base[i] >= c->rmrr_limit[i] - c->rmrr_base[i] + 1)
			continue;
		if (gpa != hpa || size > c->rmrr_limit[i] - gpa + 1)
			violation(
			    c,
			    "%s: RMRR 0x%llx-0x%llx: gpa 0x%llx -> 0x%llx (+0x%llx) is not its identity map",
			    c->what, c->rmrr_base[i], c->rmrr_limit[i], gpa, hpa, size);
		for (u64 p = 0; p < size; p += PAGE_SIZE)
			if (frame_owner_of(hpa + p) != OWNER_NONE)
				violation(c, "%s: RMRR frame 0x%llx is recorded as owner %u", c->what,
					  hpa + p, frame_owner_of(hpa + p));
		return true;
	}
	return false;
}

static void on_domain_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u32 perms)
{
	struct check *c = ctx;
	if (c->owner == OWNER_MOAT) {
		violation(c, "%s: the blocking domain translates gpa 0x%llx", c->what, gpa);
		return;
	}
	if (rmrr_leaf(c, gpa, hpa, size))
		return;
	check_leaf(c, gpa, hpa, size,
		   (u8)((perms & DOMAIN_R ? FRAME_R : 0) | (perms & DOMAIN_W ? FRAME_W : 0)));
}

static bool vm_live(const struct vm *vm) { return vm->state == VM_RUNNABLE || vm->state == VM_PAUSED; }

static void check_vm(struct check *c, const struct vm *vm)
{
	char what[CFG_NAME_MAX + 8];
	snprintf(what, sizeof(what), "vm '%s'", vm->name);
	c->what = what;
	c->owner = vm->owner;
	ept_walk(&vm->ept, on_table, on_ept_leaf, c);
	check_moat_frame(c, vm->vcpu.vmcs, "VMCS");
	check_moat_frame(c, vm->vcpu.fpu, "FPU-area");
	check_moat_frame(c, vm->msr_bitmap, "MSR-bitmap");
	if ((vm->eptp & EPT_ADDR_MASK) != vm->ept.root)
		violation(c, "%s: its EPT pointer is not its own EPT", what);
	c->what = "?";
}

/* Is owner a VM or domain that still exists? */
static bool owner_live(void *ctx, u16 owner)
{
	const struct check *c = ctx;
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_live(&vm_table[i]) && vm_table[i].owner == owner)
			return true;
	for (u32 i = 0; i < c->ndomains; i++)
		if (c->domain_owners[i] == owner)
			return true;
	return false;
}

static bool frame_reads_zero(u64 phys)
{
	const volatile u64 *w = (const u64 *)(uintptr_t)phys;
	for (u64 i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i])
			return false;
	return true;
}

/* Invariant 4 for the RAM the dead VM in slot id gave back. */
static void check_released(struct check *c, u32 id)
{
	const struct smm_vm *s = &smm_table[id];
	for (u64 p = 0; p < s->released_pages; p++) {
		u64 phys = s->released_hpa + p * PAGE_SIZE;
		if (frame_owner_of(phys) != OWNER_NONE)
			continue; /* given to a new owner since: recorded, zeroed at its creation */
		if (!(frame_owner_flags(phys) & FRAME_REC_SCRUBBED))
			violation(c, "vm '%s' (destroyed): frame 0x%llx was released without being marked scrubbed",
				  vm_table[id].name, phys);
		else if (!frame_is_allocated(phys) && !frame_reads_zero(phys))
			violation(c, "vm '%s' (destroyed): free frame 0x%llx still holds its data", vm_table[id].name,
				  phys);
	}
}

u32 smm_check(char *why, size_t n)
{
	static struct check c;
	memset(&c, 0, sizeof(c));
	c.why = why;
	c.n = n;
	c.what = "?";
	if (n)
		why[0] = 0;
	collect_mmio(&c);
	for (u32 i = 0; i < VM_MAX; i++) {
		if (vm_live(&vm_table[i]))
			check_vm(&c, &vm_table[i]);
		else if (smm_table[i].released_pages)
			check_released(&c, i);
	}
	struct domain_visitor v = {.domain = on_domain,
				   .rmrr = on_domain_rmrr,
				   .table = on_table,
				   .leaf = on_domain_leaf,
				   .ctx = &c};
	domain_walk_all(&v);
	c.what = "?";
	u64 first = 0, orphans = frame_owner_orphans(owner_live, &c, &first);
	if (orphans)
		violation(&c, "%llu frames carry the label of a VM or domain that no longer exists (first 0x%llx, "
			  "owner %u)", orphans, first, frame_owner_of(first));
	char ctx_why[160];
	if (domain_check_contexts(ctx_why, sizeof(ctx_why)) != 0)
		violation(&c, "%s", ctx_why);
	return c.bad;
}
