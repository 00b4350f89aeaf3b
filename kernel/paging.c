/* kernel/paging.c: builds and edits Moat's page tables (identity map, 2 MiB pages where a whole
 * 2 MiB range has one attribute, 4 KiB pages where it does not). */
#include "paging.h"
#include "cpu.h"
#include "frame_alloc.h"
#include "log.h"
#include "moat_frames.h"
#include "string.h"

#define ENTRIES 512
#define LARGE_PAGE MiB(2)
#define ATTR_RAM (PTE_P | PTE_RW | PTE_NX)
#define ATTR_MMIO (PTE_P | PTE_RW | PTE_PCD | PTE_PWT | PTE_NX)
#define ATTR_TEXT (PTE_P)
#define ATTR_RODATA (PTE_P | PTE_NX)
#define ATTR_DATA (PTE_P | PTE_RW | PTE_NX)
#define ATTR_NONE 0ULL

/* Linker symbols (linker.ld): the image's sections, each 4 KiB aligned. */
extern const u8 ImageBase[], __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern const u8 __data_start[], __data_end[], __image_end[];

static u64 *root;
static const struct boot_info *boot;

static u64 *table_at(u64 entry) { return (u64 *)(uintptr_t)(entry & PTE_ADDR_MASK); }

static u64 *new_table(void)
{
	u64 f = moat_frames_alloc(1, 1, 0);
	if (!f)
		return NULL;
	memset((void *)(uintptr_t)f, 0, PAGE_SIZE);
	return (u64 *)(uintptr_t)f;
}

static bool region_is_ram(const struct boot_mem_region *r)
{
	switch (r->type) {
	case BOOT_MEM_USABLE:
	case BOOT_MEM_BOOT_SERVICES:
	case BOOT_MEM_MOAT:
	case BOOT_MEM_ACPI:
	case BOOT_MEM_ACPI_NVS:
		return true;
	case BOOT_MEM_RESERVED:
		return r->efi_type == 5 || r->efi_type == 6; /* runtime services code/data */
	default:
		return false;
	}
}

static u64 u(const u8 *sym) { return (u64)(uintptr_t)sym; }

/* The attribute of one 4 KiB page. */
static u64 page_attr(u64 pa)
{
	if (pa < PAGE_SIZE)
		return ATTR_NONE; /* NULL pointers fault */
	u64 guard = boot->stack_top - boot->stack_size - PAGE_SIZE;
	if (pa == guard)
		return ATTR_NONE;
	if (pa >= u(ImageBase) && pa < ALIGN_UP(u(ImageBase) + boot->image_size, PAGE_SIZE)) {
		if (pa >= u(__text_start) && pa < u(__text_end))
			return ATTR_TEXT;
		if (pa >= u(__data_start) && pa < u(__data_end))
			return ATTR_DATA;
		return ATTR_RODATA;
	}
	for (u32 i = 0; i < boot->nmem; i++) {
		const struct boot_mem_region *r = &boot->mem[i];
		if (pa >= r->base && pa < r->base + r->pages * PAGE_SIZE)
			return region_is_ram(r) ? ATTR_RAM : ATTR_MMIO;
	}
	return ATTR_MMIO; /* holes: PCI windows, APIC, IOMMU, TPM, flash */
}

static bool inside(u64 x, u64 lo, u64 hi) { return x > lo && x < hi; }

/* True when nothing that changes the attribute starts or ends strictly inside [base, base+2M). */
static bool chunk_uniform(u64 base)
{
	u64 end = base + LARGE_PAGE;
	if (base == 0)
		return false;
	u64 guard = boot->stack_top - boot->stack_size - PAGE_SIZE;
	if (guard >= base && guard < end)
		return false;
	u64 img_lo = u(ImageBase), img_hi = ALIGN_UP(u(ImageBase) + boot->image_size, PAGE_SIZE);
	if (img_hi > base && img_lo < end)
		return false;
	for (u32 i = 0; i < boot->nmem; i++) {
		const struct boot_mem_region *r = &boot->mem[i];
		u64 lo = r->base, hi = r->base + r->pages * PAGE_SIZE;
		if (inside(lo, base, end) || inside(hi, base, end))
			return false;
	}
	return true;
}

/* The page directory entry slot for va, creating the upper levels. */
static u64 *pde_slot(u64 va)
{
	u64 *pml4e = &root[(va >> 39) & 511];
	if (!(*pml4e & PTE_P)) {
		u64 *t = new_table();
		if (!t)
			return NULL;
		*pml4e = (u64)(uintptr_t)t | PTE_P | PTE_RW;
	}
	u64 *pdpte = &table_at(*pml4e)[(va >> 30) & 511];
	if (!(*pdpte & PTE_P)) {
		u64 *t = new_table();
		if (!t)
			return NULL;
		*pdpte = (u64)(uintptr_t)t | PTE_P | PTE_RW;
	}
	return &table_at(*pdpte)[(va >> 21) & 511];
}

