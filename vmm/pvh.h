/* vmm/pvh.h: booting an unmodified Linux kernel (the ELF vmlinux) through the PVH boot ABI:
 * the entry point from its XEN_ELFNOTE_PHYS32_ENTRY note, the hvm_start_info structure (memory
 * map, command line, initrd module), the guest-physical layout Moat gives a PVH guest, and the
 * register state at entry. All pure: host unit tests and the bare loader (tools/pvhboot) use the
 * same code as Moat.
 *
 * Guest-physical layout of a PVH VM (RAM is one block at GPA 0, as vm.h maps it):
 *   0x0000_0000  RAM (reported as RAM up to PVH_LOW_RAM_END)
 *   0x0000_6000  PVH_INFO_GPA: one page: hvm_start_info at +0, the module list (the initrd) at
 *                +PVH_MODLIST_OFF, the memory map at +PVH_MEMMAP_OFF
 *   0x0000_7000  PVH_CMDLINE_GPA: the command line, NUL-terminated, < PVH_CMDLINE_MAX bytes
 *   0x000A_0000  legacy VGA/ROM window: backed by RAM but reported reserved (E820 type 2)
 *   0x0010_0000  RAM: the kernel's PT_LOAD segments at their p_paddr (Debian: 16 MiB up to
 *                about 74 MiB, bss included), then free RAM
 *   initrd       page-aligned, as high as possible: it ends at or below ram_top
 *   ram_top      = memory - reserved_top: what Moat keeps at the top of RAM for itself (if
 *                anything) is reported reserved, up to memory
 *   above memory each RMRR range the VM's DMA domain identity-maps (rmrr = accept) is reported
 *                reserved (pvh_layout_reserve), so the guest puts nothing there
 * Linux reserves all of the first MiB itself and copies start_info, the memory map and the
 * command line before it allocates anything, so none of that needs a reserved entry.
 *
 * Register state at entry (struct pvh_cpu_state): 32-bit protected mode, paging off: CR0 = PE
 * (| ET), CR4 = 0, EFER = 0; CS a flat 32-bit execute/read segment, DS/ES/SS/FS/GS flat 32-bit
 * read/write data, base 0, limit 4 GiB; TR a 32-bit busy TSS with base 0 and limit 0x67;
 * EFLAGS = 0x2 (IF, TF and VM clear); EBX = start_info's GPA; EIP = the note's entry. GDTR and
 * IDTR are unspecified by the ABI (Linux loads its own GDT first and runs with interrupts
 * off): Moat gives base 0, limit 0. Other general registers: 0. */
#ifndef MOAT_PVH_H
#define MOAT_PVH_H

#include "../kernel/types.h"
#include "guest_image.h"

/* ---- the ABI (Xen's public arch-x86/hvm/start_info.h, as Linux implements it) ---- */
#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define PVH_NOTE_NAME "Xen"
#define HVM_START_MAGIC 0x336ec578u
#define HVM_START_VERSION 1 /* version 1 adds the memory map */

struct hvm_start_info {
	u32 magic;
	u32 version;
	u32 flags;
	u32 nr_modules;
	u64 modlist_paddr;
	u64 cmdline_paddr;
	u64 rsdp_paddr;
	u64 memmap_paddr; /* version 1 */
	u32 memmap_entries;
	u32 reserved;
} __packed;

struct hvm_modlist_entry {
	u64 paddr;
	u64 size;
	u64 cmdline_paddr;
	u64 reserved;
} __packed;

struct hvm_memmap_table_entry {
	u64 addr;
	u64 size;
	u32 type; /* E820_* */
	u32 reserved;
} __packed;

#define E820_RAM 1
#define E820_RESERVED 2
#define E820_ACPI 3
#define E820_NVS 4
#define E820_UNUSABLE 5
#define E820_PMEM 7

/* ---- Moat's layout for PVH guests ---- */
#define PVH_INFO_GPA 0x6000ULL
#define PVH_MODLIST_OFF 0x40 /* after the 56-byte hvm_start_info */
#define PVH_MEMMAP_OFF 0x80  /* after one module entry */
#define PVH_INFO_SIZE PAGE_SIZE
#define PVH_MEMMAP_MAX ((PVH_INFO_SIZE - PVH_MEMMAP_OFF) / sizeof(struct hvm_memmap_table_entry))
#define PVH_CMDLINE_GPA 0x7000ULL
#define PVH_CMDLINE_MAX 2048 /* x86 Linux's COMMAND_LINE_SIZE, the NUL included */
#define PVH_LOW_RAM_END 0xA0000ULL
#define PVH_HIGH_RAM_START MiB(1)
#define PVH_KERNEL_MIN_GPA MiB(1)
/* Guest RAM ends below the 32-bit MMIO window (local APIC at 0xFEE00000, I/O APIC at
 * 0xFEC00000 ...): a PVH VM has at most this much memory. */
#define PVH_MEM_MAX GiB(3)
#define PVH_LAYOUT_BASE_ENTRIES 4   /* low RAM, the legacy window, RAM, Moat's top */
#define PVH_LAYOUT_RESERVED_MAX 16  /* reserved ranges above RAM (RMRRs): >= DOMAIN_RMRR_MAX */
#define PVH_LAYOUT_MEMMAP_MAX (PVH_LAYOUT_BASE_ENTRIES + PVH_LAYOUT_RESERVED_MAX)

/* ---- the kernel image ---- */
struct pvh_kernel {
	u32 entry;		  /* from XEN_ELFNOTE_PHYS32_ENTRY: a 32-bit physical address */
	struct guest_image image; /* PT_LOAD segments at their p_paddr; lowest/highest extent */
};

