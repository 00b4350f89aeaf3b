/* guests/net/paging.c: the net guest's own page tables. Moat's boot tables map only RAM; the NIC's BAR
 * (placed by this guest) and, with dma = unprotected-identity, the alias of RAM at its host address both
 * lie above it. One PML4 entry, one PDPT, four page directories: 0-4 GiB with 2 MiB pages, the top GiB
 * uncached (PCD | PWT) because the guest puts its BARs there. */
#include "net.h"

#define PTE_P 0x1ULL
#define PTE_RW 0x2ULL
#define PTE_PWT 0x8ULL
#define PTE_PCD 0x10ULL
#define PTE_PS 0x80ULL
#define ENTRIES 512
#define GIB_DIRS 4
#define LARGE (2ULL << 20)
#define UNCACHED_DIR 3

static u64 pml4[ENTRIES] __attribute__((aligned(4096)));
static u64 pdpt[ENTRIES] __attribute__((aligned(4096)));
static u64 pd[GIB_DIRS][ENTRIES] __attribute__((aligned(4096)));

void net_paging_init(void)
{
	for (u64 g = 0; g < GIB_DIRS; g++) {
		u64 flags = PTE_P | PTE_RW | PTE_PS | (g == UNCACHED_DIR ? PTE_PCD | PTE_PWT : 0);
		for (u64 i = 0; i < ENTRIES; i++)
			pd[g][i] = ((g * ENTRIES + i) * LARGE) | flags;
		pdpt[g] = (u64)(uintptr_t)pd[g] | PTE_P | PTE_RW;
	}
	pml4[0] = (u64)(uintptr_t)pdpt | PTE_P | PTE_RW;
	__asm__ volatile("mov %0, %%cr3" ::"r"((u64)(uintptr_t)pml4) : "memory");
}
