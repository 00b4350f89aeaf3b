/* vmm/vmsi.c: the fate of a device's MSI message in the guest's MSI state (see vmsi.h). */
#include "vmsi.h"
#include "../iommu/msi.h"

bool vmsi_addr_ok(u32 addr_lo, u32 addr_hi)
{
	return (addr_lo & MSI_ADDR_WINDOW_MASK) == MSI_ADDR_BASE && !addr_hi;
}

enum vmsi_fire vmsi_fire(bool enabled, bool maskable, u32 mask, u32 addr_lo, u32 addr_hi)
{
	if (!enabled || !vmsi_addr_ok(addr_lo, addr_hi))
		return VMSI_DROP;
	return maskable && (mask & VMSI_MASK_VECTOR0) ? VMSI_PENDING : VMSI_DELIVER;
}

u8 vmsi_vector(u32 data) { return (u8)(data & MSI_DATA_VECTOR_MASK); }
