/* iommu/irq_remap.c: interrupt remapping tables: bring-up on every unit (table pointer, interrupt
 * entry cache, compatibility format off, IRE on), and allocating and freeing entries (see
 * irq_remap.h). Every change is followed by a completed interrupt entry cache invalidation. */
#include "irq_remap.h"
#include "irq_remap_rt.h"
#include "iommu.h"
#include "irte.h"
#include "table_mem.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/string.h"


static struct ir_unit ir[DMAR_MAX_UNITS];
static bool ir_on, ir_x2apic;

bool irq_remap_on(void) { return ir_on; }
bool irq_remap_x2apic(void) { return ir_x2apic; }
struct ir_unit *ir_unit_at(u32 pos) { return pos < DMAR_MAX_UNITS ? &ir[pos] : NULL; }

static u32 unit_pos(const struct vtd_unit *u) { return (u32)(u - iommu_rt()->units); }

u32 irq_remap_entries(const struct pci_addr *dev)
{
	struct vtd_unit *u = iommu_unit_for(dev);
	return (u && ir_on) ? ir[unit_pos(u)].entries : 0;
}

u32 irq_remap_in_use(const struct pci_addr *dev)
{
	struct vtd_unit *u = iommu_unit_for(dev);
	return (u && ir_on) ? ir[unit_pos(u)].used : 0;
}

static u64 table_alloc(u32 entries)
{
	u64 pages = (u64)entries * VTD_IRTE_SIZE / PAGE_SIZE;
	u64 t = frame_alloc_contig(pages, 1, 0);
	if (!t) {
		pr_err("iommu", "out of memory for a %u-entry interrupt remapping table", entries);
		return 0;
	}
	if (frame_owner_assign(t, pages, OWNER_MOAT, FRAME_R | FRAME_W) != 0) {
		frame_free_contig(t, pages);
		return 0;
	}
	memset((void *)(uintptr_t)t, 0, pages * PAGE_SIZE);
	vtd_table_flush((void *)(uintptr_t)t, pages * PAGE_SIZE);
	return t;
}

int ir_iec_invalidate(struct vtd_unit *u, int index)
{
	u64 lo = index < 0 ? iec_desc_global() : iec_desc_index((u16)index, 0);
	return vtd_qi_submit_desc(u, lo, 0, index < 0 ? "global interrupt entry cache invalidation"
						      : "interrupt entry cache invalidation");
}

/* Firmware may have left remapping on with its own table: off first (compatibility format too). */
static int take_over(struct vtd_unit *u)
{
	u32 sts = mmio_read32(u->base + VTD_GSTS_REG);
	if (sts & VTD_GSTS_IRES) {
		pr_warn("iommu", "unit %u: firmware left interrupt remapping on; installing Moat's table", u->index);
		if (vtd_gcmd(u, VTD_GCMD_IRE, VTD_GSTS_IRES, false) != 0)
			return -1;
	}
	return 0;
}

static int unit_enable(struct vtd_unit *u, struct ir_unit *t, bool eim)
{
	if (!u->caps->ir) {
		pr_err("iommu", "unit %u: no interrupt remapping (ECAP.IR = 0)", u->index);
		return -1;
	}
	if (take_over(u) != 0)
		return -1;
	t->table = table_alloc(t->entries);
	if (!t->table)
		return -1;
	mmio_write64(u->base + VTD_IRTA_REG, irta_encode(t->table, t->entries, eim));
	if (vtd_gcmd(u, VTD_GCMD_SIRTP, VTD_GSTS_IRTPS, true) != 0 || ir_iec_invalidate(u, -1) != 0)
		return -1;
	if ((mmio_read32(u->base + VTD_GSTS_REG) & VTD_GSTS_CFIS) &&
	    vtd_gcmd(u, VTD_GCMD_CFI, VTD_GSTS_CFIS, false) != 0)
		return -1;
	if (vtd_gcmd(u, VTD_GCMD_IRE, VTD_GSTS_IRES, true) != 0)
		return -1;
	u32 sts = mmio_read32(u->base + VTD_GSTS_REG);
	if (!(sts & VTD_GSTS_IRES) || (sts & VTD_GSTS_CFIS)) {
		pr_err("iommu", "unit %u: GSTS 0x%08x after enabling: interrupt remapping %s, compatibility format %s",
		       u->index, sts, (sts & VTD_GSTS_IRES) ? "on" : "off", (sts & VTD_GSTS_CFIS) ? "allowed" : "blocked");
		return -1;
	}
	t->up = true;
	pr_info("iommu", "unit %u: interrupt remapping table of %u entries at 0x%llx (%s mode)", u->index, t->entries,
		t->table, eim ? "x2apic" : "xapic");
	return 0;
}

/* The interrupt entry cache can only be invalidated through the queue: a unit without it (the
 * hardware has none, or `iommu_qi = off`) gets no remapping table. Says so in one line, turns off
 * any remapping firmware left on (with a table Moat could not keep coherent), and returns true. */
static bool qi_missing(struct vtd_unit *u)
{
	if (u->qi)
		return false;
	if (u->caps->ir)
		take_over(u);
	if (u->caps->qi)
		pr_info("iommu", "unit %u: interrupt remapping off: it needs queued invalidation (iommu_qi = off)",
			u->index);
	else
		pr_warn("iommu", "unit %u: interrupt remapping off: it needs queued invalidation (ECAP.QI = 0)",
			u->index);
	return true;
}

