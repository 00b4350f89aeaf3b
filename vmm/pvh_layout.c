/* vmm/pvh_layout.c: where a PVH guest's boot data goes in its RAM (the map is in pvh.h), and
 * the memory map it is given (with reserved ranges added above RAM: pvh_layout_reserve); refuses
 * what does not fit, naming the sizes. */
#include "pvh.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"

static void add_range(struct pvh_layout *l, u64 start, u64 end, u32 type)
{
	if (end > start)
		l->memmap[l->nmemmap++] = (struct hvm_memmap_table_entry){start, end - start, type, 0};
}

static int check_memory(const struct pvh_layout_req *r, char *why, size_t n)
{
	if (r->mem_size % PAGE_SIZE || r->reserved_top % PAGE_SIZE) {
		snprintf(why, n, "memory (0x%llx) and the reserved top (0x%llx) must be multiples of 4 KiB",
			 r->mem_size, r->reserved_top);
		return -1;
	}
	if (r->mem_size > PVH_MEM_MAX) {
		snprintf(
		    why, n,
		    "memory %llu MiB is more than a PVH guest can have (%llu MiB, below the MMIO window)",
		    r->mem_size >> 20, PVH_MEM_MAX >> 20);
		return -1;
	}
	if (r->reserved_top >= r->mem_size || r->mem_size - r->reserved_top <= PVH_HIGH_RAM_START) {
		snprintf(why, n, "memory %llu KiB leaves no RAM above 1 MiB (%llu KiB kept by Moat)",
			 r->mem_size >> 10, r->reserved_top >> 10);
		return -1;
	}
	return 0;
}

int pvh_layout_plan(const struct pvh_layout_req *r, struct pvh_layout *l, char *why, size_t n)
{
	memset(l, 0, sizeof(*l));
	if (check_memory(r, why, n))
		return -1;
	u64 top = r->mem_size - r->reserved_top;
	if (r->kernel_lowest < PVH_KERNEL_MIN_GPA || r->kernel_highest < r->kernel_lowest) {
		snprintf(why, n,
			 "the kernel loads at 0x%llx, below 1 MiB, where Moat puts the boot information",
			 r->kernel_lowest);
		return -1;
	}
	if (r->kernel_highest > top) {
		snprintf(why, n,
			 "the kernel needs memory up to 0x%llx (%llu MiB) but the VM has %llu MiB of RAM",
			 r->kernel_highest, (r->kernel_highest + MiB(1) - 1) >> 20, top >> 20);
		return -1;
	}
	if (r->cmdline_len >= PVH_CMDLINE_MAX) {
		snprintf(why, n, "command line of %llu characters is too long (at most %d)", r->cmdline_len,
			 PVH_CMDLINE_MAX - 1);
		return -1;
	}
	if (r->initrd_size) {
		u64 kernel_end = ALIGN_UP(r->kernel_highest, PAGE_SIZE);
		u64 free = top - kernel_end;
		if (r->initrd_size > free) {
			snprintf(why, n,
				 "initrd of %llu bytes does not fit: %llu bytes free between the kernel's "
				 "end (0x%llx) and the top of RAM (0x%llx, memory %llu MiB)",
				 r->initrd_size, free, kernel_end, top, r->mem_size >> 20);
			return -1;
		}
		l->initrd_gpa = ALIGN_DOWN(top - r->initrd_size, PAGE_SIZE);
		l->initrd_size = r->initrd_size;
	}
	l->info_gpa = PVH_INFO_GPA;
	l->cmdline_gpa = PVH_CMDLINE_GPA;
	l->ram_top = top;
	add_range(l, 0, PVH_LOW_RAM_END, E820_RAM);
	add_range(l, PVH_LOW_RAM_END, PVH_HIGH_RAM_START, E820_RESERVED);
	add_range(l, PVH_HIGH_RAM_START, top, E820_RAM);
	add_range(l, top, r->mem_size, E820_RESERVED);
	return 0;
}

int pvh_layout_reserve(struct pvh_layout *l, u64 base, u64 end, u64 span_end, char *why, size_t n)
{
	if (end > span_end)
		end = span_end;
	if (end <= base)
		return 1;
	u32 at = 0;
	for (; at < l->nmemmap; at++) {
		const struct hvm_memmap_table_entry *e = &l->memmap[at];
		if (base < e->addr + e->size && end > e->addr) {
			snprintf(why, n, "reserved range 0x%llx-0x%llx overlaps the memory map's 0x%llx-0x%llx (type %u)",
				 base, end - 1, e->addr, e->addr + e->size - 1, e->type);
			return -1;
		}
		if (e->addr >= end)
			break;
	}
	if (l->nmemmap == PVH_LAYOUT_MEMMAP_MAX) {
		snprintf(why, n, "reserved range 0x%llx-0x%llx: the memory map is full (%d entries)", base,
			 end - 1, PVH_LAYOUT_MEMMAP_MAX);
		return -1;
	}
	for (u32 i = l->nmemmap; i > at; i--)
		l->memmap[i] = l->memmap[i - 1];
	l->memmap[at] = (struct hvm_memmap_table_entry){base, end - base, E820_RESERVED, 0};
	l->nmemmap++;
	return 0;
}
