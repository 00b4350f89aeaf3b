/* iommu/irte.c: interrupt remapping table entries, IRTA and IEC descriptors (see irte.h). */
#include "irte.h"
#include "vtd_regs.h"

#define IRT_PAGE_ENTRIES (PAGE_SIZE / VTD_IRTE_SIZE)
#define XAPIC_MAX_ID 0xffu

struct irte irte_encode(const struct irte_target *t)
{
	struct irte e = {0, 0};
	if (!t->x2apic && t->dest > XAPIC_MAX_ID)
		return e;
	u64 dst = t->x2apic ? (u64)t->dest : (u64)t->dest << VTD_IRTE_DST_XAPIC_SHIFT;
	e.lo = VTD_IRTE_LO_P | (VTD_IRTE_DLM_FIXED << VTD_IRTE_LO_DLM_SHIFT) |
	       ((u64)t->vector << VTD_IRTE_LO_V_SHIFT) | (dst << VTD_IRTE_LO_DST_SHIFT);
	if (t->level)
		e.lo |= VTD_IRTE_LO_TM;
	e.hi = ((u64)t->sid & VTD_IRTE_HI_SID_MASK) | (VTD_IRTE_SQ_ALL_BITS << VTD_IRTE_HI_SQ_SHIFT) |
	       (VTD_IRTE_SVT_RID << VTD_IRTE_HI_SVT_SHIFT);
	return e;
}

bool irte_present(const struct irte *e) { return (e->lo & VTD_IRTE_LO_P) != 0; }
u8 irte_vector(const struct irte *e) { return (u8)((e->lo >> VTD_IRTE_LO_V_SHIFT) & VTD_IRTE_LO_V_MASK); }
u16 irte_sid(const struct irte *e) { return (u16)(e->hi & VTD_IRTE_HI_SID_MASK); }

u32 irte_dest(const struct irte *e, bool x2apic)
{
	u32 dst = (u32)(e->lo >> VTD_IRTE_LO_DST_SHIFT);
	return x2apic ? dst : (u32)((dst >> VTD_IRTE_DST_XAPIC_SHIFT) & VTD_IRTE_DST_XAPIC_MASK);
}

u32 irt_entries_for(u32 functions, u32 vectors_per_function, u32 ioapic_pins)
{
	u64 want = (u64)functions * vectors_per_function + ioapic_pins;
	u32 n = IRT_PAGE_ENTRIES;
	while (n < want && n < VTD_IRT_MAX_ENTRIES)
		n <<= 1;
	return n;
}

u64 irta_encode(u64 table, u32 entries, bool eim)
{
	u64 s = 0;
	while ((2ULL << s) < entries && s < VTD_IRTA_S_MASK)
		s++;
	return (table & VTD_IRTA_ADDR_MASK) | (eim ? VTD_IRTA_EIME : 0) | s;
}

u64 iec_desc_global(void) { return VTD_DESC_TYPE_IEC; }

u64 iec_desc_index(u16 index, u32 mask)
{
	return VTD_DESC_TYPE_IEC | VTD_DESC_IEC_INDEX | ((u64)mask << VTD_DESC_IEC_IM_SHIFT) |
	       ((u64)index << VTD_DESC_IEC_IIDX_SHIFT);
}
