/* iommu/msi.c: compatibility and remappable MSI messages, remapped I/O APIC entries (see msi.h). */
#include "msi.h"
#include "vtd_regs.h"

struct msi_msg msi_compat(u32 dest, u8 vector)
{
	return (struct msi_msg){
		.addr_lo = MSI_ADDR_BASE | ((dest & MSI_ADDR_DEST_MASK) << MSI_ADDR_DEST_SHIFT),
		.addr_hi = 0,
		.data = (MSI_DATA_DLM_FIXED << MSI_DATA_DLM_SHIFT) | vector,
	};
}

struct msi_msg msi_remappable(u16 handle)
{
	u32 a = MSI_ADDR_BASE | VTD_MSI_ADDR_IF_REMAP | VTD_MSI_ADDR_SHV |
		((handle & VTD_MSI_ADDR_HANDLE_LO_MASK) << VTD_MSI_ADDR_HANDLE_LO_SHIFT);
	if (handle & BIT(VTD_MSI_ADDR_HANDLE_HI_BIT))
		a |= VTD_MSI_ADDR_HANDLE15;
	return (struct msi_msg){.addr_lo = a, .addr_hi = 0, .data = 0};
}

bool msi_addr_is_remappable(u32 addr_lo) { return (addr_lo & VTD_MSI_ADDR_IF_REMAP) != 0; }

u32 msi_remap_index(const struct msi_msg *m)
{
	u32 h = (m->addr_lo >> VTD_MSI_ADDR_HANDLE_LO_SHIFT) & VTD_MSI_ADDR_HANDLE_LO_MASK;
	if (m->addr_lo & VTD_MSI_ADDR_HANDLE15)
		h |= BIT(VTD_MSI_ADDR_HANDLE_HI_BIT);
	if (m->addr_lo & VTD_MSI_ADDR_SHV)
		h += m->data & VTD_MSI_DATA_SUBHANDLE_MASK;
	return h;
}

u64 ioapic_rte_remapped(u16 handle, u8 vector, bool level, bool active_low, bool masked)
{
	u64 e = (vector & VTD_RTE_VECTOR_MASK) | VTD_RTE_FORMAT_REMAP |
		(((u64)handle & VTD_RTE_INDEX_LO_MASK) << VTD_RTE_INDEX_LO_SHIFT);
	if (handle & BIT(VTD_MSI_ADDR_HANDLE_HI_BIT))
		e |= VTD_RTE_INDEX15;
	if (level)
		e |= VTD_RTE_TRIGGER_LEVEL;
	if (active_low)
		e |= VTD_RTE_POLARITY_LOW;
	if (masked)
		e |= VTD_RTE_MASKED;
	return e;
}
