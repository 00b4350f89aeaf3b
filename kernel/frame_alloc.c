/* kernel/frame_alloc.c: bitmap frame allocator (bit set = frame not free). The bitmap covers
 * frames 0..max_pfn of the RAM regions that can ever become free; the rest is never touched.
 * Reserved ranges (frame_alloc_reserve) keep their bits set for good: adding and freeing skip them. */
#include "frame_alloc.h"
#include "log.h"
#include "spinlock.h"
#include "string.h"

static u64 *bitmap;
static u64 bitmap_base, bitmap_npages;
static u64 max_pfn;     /* frames covered by the bitmap */
static u64 free_frames; /* bits clear */
static u64 managed;     /* frames ever added as free */
static u64 ram_bytes;
static u64 next_hint;
static struct spinlock lock;
static struct {
	u64 first, end; /* frames [first, end) */
} reserved[FRAME_RESERVED_MAX];
static u32 nreserved;

static void *identity(u64 phys) { return (void *)(uintptr_t)phys; }
static void *(*to_ptr)(u64) = identity;

void frame_alloc_set_mapper(void *(*phys_to_ptr)(u64 phys)) { to_ptr = phys_to_ptr ? phys_to_ptr : identity; }

static bool is_ram(u32 type)
{
	return type == BOOT_MEM_USABLE || type == BOOT_MEM_BOOT_SERVICES || type == BOOT_MEM_MOAT ||
	       type == BOOT_MEM_ACPI || type == BOOT_MEM_ACPI_NVS;
}

static bool test_bit(u64 pfn) { return bitmap[pfn / 64] & BIT(pfn % 64); }
static void set_bit(u64 pfn) { bitmap[pfn / 64] |= BIT(pfn % 64); }
static void clear_bit(u64 pfn) { bitmap[pfn / 64] &= ~BIT(pfn % 64); }

static bool is_reserved(u64 pfn)
{
	for (u32 i = 0; i < nreserved; i++)
		if (pfn >= reserved[i].first && pfn < reserved[i].end)
			return true;
	return false;
}

/* Frees [first, end) of frames, skipping the low megabyte, reserved frames and frames already free. */
static void add_free(u64 first, u64 end)
{
	if (first < FRAME_LOW_LIMIT / PAGE_SIZE)
		first = FRAME_LOW_LIMIT / PAGE_SIZE;
	if (end > max_pfn)
		end = max_pfn;
	for (u64 pfn = first; pfn < end; pfn++) {
		if (test_bit(pfn) && !is_reserved(pfn)) {
			clear_bit(pfn);
			free_frames++;
			managed++;
		}
	}
}

int frame_alloc_init(const struct boot_mem_region *mem, u32 n)
{
	max_pfn = free_frames = managed = ram_bytes = next_hint = 0;
	nreserved = 0;
	bitmap = NULL;
	const struct boot_mem_region *largest = NULL;
	for (u32 i = 0; i < n; i++) {
		const struct boot_mem_region *r = &mem[i];
		if (is_ram(r->type))
			ram_bytes += r->pages * PAGE_SIZE;
		if (r->type == BOOT_MEM_USABLE || r->type == BOOT_MEM_BOOT_SERVICES) {
			u64 end = r->base / PAGE_SIZE + r->pages;
			if (end > max_pfn)
				max_pfn = end;
		}
		if (r->type == BOOT_MEM_USABLE && r->base >= FRAME_LOW_LIMIT && (!largest || r->pages > largest->pages))
			largest = r;
	}
	u64 words = (max_pfn + 63) / 64;
	u64 bitmap_pages = (words * 8 + PAGE_SIZE - 1) / PAGE_SIZE;
	if (!largest || largest->pages <= bitmap_pages) {
		pr_err("mem", "no usable memory region can hold the frame bitmap (%llu pages)", bitmap_pages);
		return -1;
	}
	u64 bitmap_phys = largest->base;
	bitmap_base = bitmap_phys;
	bitmap_npages = bitmap_pages;
	bitmap = to_ptr(bitmap_phys);
	memset(bitmap, 0xff, words * 8);
	for (u32 i = 0; i < n; i++)
		if (mem[i].type == BOOT_MEM_USABLE)
			add_free(mem[i].base / PAGE_SIZE, mem[i].base / PAGE_SIZE + mem[i].pages);
	/* the bitmap's own frames */
	for (u64 pfn = bitmap_phys / PAGE_SIZE; pfn < bitmap_phys / PAGE_SIZE + bitmap_pages; pfn++) {
		set_bit(pfn);
		free_frames--;
	}
	return 0;
}

