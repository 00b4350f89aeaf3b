/* kernel/paging.h: Moat's own 4-level page tables: all RAM and the low 4 GiB identity-mapped,
 * Moat's image W^X, data NX, MMIO uncached, page 0 and stack guard pages not present. */
#ifndef MOAT_PAGING_H
#define MOAT_PAGING_H

#include "types.h"
#include "boot_info.h"

#define PTE_P BIT(0)
#define PTE_RW BIT(1)
#define PTE_US BIT(2)
#define PTE_PWT BIT(3)
#define PTE_PCD BIT(4)
#define PTE_A BIT(5)
#define PTE_D BIT(6)
#define PTE_PS BIT(7)
#define PTE_G BIT(8)
#define PTE_NX BIT(63)
#define PTE_ADDR_MASK 0x000ffffffffff000ULL

/* Builds the tables from the memory map and switches CR3 to them (EFER.NXE and CR0.WP set).
 * Page table frames come from the frame allocator, the top level below 4 GiB (for AP start). */
int paging_init(const struct boot_info *bi);
/* The CR3 value every CPU loads. */
u64 paging_root(void);
/* Changes the flags of one 4 KiB page (splitting a 2 MiB mapping if needed) and flushes it
 * on this CPU. 0, or -1 if the page is not mapped or a table cannot be allocated. */
int paging_set_page(u64 virt, u64 flags);
/* Maps [phys, phys+size) uncached and NX (for MMIO above 4 GiB). */
int paging_map_mmio(u64 phys, u64 size);
/* Calls fn for every page-table frame (the root too). */
void paging_for_each_table(void (*fn)(u64 phys));
/* The effective leaf entry for virt (0 if not present), and its size in *page_size. */
u64 paging_lookup(u64 virt, u64 *page_size);

#endif
