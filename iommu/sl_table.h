/* iommu/sl_table.h: VT-d second-level page tables (device address -> host-physical) as a plain data
 * structure: map with superpages where allowed, strict unmap that splits superpages, lookup and
 * teardown. No MMIO and no invalidation here: memory, address translation and the cache flush a
 * non-coherent walker needs come through struct sl_ops, so host unit tests build real tables. */
#ifndef MOAT_IOMMU_SL_TABLE_H
#define MOAT_IOMMU_SL_TABLE_H

#include "../kernel/types.h"

struct sl_ops {
	/* One zeroed 4 KiB table: its physical address, or 0 when memory is exhausted. */
	u64 (*alloc)(void *ctx);
	void (*free)(void *ctx, u64 phys);
	/* Where Moat reaches a table it allocated. */
	void *(*ptr)(void *ctx, u64 phys);
	/* Makes len bytes of table memory at p visible to the remapping hardware (NULL: coherent). */
	void (*flush)(void *ctx, const void *p, size_t len);
	void *ctx;
};

#define SL_PERM_R BIT(0)
#define SL_PERM_W BIT(1)
#define SL_PERM_RW (SL_PERM_R | SL_PERM_W)

#define SL_PAGE_4K PAGE_SIZE
#define SL_PAGE_2M MiB(2)
#define SL_PAGE_1G GiB(1)

struct sl_table {
	const struct sl_ops *ops;
	u64 root;        /* physical address of the top-level table */
	u32 levels;      /* 3, 4 or 5 */
	u32 aw;          /* accepted device-address bits (<= 12 + 9 * levels) */
	bool sp_2m, sp_1g; /* superpages the hardware walks (CAP.SLLPS) */
	u64 table_pages; /* tables currently allocated, the root included */
};

/* Allocates the root. levels 3..5, aw at most what the levels translate. 0, or -1. */
int sl_init(struct sl_table *t, const struct sl_ops *ops, u32 levels, u32 aw, bool sp_2m, bool sp_1g);
/* Maps [iova, iova + size) to [hpa, ...) with perms (SL_PERM_*, at least one). Everything 4 KiB
 * aligned, inside aw, and not mapped yet. Uses the largest page both addresses allow. All or
 * nothing: 0, or -1 (what this call mapped is removed again). */
int sl_map(struct sl_table *t, u64 iova, u64 hpa, u64 size, u32 perms);
/* Removes every translation in [iova, iova + size) (unmapped parts are skipped); a superpage only
 * partly inside is split first. 0, or -1 when a split needs a table and none can be allocated:
 * then a prefix of the range may already be unmapped. The caller invalidates the IOTLB in both
 * cases before any removed frame is reused. */
int sl_unmap(struct sl_table *t, u64 iova, u64 size);
/* The host-physical address iova translates to, with its perms and page size; ~0 if unmapped. */
u64 sl_lookup(const struct sl_table *t, u64 iova, u32 *perms, u64 *page_size);
/* Calls table(ctx, phys) for every table (the root too) and leaf(ctx, iova, hpa, size, perms) for every
 * present translation, in address order; either may be NULL. */
void sl_walk(const struct sl_table *t, void (*table)(void *ctx, u64 phys),
	     void (*leaf)(void *ctx, u64 iova, u64 hpa, u64 size, u32 perms), void *ctx);
/* Frees every table, the root included (the caller made sure no hardware still walks them). */
void sl_destroy(struct sl_table *t);

#endif
