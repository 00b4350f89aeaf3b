/* iommu/ioapic.c: the I/O APICs under interrupt remapping: every pin masked at boot, and a pin
 * routed through an interrupt entry in remapped format (source id from the DMAR's I/O APIC scope). */
#include "irq_remap_rt.h"
#include "iommu.h"
#include "msi.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/paging.h"

#define IOAPIC_REGSEL 0x00
#define IOAPIC_WINDOW 0x10
#define IOAPIC_REG_VER 0x01
#define IOAPIC_VER_MAXREDIR_SHIFT 16 /* highest redirection entry, bits 23:16 */
#define IOAPIC_VER_MAXREDIR_MASK 0xffu
#define IOAPIC_REG_RTE(pin) (0x10 + 2 * (pin)) /* low dword; the high one follows */
#define IOAPIC_RTE_MASKED BIT(16)
#define IOAPIC_MMIO_SIZE PAGE_SIZE

static bool mapped[ACPI_MAX_IOAPICS];

static u64 base_of(u32 i) { return iommu_state()->ioapics[i].addr; }

static u32 ioapic_read(u32 i, u32 reg)
{
	mmio_write32(base_of(i) + IOAPIC_REGSEL, reg);
	return mmio_read32(base_of(i) + IOAPIC_WINDOW);
}

static void ioapic_write(u32 i, u32 reg, u32 v)
{
	mmio_write32(base_of(i) + IOAPIC_REGSEL, reg);
	mmio_write32(base_of(i) + IOAPIC_WINDOW, v);
}

static bool ioapic_map(u32 i)
{
	if (!mapped[i] && paging_map_mmio(base_of(i), IOAPIC_MMIO_SIZE) == 0)
		mapped[i] = true;
	return mapped[i];
}

static u32 pins_of(u32 i)
{
	if (!ioapic_map(i))
		return 0;
	return ((ioapic_read(i, IOAPIC_REG_VER) >> IOAPIC_VER_MAXREDIR_SHIFT) & IOAPIC_VER_MAXREDIR_MASK) + 1;
}

u32 ir_ioapic_pins(void)
{
	u32 n = 0;
	for (u32 i = 0; i < iommu_state()->nioapics; i++)
		n += pins_of(i);
	return n;
}

static void write_rte(u32 i, u32 pin, u64 rte)
{
	/* masked while the halves change, the low half (with the mask bit as wanted) last */
	ioapic_write(i, IOAPIC_REG_RTE(pin), IOAPIC_RTE_MASKED);
	ioapic_write(i, IOAPIC_REG_RTE(pin) + 1, (u32)(rte >> 32));
	ioapic_write(i, IOAPIC_REG_RTE(pin), (u32)rte);
}

/* The DMAR's I/O APIC scope for this I/O APIC id: its unit position and source id. */
static bool scope_of(u8 id, struct vtd_unit **unit, u16 *sid)
{
	const struct iommu_state *st = iommu_state();
	struct iommu_rt *rt = iommu_rt();
	for (u32 d = 0; d < st->dmar.ndrhd; d++) {
		const struct dmar_drhd *h = &st->dmar.drhd[d];
		for (u32 s = 0; s < h->nscopes; s++) {
			const struct dmar_scope *sc = &h->scopes[s];
			if (sc->type != DMAR_SCOPE_IOAPIC || sc->enum_id != id || !sc->path_len)
				continue;
			const struct dmar_path_elem *last = &sc->path[sc->path_len - 1];
			*sid = (u16)((sc->start_bus << 8) | (last->dev << 3) | last->fn);
			for (u32 k = 0; k < rt->nunits; k++) {
				if (rt->units[k].base == h->base) {
					*unit = &rt->units[k];
					return true;
				}
			}
		}
	}
	return false;
}

void ir_ioapic_mask_all(void)
{
	const struct iommu_state *st = iommu_state();
	for (u32 i = 0; i < st->nioapics; i++) {
		u32 pins = pins_of(i);
		for (u32 p = 0; p < pins; p++)
			write_rte(i, p, IOAPIC_RTE_MASKED);
		struct vtd_unit *u;
		u16 sid;
		bool scoped = scope_of(st->ioapics[i].id, &u, &sid);
		if (scoped)
			pr_info("iommu", "I/O APIC %u at 0x%x: %u pins masked (source id %02x:%02x.%u, unit %u)",
				st->ioapics[i].id, st->ioapics[i].addr, pins, sid >> 8, (sid >> 3) & 0x1f, sid & 7, u->index);
		else
			pr_warn("iommu", "I/O APIC %u at 0x%x: %u pins masked; no DMAR scope names it: never routed",
				st->ioapics[i].id, st->ioapics[i].addr, pins);
	}
}

int irq_remap_ioapic_route(u32 ioapic, u32 pin, u8 vector, u32 dest, bool level, bool active_low,
			   struct irq_remap_vec *out)
{
	const struct iommu_state *st = iommu_state();
	struct vtd_unit *u;
	u16 sid;
	if (ioapic >= st->nioapics || pin >= pins_of(ioapic) || !scope_of(st->ioapics[ioapic].id, &u, &sid)) {
		pr_err("iommu", "I/O APIC %u pin %u: not present or not in a DMAR scope", ioapic, pin);
		return -1;
	}
	if (ir_alloc_sid(u, sid, vector, dest, level, out) != 0)
		return -1;
	write_rte(ioapic, pin, ioapic_rte_remapped(out->index, vector, level, active_low, false));
	return 0;
}
