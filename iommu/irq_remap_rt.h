/* iommu/irq_remap_rt.h: interrupt remapping state shared by iommu/irq_remap*.c and iommu/ioapic.c
 * (not for vmm/): each unit's table, and the helpers that change it. */
#ifndef MOAT_IOMMU_IRQ_REMAP_RT_H
#define MOAT_IOMMU_IRQ_REMAP_RT_H

#include "irq_remap.h"
#include "iommu_rt.h"

struct ir_unit {
	bool up;
	u64 table; /* physical, 4 KiB aligned, entries * 16 bytes */
	u32 entries;
	u32 used;
};

struct ir_unit *ir_unit_at(u32 pos);
/* Interrupt entry cache invalidation on u: global (index < 0) or one entry; completed on return. */
int ir_iec_invalidate(struct vtd_unit *u, int index);
/* Allocates a present entry on u for requester id sid (rt->lock taken inside). 0 or -1. */
int ir_alloc_sid(struct vtd_unit *u, u16 sid, u8 vector, u32 dest, bool level, struct irq_remap_vec *out);

/* I/O APICs (iommu/ioapic.c): pins of every I/O APIC the MADT lists (mapped on first use), and
 * masking every redirection entry. */
u32 ir_ioapic_pins(void);
void ir_ioapic_mask_all(void);

#endif