static int map_chunk(u64 base, bool use_page_attr, u64 fixed_attr)
{
	u64 *pde = pde_slot(base);
	if (!pde)
		return -1;
	if (use_page_attr && chunk_uniform(base)) {
		u64 a = page_attr(base);
		*pde = a ? (base | a | PTE_PS) : 0;
		return 0;
	}
	if (!use_page_attr) {
		*pde = base | fixed_attr | PTE_PS;
		return 0;
	}
	u64 *pt = new_table();
	if (!pt)
		return -1;
	for (int i = 0; i < ENTRIES; i++) {
		u64 pa = base + (u64)i * PAGE_SIZE;
		u64 a = page_attr(pa);
		pt[i] = a ? (pa | a) : 0;
	}
	*pde = (u64)(uintptr_t)pt | PTE_P | PTE_RW;
	return 0;
}

int paging_init(const struct boot_info *bi)
{
	boot = bi;
	u64 r = frame_alloc_contig(1, 1, GiB(4));
	if (!r)
		return -1;
	root = (u64 *)(uintptr_t)r;
	memset(root, 0, PAGE_SIZE);

	u64 top = GiB(4);
	for (u32 i = 0; i < bi->nmem; i++) {
		u64 end = bi->mem[i].base + bi->mem[i].pages * PAGE_SIZE;
		if (region_is_ram(&bi->mem[i]) && end > top)
			top = end;
	}
	top = ALIGN_UP(top, LARGE_PAGE);
	for (u64 base = 0; base < top; base += LARGE_PAGE) {
		if (base >= GiB(4)) {
			/* above 4 GiB only RAM is mapped */
			bool any = false;
			for (u32 i = 0; i < bi->nmem && !any; i++) {
				const struct boot_mem_region *m = &bi->mem[i];
				any = region_is_ram(m) && m->base < base + LARGE_PAGE &&
				      m->base + m->pages * PAGE_SIZE > base;
			}
			if (!any)
				continue;
		}
		if (map_chunk(base, true, 0) != 0)
			return -1;
	}

	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
	write_cr0(read_cr0() | CR0_WP);
	write_cr3((u64)(uintptr_t)root);
	return 0;
}

u64 paging_root(void) { return (u64)(uintptr_t)root; }

static void invlpg(u64 va) { __asm__ volatile("invlpg (%0)" ::"r"(va) : "memory"); }

int paging_set_page(u64 va, u64 flags)
{
	u64 *pde = pde_slot(va);
	if (!pde || !(*pde & PTE_P))
		return -1;
	if (*pde & PTE_PS) {
		u64 base = *pde & PTE_ADDR_MASK & ~(LARGE_PAGE - 1);
		u64 attr = *pde & ~PTE_ADDR_MASK & ~PTE_PS;
		u64 *pt = new_table();
		if (!pt)
			return -1;
		for (int i = 0; i < ENTRIES; i++)
			pt[i] = (base + (u64)i * PAGE_SIZE) | attr;
		*pde = (u64)(uintptr_t)pt | PTE_P | PTE_RW;
		write_cr3(read_cr3());
	}
	u64 *pte = &table_at(*pde)[(va >> 12) & 511];
	*pte = (va & PAGE_MASK) | flags;
	invlpg(va);
	return 0;
}

int paging_map_mmio(u64 phys, u64 size)
{
	for (u64 base = ALIGN_DOWN(phys, LARGE_PAGE); base < phys + size; base += LARGE_PAGE) {
		u64 *pde = pde_slot(base);
		if (!pde)
			return -1;
		if (*pde & PTE_P)
			continue; /* already mapped (RAM or low MMIO) */
		if (map_chunk(base, false, ATTR_MMIO) != 0)
			return -1;
		invlpg(base);
	}
	return 0;
}

u64 paging_lookup(u64 va, u64 *page_size)
{
	u64 e = root[(va >> 39) & 511];
	if (!(e & PTE_P))
		return 0;
	e = table_at(e)[(va >> 30) & 511];
	if (!(e & PTE_P))
		return 0;
	if (e & PTE_PS) {
		*page_size = GiB(1);
		return e;
	}
	e = table_at(e)[(va >> 21) & 511];
	if (!(e & PTE_P))
		return 0;
	if (e & PTE_PS) {
		*page_size = LARGE_PAGE;
		return e;
	}
	e = table_at(e)[(va >> 12) & 511];
	*page_size = PAGE_SIZE;
	return (e & PTE_P) ? e : 0;
}

void paging_for_each_table(void (*fn)(u64 phys))
{
	fn((u64)(uintptr_t)root);
	for (int i = 0; i < ENTRIES; i++) {
		if (!(root[i] & PTE_P))
			continue;
		u64 *pdpt = table_at(root[i]);
		fn((u64)(uintptr_t)pdpt);
		for (int j = 0; j < ENTRIES; j++) {
			if (!(pdpt[j] & PTE_P) || (pdpt[j] & PTE_PS))
				continue;
			u64 *pd = table_at(pdpt[j]);
			fn((u64)(uintptr_t)pd);
			for (int k = 0; k < ENTRIES; k++)
				if ((pd[k] & PTE_P) && !(pd[k] & PTE_PS))
					fn(pd[k] & PTE_ADDR_MASK);
		}
	}
}