void frame_alloc_add_type(const struct boot_mem_region *mem, u32 n, u32 type)
{
	spin_lock(&lock);
	for (u32 i = 0; i < n; i++)
		if (mem[i].type == type)
			add_free(mem[i].base / PAGE_SIZE, mem[i].base / PAGE_SIZE + mem[i].pages);
	spin_unlock(&lock);
}

u64 frame_alloc(void) { return frame_alloc_contig(1, 1, 0); }

u64 frame_alloc_contig(u64 pages, u64 align_pages, u64 max_phys)
{
	if (!pages || !align_pages || !bitmap)
		return 0;
	u64 limit = max_pfn;
	if (max_phys && max_phys / PAGE_SIZE < limit)
		limit = max_phys / PAGE_SIZE;
	spin_lock(&lock);
	u64 result = 0;
	for (int pass = 0; pass < 2 && !result; pass++) {
		u64 start = pass == 0 ? next_hint : 0;
		u64 stop = pass == 0 ? limit : MIN(next_hint + pages, limit);
		u64 pfn = ALIGN_UP(MAX(start, FRAME_LOW_LIMIT / PAGE_SIZE), align_pages);
		while (pfn + pages <= stop) {
			u64 k = 0;
			while (k < pages && !test_bit(pfn + k))
				k++;
			if (k == pages) {
				for (u64 j = 0; j < pages; j++)
					set_bit(pfn + j);
				free_frames -= pages;
				next_hint = pfn + pages;
				result = pfn * PAGE_SIZE;
				break;
			}
			pfn = ALIGN_UP(pfn + k + 1, align_pages);
		}
	}
	spin_unlock(&lock);
	return result;
}

int frame_free_contig(u64 phys, u64 pages)
{
	u64 pfn = phys / PAGE_SIZE;
	if (phys % PAGE_SIZE || pfn < FRAME_LOW_LIMIT / PAGE_SIZE || pfn + pages > max_pfn || pfn + pages < pfn) {
		pr_err("mem", "free of frame 0x%llx (+%llu) outside the allocator's memory", phys, pages);
		return -1;
	}
	spin_lock(&lock);
	for (u64 i = 0; i < pages; i++) {
		if (!test_bit(pfn + i)) {
			spin_unlock(&lock);
			pr_err("mem", "double free of frame 0x%llx", (pfn + i) * PAGE_SIZE);
			return -1;
		}
	}
	for (u64 i = 0; i < pages; i++) {
		if (is_reserved(pfn + i))
			continue; /* held when its range was reserved: it stays out of the allocator */
		clear_bit(pfn + i);
		free_frames++;
	}
	if (pfn < next_hint)
		next_hint = pfn;
	spin_unlock(&lock);
	return 0;
}

int frame_free(u64 phys) { return frame_free_contig(phys, 1); }

s64 frame_alloc_reserve(u64 phys, u64 size)
{
	if (!size || phys + size < phys) {
		pr_err("mem", "cannot reserve 0x%llx (+0x%llx): an empty or wrapping range", phys, size);
		return -1;
	}
	u64 first = phys / PAGE_SIZE, end = ALIGN_UP(phys + size, PAGE_SIZE) / PAGE_SIZE;
	if (end == 0) /* the range ends at the top of the address space: ALIGN_UP wrapped */
		end = ~0ULL / PAGE_SIZE + 1;
	spin_lock(&lock);
	if (nreserved == FRAME_RESERVED_MAX) {
		spin_unlock(&lock);
		pr_err("mem", "cannot reserve 0x%llx-0x%llx: already %u reserved ranges", phys, phys + size - 1,
		       FRAME_RESERVED_MAX);
		return -1;
	}
	reserved[nreserved].first = first;
	reserved[nreserved].end = end;
	nreserved++;
	s64 taken = 0;
	for (u64 pfn = first; bitmap && pfn < end && pfn < max_pfn; pfn++)
		if (!test_bit(pfn)) {
			set_bit(pfn);
			taken++;
		}
	free_frames -= (u64)taken; /* they count as used from now on */
	spin_unlock(&lock);
	return taken;
}

u64 frame_free_count(void) { return free_frames; }
u64 frame_used_count(void) { return managed - free_frames; }
u64 frame_ram_bytes(void) { return ram_bytes; }
u64 frame_alloc_max_phys(void) { return max_pfn * PAGE_SIZE; }

void frame_alloc_bitmap(u64 *phys, u64 *pages)
{
	*phys = bitmap_base;
	*pages = bitmap ? bitmap_npages : 0;
}

bool frame_is_allocated(u64 phys)
{
	u64 pfn = phys / PAGE_SIZE;
	return bitmap && pfn < max_pfn && test_bit(pfn);
}
