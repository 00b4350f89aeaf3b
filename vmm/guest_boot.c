/* vmm/guest_boot.c: the guest's starting state and the boot area (see guest_boot.h). Layout
 * from the top of RAM down: GDT page, PML4, PDPT, then one page directory per GiB of RAM. */
#include "guest_boot.h"
#include "hypercall_abi.h"
#include "vmcs_fields.h"
#include "../kernel/cpu.h"
#include "../kernel/paging.h"
#include "../kernel/string.h"

#define CR0_ET BIT(4)
#define GDT_CODE64 0x00af9b000000ffffULL /* present, ring 0, execute/read, L, 4 GiB */
#define GDT_CODE32 0x00cf9b000000ffffULL /* present, ring 0, execute/read, D, 4 GiB */
#define GDT_DATA 0x00cf93000000ffffULL   /* present, ring 0, read/write, B, 4 GiB */
#define GDT_BYTES (3 * 8)
#define PD_SPAN GiB(1)
#define LARGE_PAGE MiB(2)
#define REAL_MODE_LIMIT 0xffff
#define REAL_MODE_SP 0xfff0
#define REAL_MODE_IVT_LIMIT 0x3ff
#define FLAT_LIMIT 0xffffffffU

enum vm_mode guest_boot_default_mode(enum image_kind k)
{
	return k == IMAGE_ELF64 ? VM_MODE_LONG64 : k == IMAGE_ELF32 ? VM_MODE_PROT32 : VM_MODE_REAL16;
}

static u64 pd_count(u64 ram) { return ALIGN_UP(ram, PD_SPAN) / PD_SPAN; }

u64 guest_boot_area_size(enum vm_mode mode, u64 ram)
{
	if (mode == VM_MODE_LONG64)
		return (3 + pd_count(ram)) * PAGE_SIZE;
	if (mode == VM_MODE_PROT32)
		return PAGE_SIZE;
	return 0;
}

static void build_gdt(struct vm *vm, u64 gdt_gpa, u64 code)
{
	u64 *gdt = vm_gpa_ptr(vm, gdt_gpa);
	gdt[0] = 0;
	gdt[MOAT_GUEST_CODE_SEL / 8] = code;
	gdt[MOAT_GUEST_DATA_SEL / 8] = GDT_DATA;
}

/* Identity map of RAM with 2 MiB pages; returns the PML4's guest-physical address. */
static u64 build_page_tables(struct vm *vm, u64 area)
{
	u64 pml4 = area + PAGE_SIZE * (pd_count(vm->ram_size) + 1);
	u64 pdpt = pml4 - PAGE_SIZE;
	u64 *l4 = vm_gpa_ptr(vm, pml4), *l3 = vm_gpa_ptr(vm, pdpt);
	l4[0] = pdpt | PTE_P | PTE_RW;
	for (u64 i = 0; i < pd_count(vm->ram_size); i++) {
		u64 pd = area + i * PAGE_SIZE;
		u64 *l2 = vm_gpa_ptr(vm, pd);
		l3[i] = pd | PTE_P | PTE_RW;
		for (u64 j = 0; j < PAGE_SIZE / 8; j++) {
			u64 gpa = i * PD_SPAN + j * LARGE_PAGE;
			if (gpa < vm->ram_size)
				l2[j] = gpa | PTE_P | PTE_RW | PTE_PS;
		}
	}
	return pml4;
}

void guest_boot_prepare(struct vm *vm, const struct guest_image *img, enum vm_mode mode, struct guest_entry *e)
{
	u64 area = vm->ram_size - guest_boot_area_size(mode, vm->ram_size);
	memset(e, 0, sizeof(*e));
	e->mode = mode;
	vm->boot_area = area;
	vm->mode = mode;
	e->rip = img->entry;
	e->rdi = vm->ram_size;
	e->rsi = area;
	e->rsp = area;
	e->idt_limit = REAL_MODE_IVT_LIMIT;
	e->cr0 = CR0_ET | CR0_NE;
	e->efer = 0;
	e->code_ar = AR_TYPE_CODE_RX | AR_S | AR_P;
	e->data_ar = AR_TYPE_DATA_RW | AR_S | AR_P;
	if (mode == VM_MODE_REAL16) {
		e->seg_base = img->entry & ~0xfULL;
		e->code_sel = e->data_sel = (u16)(e->seg_base >> 4);
		e->rip = img->entry - e->seg_base;
		e->rsp = REAL_MODE_SP;
		e->seg_limit = REAL_MODE_LIMIT;
		return;
	}
	u64 gdt = vm->ram_size - PAGE_SIZE;
	build_gdt(vm, gdt, mode == VM_MODE_LONG64 ? GDT_CODE64 : GDT_CODE32);
	e->gdt_base = gdt;
	e->gdt_limit = GDT_BYTES - 1;
	e->idt_limit = 0;
	e->code_sel = MOAT_GUEST_CODE_SEL;
	e->data_sel = MOAT_GUEST_DATA_SEL;
	e->seg_limit = FLAT_LIMIT;
	e->cr0 |= CR0_PE;
	e->data_ar |= AR_DB | AR_G;
	if (mode == VM_MODE_PROT32) {
		e->code_ar |= AR_DB | AR_G;
		return;
	}
	e->code_ar |= AR_L | AR_G;
	e->cr0 |= CR0_PG | CR0_WP;
	e->cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT; /* SSE usable, as the x86-64 ABI assumes */
	e->cr0 |= CR0_MP;
	e->cr3 = build_page_tables(vm, area);
	e->efer = EFER_LME | EFER_LMA;
}
