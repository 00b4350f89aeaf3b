/* iommu/unit.c: bring-up of one VT-d remapping unit and its context entries (see unit.h). */
#include "unit.h"
#include "table_mem.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/tsc.h"

static u64 deadline(void) { return rdtsc() + tsc_hz() / 1000000 * VTD_TIMEOUT_US; }

bool vtd_wait32(const struct vtd_unit *u, u32 reg, u32 mask, u32 want)
{
	u64 end = deadline();
	while ((mmio_read32(u->base + reg) & mask) != want) {
		if (rdtsc() > end)
			return (mmio_read32(u->base + reg) & mask) == want;
		cpu_relax();
	}
	return true;
}

bool vtd_wait64(const struct vtd_unit *u, u32 reg, u64 mask, u64 want)
{
	u64 end = deadline();
	while ((mmio_read64(u->base + reg) & mask) != want) {
		if (rdtsc() > end)
			return (mmio_read64(u->base + reg) & mask) == want;
		cpu_relax();
	}
	return true;
}

int vtd_gcmd(struct vtd_unit *u, u32 cmd_bit, u32 sts_bit, bool on)
{
	u32 sts = mmio_read32(u->base + VTD_GSTS_REG) & VTD_GSTS_ENABLES;
	u32 cmd = on ? (sts | cmd_bit) : (sts & ~cmd_bit);
	mmio_write32(u->base + VTD_GCMD_REG, cmd);
	/* one-shot commands (SRTP, SIRTP, WBF...) report completion in their status bit */
	bool is_enable = (sts_bit & VTD_GSTS_ENABLES) != 0;
	bool want_set = is_enable ? on : (cmd_bit != VTD_GCMD_WBF);
	if (!vtd_wait32(u, VTD_GSTS_REG, sts_bit, want_set ? sts_bit : 0)) {
		pr_err("iommu", "unit %u: GSTS 0x%08x did not acknowledge command 0x%08x within %u ms", u->index,
		       mmio_read32(u->base + VTD_GSTS_REG), cmd, VTD_TIMEOUT_US / 1000);
		return -1;
	}
	return 0;
}

static int disable_protected_regions(struct vtd_unit *u)
{
	if (!u->caps->plmr && !u->caps->phmr)
		return 0;
	if (!(mmio_read32(u->base + VTD_PMEN_REG) & VTD_PMEN_PRS))
		return 0;
	mmio_write32(u->base + VTD_PMEN_REG, 0);
	if (!vtd_wait32(u, VTD_PMEN_REG, VTD_PMEN_PRS, 0)) {
		pr_err("iommu", "unit %u: protected memory regions stay enabled", u->index);
		return -1;
	}
	pr_info("iommu", "unit %u: protected memory regions disabled", u->index);
	return 0;
}

/* Firmware may have left translation or the queue on: turn both off before new tables go in. */
static int take_over(struct vtd_unit *u)
{
	u32 sts = mmio_read32(u->base + VTD_GSTS_REG);
	if (sts & VTD_GSTS_TES) {
		pr_warn("iommu", "unit %u: firmware left translation on; turning it off to install Moat's tables",
			u->index);
		if (vtd_gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES, false) != 0)
			return -1;
	}
	if (sts & VTD_GSTS_QIES) {
		if (!vtd_wait64(u, VTD_IQH_REG, VTD_IQ_HT_MASK, mmio_read64(u->base + VTD_IQT_REG) & VTD_IQ_HT_MASK))
			return -1;
		if (vtd_gcmd(u, VTD_GCMD_QIE, VTD_GSTS_QIES, false) != 0)
			return -1;
	}
	return 0;
}

static const char *mode_name(const struct vtd_unit *u)
{
	return u->qi ? "queued invalidation" : "register-based invalidation";
}

