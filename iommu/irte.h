/* iommu/irte.h: pure encoders for interrupt remapping: table entries (IRTE), the IRTA register, the
 * interrupt entry cache invalidation descriptor and the table size a machine needs. No hardware
 * access: host unit tests exercise every function here. */
#ifndef MOAT_IOMMU_IRTE_H
#define MOAT_IOMMU_IRTE_H

#include "../kernel/types.h"

struct irte {
	u64 lo, hi;
};

/* Where one remapped interrupt goes and who may send it. */
struct irte_target {
	u8 vector;
	u32 dest;    /* APIC id of the destination CPU (physical mode, fixed delivery) */
	bool x2apic; /* the table is in extended (x2APIC) mode: dest is 32 bits, else 8 */
	bool level;  /* trigger mode: level (I/O APIC pins), else edge (MSI) */
	u16 sid;     /* requester id the interrupt must come from (SVT = 1, SQ = 0) */
};

/* A present remapped-format entry: fixed delivery, physical destination, no redirection hint,
 * source-id validation of all 16 bits of t->sid. A zero entry when t cannot be encoded (an xAPIC
 * destination above 255): check irte_present(). */
struct irte irte_encode(const struct irte_target *t);
bool irte_present(const struct irte *e);
u8 irte_vector(const struct irte *e);
u32 irte_dest(const struct irte *e, bool x2apic);
u16 irte_sid(const struct irte *e);

/* Entries a unit's table gets: room for `vectors_per_function` MSI/MSI-X vectors of each of
 * `functions` PCI functions plus `ioapic_pins`, rounded up to a power of two, at least one 4 KiB
 * page (256 entries) and at most VTD_IRT_MAX_ENTRIES. */
u32 irt_entries_for(u32 functions, u32 vectors_per_function, u32 ioapic_pins);
/* IRTA value for a table at `table` (4 KiB aligned) with `entries` (a power of two >= 2). */
u64 irta_encode(u64 table, u32 entries, bool eim);

/* Low 64 bits of an interrupt entry cache invalidation descriptor (the high 64 bits are 0):
 * global, or the 2^mask entries from index. */
u64 iec_desc_global(void);
u64 iec_desc_index(u16 index, u32 mask);

#endif
