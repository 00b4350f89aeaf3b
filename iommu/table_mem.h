/* iommu/table_mem.h: memory for VT-d structures (root, context and page tables, the invalidation
 * queue): zeroed frames recorded as Moat's own in the frame ownership table, so no domain can
 * ever map them, and the CPU cache flush a non-coherent remapping unit (ECAP.C = 0) needs. */
#ifndef MOAT_IOMMU_TABLE_MEM_H
#define MOAT_IOMMU_TABLE_MEM_H

#include "sl_table.h"

/* One zeroed frame owned by Moat, or 0 (with a log line) when memory is exhausted. */
u64 vtd_table_alloc(void);
void vtd_table_free(u64 phys);
/* Whether table writes must be flushed from the CPU caches (set once any unit has ECAP.C = 0). */
void vtd_table_set_coherent(bool coherent);
bool vtd_table_coherent(void);
/* Writes back the cache lines of [p, p + len) when a unit is not coherent (clflush + mfence). */
void vtd_table_flush(const void *p, size_t len);
/* The sl_ops for domains built in Moat's own memory. */
extern const struct sl_ops vtd_sl_ops;

#endif
