/* boot/boot.h: shared declarations of the UEFI boot stage (the only UEFI-aware code in Moat). */
#ifndef MOAT_BOOT_H
#define MOAT_BOOT_H

#include <efi.h>
#include <efilib.h>
#include "../kernel/boot_info.h"

/* Pages of LoaderData memory: everything boot/ allocates is Moat's after exit. */
EFI_STATUS boot_alloc_pages(UINTN pages, EFI_PHYSICAL_ADDRESS max, EFI_PHYSICAL_ADDRESS *out);

/* Opens \moat\NAME (ASCII) on the volume moat.efi was loaded from, with EFI_FILE_MODE_* mode. */
EFI_STATUS boot_open_file(EFI_HANDLE image, const char *name, UINT64 mode, EFI_FILE_HANDLE *fh);

/* Reads \moat\NAME (ASCII) from the volume moat.efi was loaded from; out is NUL-terminated. */
EFI_STATUS boot_read_file(EFI_HANDLE image, const char *name, u64 *addr, u64 *size);
/* The same from folder dir (e.g. L"\\linux\\"), into pages below max (0: anywhere); *size is 0 and
 * the error returned when the file cannot be read (EFI_NOT_FOUND when absent). */
EFI_STATUS boot_read_file_in(EFI_HANDLE image, const CHAR16 *dir, const char *name, EFI_PHYSICAL_ADDRESS max,
			     u64 *addr, u64 *size);

/* QEMU's fw_cfg file "opt/moat/moat.cfg", when running under QEMU's OVMF; 0 if found. */
int boot_fw_cfg_read(const char *name, u64 *addr, u64 *size);

/* The config built into moat.efi (boot/default.cfg), for netboot or volumes without one. */
extern const char boot_embedded_cfg[];
extern const char boot_embedded_cfg_end[];

/* Sends log text to the firmware console until boot services are gone. */
void boot_console_attach(void);

/* Gets the final memory map, exits boot services (retrying if the map changed) and fills bi->mem. */
EFI_STATUS boot_exit_services(EFI_HANDLE image, struct boot_info *bi);

/* boot/handoff.asm: switches to the kernel stack and calls kernel_main(bi); never returns. */
void boot_handoff(struct boot_info *bi, u64 stack_top, void (*entry)(struct boot_info *)) __attribute__((noreturn));

#endif
