/* kernel/boot_info.h: the one structure boot/ hands to the kernel after ExitBootServices.
 * Everything the kernel knows about the firmware world arrives through this header. */
#ifndef MOAT_BOOT_INFO_H
#define MOAT_BOOT_INFO_H

#include "types.h"

#define BOOT_INFO_MAGIC 0x544f4f4254414f4dULL /* "MOATBOOT" */
#define BOOT_INFO_VERSION 1

#define BOOT_MAX_MEM 512
#define BOOT_MAX_FILES 16
#define BOOT_NAME_MAX 64

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,       /* free RAM, never touched by the firmware after exit */
	BOOT_MEM_BOOT_SERVICES = 2, /* RAM the firmware used until exit: free once Moat runs on its own tables */
	BOOT_MEM_MOAT = 3,         /* RAM holding Moat: its image, stacks, boot info, loaded files */
	BOOT_MEM_RESERVED = 4,     /* firmware runtime, unusable, or unknown: never touched */
	BOOT_MEM_ACPI = 5,         /* ACPI reclaimable tables: kept, they are read later */
	BOOT_MEM_ACPI_NVS = 6,     /* ACPI NVS: never touched */
	BOOT_MEM_MMIO = 7,         /* memory-mapped I/O reported by the firmware */
};

struct boot_mem_region {
	u64 base;  /* physical, page aligned */
	u64 pages; /* 4 KiB pages */
	u32 type;  /* enum boot_mem_type */
	u32 efi_type;
};

struct boot_file {
	char name[BOOT_NAME_MAX]; /* as named in the config, e.g. "hello.elf" */
	u64 addr;                 /* physical address of the contents (BOOT_MEM_MOAT memory) */
	u64 size;                 /* bytes */
};

struct boot_info {
	u64 magic;
	u32 version;
	u32 nmem;
	u64 rsdp;            /* physical address of the ACPI RSDP, 0 if the firmware has none */
	u64 image_base;      /* moat.efi as loaded */
	u64 image_size;
	u64 stack_top;       /* the BSP stack boot/ switched to before kernel_main */
	u64 stack_size;
	u64 low_page;        /* a 4 KiB page below 1 MiB for the AP start trampoline, 0 if none */
	u64 cfg_addr;        /* moat.cfg contents, NUL-terminated, cfg_size excludes the NUL */
	u64 cfg_size;
	char cfg_source[BOOT_NAME_MAX]; /* where the config came from: "esp" or "embedded" */
	u32 nfiles;
	u32 reserved;
	struct boot_file files[BOOT_MAX_FILES];
	struct boot_mem_region mem[BOOT_MAX_MEM];
};

/* The kernel's entry, called on Moat's own stack with interrupts off, boot services gone. */
void kernel_main(struct boot_info *bi) __attribute__((noreturn));

#endif