/* Finds XEN_ELFNOTE_PHYS32_ENTRY in the PT_NOTE segments of an ELF64 x86-64 file. 0, or -1 with
 * why: a bzImage, not ELF64 x86-64, truncated (headers, a note, or any segment past the end of
 * the file), no such note, an entry above 4 GiB. */
int pvh_find_entry(const u8 *data, u64 size, u32 *entry, char *why, size_t why_size);

/* Parses a vmlinux for PVH boot: the entry note and the loadable segments (bounds, overlap), and
 * checks that the entry lies in a segment. 0, or -1 with why. */
int pvh_kernel_parse(const u8 *data, u64 size, struct pvh_kernel *out, char *why, size_t why_size);

/* ---- the layout of one VM ---- */
struct pvh_layout_req {
	u64 mem_size;	   /* the VM's RAM, bytes, from GPA 0 */
	u64 reserved_top;  /* bytes at the top of RAM Moat keeps (reported reserved); 0 if none */
	u64 kernel_lowest; /* the kernel's PT_LOAD extent [lowest, highest) */
	u64 kernel_highest;
	u64 initrd_size; /* 0: no initrd */
	u64 cmdline_len; /* strlen of the command line */
};

struct pvh_layout {
	u64 info_gpa; /* hvm_start_info (EBX at entry) */
	u64 cmdline_gpa;
	u64 initrd_gpa; /* 0 when initrd_size is 0 */
	u64 initrd_size;
	u64 ram_top;
	u32 nmemmap;
	struct hvm_memmap_table_entry memmap[PVH_LAYOUT_MEMMAP_MAX];
};

/* Places everything (see the top of this file) or refuses: memory not page-aligned, over
 * PVH_MEM_MAX, the kernel below 1 MiB or beyond RAM, a command line too long, an initrd that
 * does not fit (the message names the sizes). 0, or -1 with why. */
int pvh_layout_plan(const struct pvh_layout_req *req, struct pvh_layout *out, char *why, size_t why_size);

/* Reports [base, end) reserved (E820 type 2) in a planned layout's memory map, in address order,
 * clipped to the guest-physical span [0, span_end). 1 when nothing of it lies in the span (nothing
 * added), 0 when added, -1 with why when it overlaps an entry already there (its RAM) or the map is
 * full. */
int pvh_layout_reserve(struct pvh_layout *l, u64 base, u64 end, u64 span_end, char *why, size_t why_size);

/* ---- hvm_start_info ---- */
struct pvh_boot_params {
	u64 info_gpa;	 /* where the info page goes (start_info at +0) */
	u64 cmdline_gpa; /* 0: no command line */
	u64 initrd_gpa;
	u64 initrd_size; /* 0: no module */
	u64 rsdp_gpa;	 /* 0: none (the kernel then scans the BIOS areas) */
	const struct hvm_memmap_table_entry *memmap;
	u32 nmemmap;
};

/* The parameters for a VM laid out by pvh_layout_plan. */
void pvh_boot_params_from_layout(const struct pvh_layout *l, u64 rsdp_gpa, struct pvh_boot_params *out);

/* Writes start_info, the module list and the memory map into page (the PVH_INFO_SIZE bytes that
 * will be at p->info_gpa). -1 with why if the memory map does not fit or is empty. */
int pvh_start_info_write(const struct pvh_boot_params *p, u8 *page, char *why, size_t why_size);

/* Copies cmdline (NUL included) into dst (PVH_CMDLINE_MAX bytes). -1 with why if too long. */
int pvh_cmdline_write(const char *cmdline, char *dst, char *why, size_t why_size);

/* ---- register state at the PVH entry ---- */
/* Access rights are in the VMCS format (SDM Vol. 3 "Guest Register State"): type in bits 3:0,
 * S 4, DPL 6:5, P 7, AVL 12, L 13, D/B 14, G 15, unusable 16. */
#define PVH_AR_CODE32 0xC09Bu /* G, D, P, S, execute/read, accessed */
#define PVH_AR_DATA32 0xC093u /* G, B, P, S, read/write, accessed */
#define PVH_AR_TSS32_BUSY 0x008Bu
#define PVH_AR_UNUSABLE 0x10000u
#define PVH_SEL_CODE 0x08 /* selectors: unspecified by the ABI; these match tools/pvhboot's GDT */
#define PVH_SEL_DATA 0x10
#define PVH_SEL_TSS 0x18
#define PVH_FLAT_LIMIT 0xFFFFFFFFu
#define PVH_TSS_LIMIT 0x67u
#define PVH_CR0_PE BIT(0)
#define PVH_CR0_ET BIT(4)
#define PVH_RFLAGS_FIXED BIT(1)

struct pvh_segment {
	u16 selector;
	u32 base;
	u32 limit;
	u32 access; /* VMCS access-rights format */
};

struct pvh_cpu_state {
	u64 rip, rbx, rflags;
	u64 cr0, cr3, cr4, efer;
	struct pvh_segment cs, ds, es, ss, fs, gs, tr, ldtr;
	u64 gdtr_base, idtr_base;
	u32 gdtr_limit, idtr_limit;
};

/* The state the PVH ABI requires, for entry at `entry` with start_info at info_gpa. CR0 is what
 * the guest must see: VMX's fixed bits (NE) go in the VMCS with CR0 shadowed. */
void pvh_cpu_state(u32 entry, u64 info_gpa, struct pvh_cpu_state *out);

#endif
