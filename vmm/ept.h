/* vmm/ept.h: the EPT builder: 4-level extended page tables mapping guest-physical ranges to
 * host-physical frames, write-back, with 1 GiB and 2 MiB pages where alignment and the CPU
 * allow. Pure table logic: frames come from callbacks, so host unit tests can run it. The
 * caller checks frame ownership before it maps anything (kernel/frame_owner.h). */
#ifndef MOAT_EPT_H
#define MOAT_EPT_H

#include "../kernel/types.h"

/* EPT paging-structure entry bits (Intel SDM vol. 3, 29.3.2) */
#define EPT_R BIT(0)
#define EPT_W BIT(1)
#define EPT_X BIT(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MEMTYPE_SHIFT 3
#define EPT_MEMTYPE_WB 6ULL
#define EPT_MEMTYPE_UC 0ULL
/* ept_map option (in perms, never stored as such): memory type UC instead of WB, for device MMIO. */
#define EPT_MAP_UC BIT(32)
#define EPT_LARGE BIT(7)
#define EPT_ACCESSED BIT(8)
#define EPT_DIRTY BIT(9)
#define EPT_ADDR_MASK 0x000ffffffffff000ULL
#define EPT_ENTRIES 512
#define EPT_LEVELS 4

/* EPT pointer (VMCS field) bits */
#define EPTP_MEMTYPE_WB 6ULL
#define EPTP_WALK_LENGTH_SHIFT 3
#define EPTP_AD_ENABLE BIT(6)

/* Highest guest-physical address + 1 that 4 levels translate (48 bits). */
#define EPT_GPA_LIMIT BIT(48)

struct ept_ops {
	/* A zeroed 4 KiB table frame, or 0 when memory is exhausted. */
	u64 (*alloc_table)(void *ctx);
	void (*free_table)(void *ctx, u64 phys);
	/* Where a table frame can be read and written. */
	void *(*phys_to_ptr)(void *ctx, u64 phys);
	void *ctx;
};

struct ept {
	struct ept_ops ops;
	u64 root;   /* physical address of the PML4 */
	bool use_2m, use_1g;
	u32 tables; /* table frames in use, root included */
};

/* Allocates the root. 0, or -1 when out of memory. */
int ept_init(struct ept *e, const struct ept_ops *ops, bool use_2m, bool use_1g);
/* Maps [gpa, gpa+size) to [hpa, hpa+size) with rights perms (EPT_R/W/X). Everything must be
 * 4 KiB aligned and the range not yet mapped. 0, or -1 (bad arguments, overlap, no memory). */
int ept_map(struct ept *e, u64 gpa, u64 hpa, u64 size, u64 perms);
/* Removes every leaf inside [gpa, gpa+size) (4 KiB aligned); tables stay until ept_destroy. The
 * caller runs INVEPT afterwards. 0, or -1 when a larger page straddles the range (nothing changed
 * for that page). */
int ept_unmap(struct ept *e, u64 gpa, u64 size);
/* The host-physical address for gpa and its rights, or false if gpa is not mapped. */
bool ept_translate(const struct ept *e, u64 gpa, u64 *hpa, u64 *perms);
/* Calls table(ctx, phys) for every table frame (the root too) and leaf(ctx, gpa, hpa, size, perms) for
 * every present leaf (4 KiB, 2 MiB or 1 GiB), in address order; either may be NULL. */
void ept_walk(const struct ept *e, void (*table)(void *ctx, u64 phys),
	      void (*leaf)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 perms), void *ctx);
/* Frees every table (the root too). The mapped frames themselves are the caller's. */
void ept_destroy(struct ept *e);
/* The EPT pointer for the VMCS: WB, 4 levels, A/D flags if ad. */
u64 ept_pointer(const struct ept *e, bool ad);

#endif
