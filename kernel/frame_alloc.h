/* kernel/frame_alloc.h: the physical frame allocator, fed from the firmware memory map. One bit per
 * 4 KiB frame; running out is an error the caller handles (0 is returned), never a crash. */
#ifndef MOAT_FRAME_ALLOC_H
#define MOAT_FRAME_ALLOC_H

#include "types.h"
#include "boot_info.h"

#define FRAME_LOW_LIMIT MiB(1) /* frames below 1 MiB are never handed out */
#define FRAME_RESERVED_MAX 32  /* ranges frame_alloc_reserve can hold */

/* Optional: how the allocator reaches its bitmap at a physical address (identity by default;
 * host tests map a fake physical space). */
void frame_alloc_set_mapper(void *(*phys_to_ptr)(u64 phys));

/* Takes the BOOT_MEM_USABLE regions; the bitmap is carved from the largest one. 0, or -1 if no
 * usable memory can hold the bitmap. */
int frame_alloc_init(const struct boot_mem_region *mem, u32 n);
/* Adds every region of the given type (BOOT_MEM_BOOT_SERVICES once Moat runs on its own tables). */
void frame_alloc_add_type(const struct boot_mem_region *mem, u32 n, u32 type);

/* One frame, or 0 when memory is exhausted. */
u64 frame_alloc(void);
/* pages contiguous frames aligned to align_pages frames, wholly below max_phys (0: no limit); 0 on failure. */
u64 frame_alloc_contig(u64 pages, u64 align_pages, u64 max_phys);
/* 0, or -1 (and a log line) when the frame is not allocated or out of range: a double free. */
int frame_free(u64 phys);
int frame_free_contig(u64 phys, u64 pages);
/* Takes the physical range [phys, phys + size) (widened to whole frames) out of the allocator for
 * good: its free frames become allocated and are never handed out, and frames of it added later
 * (frame_alloc_add_type) or freed later (held when it was reserved) never become free. Returns how
 * many frames were free (0: none was, e.g. memory the firmware reported reserved), or -1 (and a log
 * line) for an empty or wrapping range or when FRAME_RESERVED_MAX ranges are already reserved. */
s64 frame_alloc_reserve(u64 phys, u64 size);

u64 frame_free_count(void);
u64 frame_used_count(void);
/* RAM the firmware reported (all RAM types, including what firmware and Moat hold). */
u64 frame_ram_bytes(void);
bool frame_is_allocated(u64 phys);
/* Where the allocator keeps its own bitmap (pages 0 before init). */
void frame_alloc_bitmap(u64 *phys, u64 *pages);
/* End of the highest RAM frame the allocator can ever hand out. */
u64 frame_alloc_max_phys(void);

#endif