int irq_remap_enable(void)
{
	struct iommu_rt *rt = iommu_rt();
	if (!rt->nunits)
		return 0;
	for (u32 i = 0; i < rt->nunits; i++)
		if (qi_missing(&rt->units[i]))
			return -1; /* ir_on stays false: domain_attach and every MSI/MSI-X path refuse */
	bool eim = apic_is_x2apic();
	for (u32 i = 0; i < rt->nunits; i++)
		eim &= rt->units[i].caps->eim;
	if (apic_is_x2apic() && !eim)
		pr_warn("iommu", "the CPUs use x2APIC but a unit lacks EIM: remapped interrupts reach APIC ids 0-255 only");
	u32 pins = ir_ioapic_pins();
	u32 entries = irt_entries_for(pci_count(), IRQ_REMAP_VECTORS_PER_FUNCTION, pins);
	for (u32 i = 0; i < rt->nunits; i++) {
		ir[i].entries = entries;
		if (unit_enable(&rt->units[i], &ir[i], eim) != 0) {
			pr_err("iommu", "unit %u: interrupt remapping could not be turned on: no device gets interrupts",
			       rt->units[i].index);
			return -1;
		}
	}
	ir_on = true;
	ir_x2apic = eim;
	ir_ioapic_mask_all();
	pr_info("iommu", "interrupt remapping on (%s), compatibility format blocked", eim ? "x2apic" : "xapic");
	return 0;
}

/* The requester id the IOMMU sees for dev's messages: the outermost bridge alias, else its own. */
static u16 msi_sid(const struct pci_addr *dev, u32 *naliases)
{
	u16 rids[IOMMU_MAX_DMA_ALIASES];
	u32 n = iommu_dma_aliases(dev, rids, IOMMU_MAX_DMA_ALIASES);
	*naliases = n;
	return rids[n - 1];
}

int ir_alloc_sid(struct vtd_unit *u, u16 sid, u8 vector, u32 dest, bool level, struct irq_remap_vec *out)
{
	struct iommu_rt *rt = iommu_rt();
	u32 pos = unit_pos(u);
	struct ir_unit *t = &ir[pos];
	if (!ir_on || !t->up) {
		pr_err("iommu", "interrupt remapping is off: no interrupt entry for %02x:%02x.%u", sid >> 8, (sid >> 3) & 0x1f,
		       sid & 7);
		return -1;
	}
	struct irte_target tg = {.vector = vector, .dest = dest, .x2apic = ir_x2apic, .level = level, .sid = sid};
	struct irte e = irte_encode(&tg);
	if (!irte_present(&e)) {
		pr_err("iommu", "APIC id %u cannot be named by an xAPIC-mode interrupt entry", dest);
		return -1;
	}
	spin_lock(&rt->lock);
	volatile struct irte *tab = (volatile struct irte *)(uintptr_t)t->table;
	u32 idx = 0;
	while (idx < t->entries && (tab[idx].lo & VTD_IRTE_LO_P))
		idx++;
	if (idx == t->entries) {
		spin_unlock(&rt->lock);
		pr_err("iommu", "unit %u: interrupt remapping table full (%u entries)", u->index, t->entries);
		return -1;
	}
	tab[idx].hi = e.hi; /* not present yet: the unit never uses a half-written entry */
	__asm__ volatile("" ::: "memory");
	tab[idx].lo = e.lo;
	vtd_table_flush((const void *)&tab[idx], sizeof(struct irte));
	int rc = ir_iec_invalidate(u, (int)idx);
	if (rc != 0) {
		tab[idx].lo = 0;
		vtd_table_flush((const void *)&tab[idx], sizeof(struct irte));
		ir_iec_invalidate(u, (int)idx);
	} else {
		t->used++;
	}
	spin_unlock(&rt->lock);
	if (rc != 0)
		return -1;
	*out = (struct irq_remap_vec){
		.valid = true, .unit = (u16)pos, .index = (u16)idx, .sid = sid, .vector = vector, .dest = dest};
	return 0;
}

int irq_remap_alloc(const struct pci_addr *dev, u8 vector, u32 dest, struct irq_remap_vec *out)
{
	char bdf[PCI_ADDR_STR_MAX];
	pci_addr_format(dev, bdf, sizeof(bdf));
	struct vtd_unit *u = iommu_unit_for(dev);
	if (!u) {
		pr_err("iommu", "%s: no remapping unit covers it: no interrupt entry", bdf);
		return -1;
	}
	u32 naliases;
	u16 sid = msi_sid(dev, &naliases);
	if (ir_alloc_sid(u, sid, vector, dest, false, out) != 0)
		return -1;
	out->dev = *dev;
	pr_info("iommu", "%s: interrupt entry %u: vector 0x%02x -> apic %u, source id %02x:%02x.%u%s", bdf, out->index,
		vector, dest, sid >> 8, (sid >> 3) & 0x1f, sid & 7, naliases > 1 ? " (bridge alias)" : "");
	return 0;
}

int irq_remap_free(struct irq_remap_vec *v)
{
	struct iommu_rt *rt = iommu_rt();
	if (!v || !v->valid || v->unit >= rt->nunits || v->index >= ir[v->unit].entries)
		return -1;
	struct vtd_unit *u = &rt->units[v->unit];
	spin_lock(&rt->lock);
	volatile struct irte *tab = (volatile struct irte *)(uintptr_t)ir[v->unit].table;
	tab[v->index].lo = 0; /* present -> not present first */
	__asm__ volatile("" ::: "memory");
	tab[v->index].hi = 0;
	vtd_table_flush((const void *)&tab[v->index], sizeof(struct irte));
	int rc = ir_iec_invalidate(u, v->index);
	ir[v->unit].used--;
	spin_unlock(&rt->lock);
	v->valid = false;
	if (rc != 0)
		pr_err("iommu", "interrupt entry %u: cache invalidation failed: treat it as still live", v->index);
	return rc;
}
