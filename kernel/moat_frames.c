/* kernel/moat_frames.c: allocation of Moat's own frames with their ownership recorded. */
#include "moat_frames.h"
#include "frame_alloc.h"
#include "frame_owner.h"
#include "paging.h"

#define MOAT_FRAME_RIGHTS (FRAME_R | FRAME_W)

u64 moat_frames_alloc(u64 pages, u64 align_pages, u64 max_phys)
{
	u64 f = frame_alloc_contig(pages, align_pages, max_phys);
	if (f && frame_owner_frames() && frame_owner_assign(f, pages, OWNER_MOAT, MOAT_FRAME_RIGHTS) != 0) {
		frame_free_contig(f, pages);
		return 0;
	}
	return f;
}

static void record_table(u64 phys) { frame_owner_assign(phys, 1, OWNER_MOAT, MOAT_FRAME_RIGHTS); }

void moat_frames_record_early(void)
{
	u64 bitmap, pages;
	frame_alloc_bitmap(&bitmap, &pages);
	if (pages)
		frame_owner_assign(bitmap, pages, OWNER_MOAT, MOAT_FRAME_RIGHTS);
	paging_for_each_table(record_table);
}