int vtd_unit_bringup(struct vtd_unit *u, const struct vtd_unit_caps *caps, bool use_qi)
{
	u->caps = caps;
	u->base = caps->base;
	u->index = caps->index;
	if (take_over(u) != 0 || disable_protected_regions(u) != 0)
		return -1;
	u->root_table = vtd_table_alloc();
	if (!u->root_table)
		return -1;
	mmio_write64(u->base + VTD_RTADDR_REG, u->root_table | VTD_RTADDR_TTM_LEGACY);
	if (vtd_gcmd(u, VTD_GCMD_SRTP, VTD_GSTS_RTPS, true) != 0)
		return -1;
	if (caps->qi && !use_qi)
		pr_info("iommu", "unit %u: queued invalidation not used (iommu_qi = off): CCMD and IOTLB registers",
			u->index);
	if (caps->qi && use_qi && vtd_qi_enable(u) != 0)
		return -1;
	if (vtd_inv_context_global(u) != 0 || vtd_inv_iotlb_global(u) != 0)
		return -1;
	if (vtd_gcmd(u, VTD_GCMD_TE, VTD_GSTS_TES, true) != 0)
		return -1;
	u->up = true;
	pr_info("iommu", "unit %u: translation on (%s, %s, %s)", u->index, mode_name(u),
		caps->cm ? "caching mode: every map invalidated" : "caching mode off",
		caps->c ? "coherent walks" : "table writes flushed from CPU caches");
	return 0;
}

/* ---- context entries ---- */

struct vtd_pair {
	u64 lo, hi;
};

static struct vtd_pair *ctx_slot(const struct vtd_unit *u, u16 sid)
{
	u64 t = u->ctx_table[sid >> 8];
	return t ? &((struct vtd_pair *)(uintptr_t)t)[sid & 0xff] : NULL;
}

int vtd_context_did(const struct vtd_unit *u, u16 sid)
{
	const struct vtd_pair *e = ctx_slot(u, sid);
	if (!e || !(e->lo & VTD_CTX_LO_P))
		return -1;
	return (int)((e->hi >> VTD_CTX_HI_DID_SHIFT) & 0xffff);
}

/* The bus's context table, created (and its root entry made present) on first use. */
static struct vtd_pair *ctx_slot_create(struct vtd_unit *u, u16 sid)
{
	u8 bus = (u8)(sid >> 8);
	if (!u->ctx_table[bus]) {
		u64 t = vtd_table_alloc();
		if (!t)
			return NULL;
		u->ctx_table[bus] = t;
		struct vtd_pair *root = (struct vtd_pair *)(uintptr_t)u->root_table;
		root[bus].hi = 0;
		root[bus].lo = t | VTD_ROOT_LO_P;
		vtd_table_flush(&root[bus], sizeof(root[bus]));
	}
	return ctx_slot(u, sid);
}

int vtd_context_set(struct vtd_unit *u, u16 sid, u64 slptptr, u32 levels, u16 did)
{
	struct vtd_pair *e = slptptr ? ctx_slot_create(u, sid) : ctx_slot(u, sid);
	if (!e)
		return slptptr ? -1 : 0;
	int old = (e->lo & VTD_CTX_LO_P) ? (int)((e->hi >> VTD_CTX_HI_DID_SHIFT) & 0xffff) : -1;
	int rc = 0;
	if (old >= 0) {
		/* present -> not present first: the hardware never sees a half-written entry */
		*(volatile u64 *)&e->lo = 0;
		vtd_table_flush(e, sizeof(*e));
		rc |= vtd_write_buffer_flush(u);
		rc |= vtd_inv_context_device(u, (u16)old, sid);
		rc |= vtd_inv_iotlb_domain(u, (u16)old);
	}
	if (!slptptr)
		return rc ? -1 : 0;
	e->hi = VTD_CTX_AW_FOR_LEVELS(levels) | ((u64)did << VTD_CTX_HI_DID_SHIFT);
	*(volatile u64 *)&e->lo = (slptptr & VTD_CTX_LO_SLPTPTR_MASK) |
				  (VTD_CTX_TT_UNTRANSLATED << VTD_CTX_LO_TT_SHIFT) | VTD_CTX_LO_P;
	vtd_table_flush(e, sizeof(*e));
	/* not present -> present: needed under caching mode, harmless otherwise */
	rc |= vtd_write_buffer_flush(u);
	rc |= vtd_inv_context_device(u, did, sid);
	rc |= vtd_inv_iotlb_domain(u, did);
	return rc ? -1 : 0;
}
