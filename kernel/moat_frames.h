/* kernel/moat_frames.h: frames Moat takes for itself (page tables, stacks), allocated and recorded
 * as OWNER_MOAT in the frame ownership table in one step, so that the invariant checker can prove
 * no VM or DMA domain ever maps them (DESIGN.md, invariant 2). */
#ifndef MOAT_MOAT_FRAMES_H
#define MOAT_MOAT_FRAMES_H

#include "types.h"

/* Like frame_alloc_contig; the frames are recorded as Moat's once the ownership table exists. */
u64 moat_frames_alloc(u64 pages, u64 align_pages, u64 max_phys);
/* Records as Moat's everything Moat took before the ownership table existed: the allocator's
 * bitmap and the page-table frames built so far. */
void moat_frames_record_early(void);

#endif
