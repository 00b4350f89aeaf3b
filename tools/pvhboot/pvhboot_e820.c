/* tools/pvhboot/pvhboot_e820.c: the firmware's memory map as the E820 map a PVH kernel gets:
 * what the kernel may use after boot services is RAM, the rest keeps its ACPI/reserved type. */
#include "pvhboot.h"

#define EFI_PERSISTENT_MEMORY 14 /* UEFI 2.5's EfiPersistentMemory; this gnu-efi lacks the name */

static u32 e820_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
	case EfiConventionalMemory:
		return E820_RAM;
	case EfiACPIReclaimMemory:
		return E820_ACPI;
	case EfiACPIMemoryNVS:
		return E820_NVS;
	case EfiUnusableMemory:
		return E820_UNUSABLE;
	case EFI_PERSISTENT_MEMORY:
		return E820_PMEM;
	default: /* runtime services, reserved, MMIO, PAL code */
		return E820_RESERVED;
	}
}

int pvhboot_e820(const u8 *map, UINTN map_size, UINTN desc_size, struct hvm_memmap_table_entry *out, u32 max)
{
	u32 n = 0;
	for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		u64 start = d->PhysicalStart, size = d->NumberOfPages * PAGE_SIZE;
		u32 type = e820_type(d->Type);
		if (size == 0)
			continue;
		if (n && out[n - 1].type == type && out[n - 1].addr + out[n - 1].size == start) {
			out[n - 1].size += size;
			continue;
		}
		if (n == max)
			return -1;
		out[n++] = (struct hvm_memmap_table_entry){start, size, type, 0};
	}
	return (int)n;
}

#define COM1 0x3F8
#define COM1_LSR (COM1 + 5)
#define LSR_THRE 0x20
#define THRE_POLLS 100000

static void outb(u16 port, u8 v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

void pvhboot_serial(const char *text)
{
	for (const char *c = text; *c; c++) {
		if (*c == '\n')
			pvhboot_serial("\r");
		for (int i = 0; i < THRE_POLLS && !(inb(COM1_LSR) & LSR_THRE); i++)
			;
		outb(COM1, (u8)*c);
	}
}
