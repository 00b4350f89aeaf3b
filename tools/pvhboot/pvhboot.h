/* tools/pvhboot/pvhboot.h: the bare PVH loader (a GNU-EFI app, not part of Moat): boots a Linux
 * vmlinux at its PVH entry without a hypervisor, the baseline of the Linux boot benchmark. */
#ifndef PVHBOOT_H
#define PVHBOOT_H

#include <efi.h>
#include <efilib.h>
#include "../../vmm/pvh.h"

/* Linux takes at most this many memory-map entries from hvm_start_info (E820_MAX_ENTRIES_ZEROPAGE). */
#define PVHBOOT_E820_MAX 128

/* Converts the UEFI memory map (map_size bytes of desc_size-byte descriptors) into an E820-style
 * map, sorted as given (UEFI's is sorted) with adjacent entries of one type merged. Returns the
 * number of entries, or -1 if more than max. */
int pvhboot_e820(const u8 *map, UINTN map_size, UINTN desc_size, struct hvm_memmap_table_entry *out, u32 max);

/* Writes text to COM1 by polling (for use after ExitBootServices). */
void pvhboot_serial(const char *text);

/* One kernel segment for pvhboot_jump.asm to place: filesz bytes from src to dst, then zeros up
 * to memsz. A table of them ends with an entry whose memsz is 0. */
struct pvhboot_copy {
	u32 dst, src, filesz, memsz;
};

/* tools/pvhboot/pvhboot_jump.asm: position-independent code between pvhboot_jump_start and
 * pvhboot_jump_end, copied below 1 MiB and called there: leaves long mode for 32-bit protected
 * mode with paging off (own flat GDT, TSS at base 0 limit 0x67), copies the segments in table,
 * prints "pvhboot: tsc 0x<hex>" on COM1 and jumps to entry with EBX = start_info. Never returns. */
extern const u8 pvhboot_jump_start[], pvhboot_jump_end[];
typedef void (*pvhboot_jump_fn)(u64 entry, u64 start_info, const struct pvhboot_copy *table)
    __attribute__((noreturn));

#endif
