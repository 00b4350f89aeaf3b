/* vmm/guest_boot.h: how a guest starts: the mode its image asks for (real, protected or long
 * mode), the area Moat builds at the top of its RAM (a GDT, and for long mode identity-mapping
 * page tables with 2 MiB pages), and its first register state. */
#ifndef MOAT_GUEST_BOOT_H
#define MOAT_GUEST_BOOT_H

#include "vm.h"
#include "guest_image.h"

struct guest_entry {
	enum vm_mode mode;
	u64 rip, rsp, rdi, rsi;
	u64 cr0, cr3, cr4, efer;
	u64 gdt_base, gdt_limit, idt_base, idt_limit;
	u16 code_sel, data_sel;
	u64 seg_base;   /* real mode: the base of every segment */
	u32 code_ar, data_ar;
	u32 seg_limit;
};

/* The mode an image starts in: ELF64 long, ELF32 protected, flat real. */
enum vm_mode guest_boot_default_mode(enum image_kind k);
/* Bytes Moat reserves at the top of ram bytes of RAM for mode. */
u64 guest_boot_area_size(enum vm_mode mode, u64 ram);
/* Builds the boot area in the VM's (zeroed) RAM and fills *e. The image is already loaded. */
void guest_boot_prepare(struct vm *vm, const struct guest_image *img, enum vm_mode mode, struct guest_entry *e);

#endif
