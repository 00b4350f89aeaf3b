/* kernel/frame_owner.h: the frame ownership table: one record per RAM frame naming its owner
 * (free, Moat, or a VM) and the rights that owner has (read/write/execute). Every EPT and
 * DMA-domain mapping is checked against it, so vmm/ and iommu/ consult one table without
 * knowing each other. A frame changes owner only through Moat (released, then assigned). */
#ifndef MOAT_FRAME_OWNER_H
#define MOAT_FRAME_OWNER_H

#include "types.h"

#define OWNER_NONE 0   /* not owned: in the allocator, firmware, or MMIO */
#define OWNER_MOAT 1   /* Moat's own: code, data, page tables, VT-d tables, VMCS, stacks */
#define OWNER_VM_FIRST 16
#define OWNER_VM_LAST 0xfffe

#define FRAME_R BIT(0)
#define FRAME_W BIT(1)
#define FRAME_X BIT(2)
#define FRAME_RWX (FRAME_R | FRAME_W | FRAME_X)

struct frame_record {
	u16 owner;
	u8 perms; /* FRAME_R/W/X */
	u8 flags; /* FRAME_REC_* */
};

#define FRAME_REC_SCRUBBED BIT(0) /* zeroed and unreachable since its last owner used it */

/* Allocates the table (4 bytes per frame up to max_phys) from the frame allocator. 0 or -1. */
int frame_owner_init(u64 max_phys);
/* Host tests: use caller-provided storage for frames [0, nframes). */
void frame_owner_init_with(struct frame_record *table, u64 nframes);

/* Records owner/perms for [phys, phys + pages*4K): every frame must be unowned (OWNER_NONE).
 * All or nothing: 0, or -1 (with a log line) if any frame is out of range or owned. */
int frame_owner_assign(u64 phys, u64 pages, u16 owner, u8 perms);
/* Records that owner's frames are scrubbed (zeroed) and that every EPT and IOTLB invalidation that
 * could still reach them has completed (DESIGN.md, invariant 4). 0, or -1 if one is not owner's. */
int frame_owner_mark_scrubbed(u64 phys, u64 pages, u16 owner);
/* Returns the frames to OWNER_NONE: every frame must belong to owner. The caller has already
 * scrubbed them and completed every invalidation that could still reach them (DESIGN.md,
 * invariant 4); for a VM owner (OWNER_VM_FIRST..) that must be on record (frame_owner_mark_scrubbed),
 * else the release is refused. 0, or -1 (nothing changed). */
int frame_owner_release(u64 phys, u64 pages, u16 owner);
/* Narrows (never widens) the rights of owned frames. */
int frame_owner_restrict(u64 phys, u64 pages, u16 owner, u8 perms);

u16 frame_owner_of(u64 phys);
u8 frame_owner_perms(u64 phys);
/* True when every frame of the range belongs to owner with at least perms. */
bool frame_owner_allows(u64 phys, u64 pages, u16 owner, u8 perms);
u8 frame_owner_flags(u64 phys);
/* Frames in the table; for every frame owned by a VM label (OWNER_VM_FIRST..) whose owner live() rejects,
 * counts one and reports the first in *first_bad. Returns that count (the checker's orphan scan). */
u64 frame_owner_frames(void);
u64 frame_owner_orphans(bool (*live)(void *ctx, u16 owner), void *ctx, u64 *first_bad);
/* Number of frames owned by owner (for leak checks). */
u64 frame_owner_count(u16 owner);

#endif
