/* iommu/msi.h: pure encoders for the two x86 MSI formats (compatibility: destination and vector in
 * the message; remappable: an interrupt remapping table handle) and for the remapped-format I/O APIC
 * redirection entry. Host unit tests exercise every function here. */
#ifndef MOAT_IOMMU_MSI_H
#define MOAT_IOMMU_MSI_H

#include "../kernel/types.h"

#define MSI_ADDR_BASE 0xfee00000u /* the interrupt address window 0xFEEx_xxxx */
#define MSI_ADDR_WINDOW_MASK 0xfff00000u
#define MSI_ADDR_DEST_SHIFT 12 /* compatibility: 8-bit APIC id in bits 19:12 */
#define MSI_ADDR_DEST_MASK 0xffu
#define MSI_ADDR_DM_LOGICAL BIT(2)
#define MSI_DATA_VECTOR_MASK 0xffu
#define MSI_DATA_DLM_SHIFT 8 /* delivery mode, bits 10:8 */
#define MSI_DATA_LEVEL_ASSERT BIT(14)
#define MSI_DATA_TRIGGER_LEVEL BIT(15)
#define MSI_DATA_DLM_FIXED 0u

struct msi_msg {
	u32 addr_lo, addr_hi, data;
};

/* Compatibility format: fixed delivery of `vector` to physical APIC id `dest` (<= 255), edge. */
struct msi_msg msi_compat(u32 dest, u8 vector);
/* Remappable format naming table entry `handle` (subhandle valid, subhandle 0 in the data). */
struct msi_msg msi_remappable(u16 handle);
bool msi_addr_is_remappable(u32 addr_lo);
/* The entry a remappable message names: handle + subhandle when SHV is set. */
u32 msi_remap_index(const struct msi_msg *m);

/* I/O APIC redirection entry in remapped format naming `handle`; vector must equal the IRTE's. */
u64 ioapic_rte_remapped(u16 handle, u8 vector, bool level, bool active_low, bool masked);

#endif
