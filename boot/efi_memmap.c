/* boot/efi_memmap.c: the last firmware call: final memory map, ExitBootServices, and the map
 * translated into Moat's own region types for the kernel's frame allocator. */
#include "boot.h"

#define MAP_SLACK_DESCS 32
#define EXIT_RETRIES 8

static u32 boot_mem_type_of(UINT32 efi)
{
	switch (efi) {
	case EfiConventionalMemory:
		return BOOT_MEM_USABLE;
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_BOOT_SERVICES;
	case EfiLoaderCode:
	case EfiLoaderData:
		return BOOT_MEM_MOAT;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiMemoryMappedIO:
	case EfiMemoryMappedIOPortSpace:
		return BOOT_MEM_MMIO;
	default:
		return BOOT_MEM_RESERVED;
	}
}

/* Runs with boot services gone: pure translation, adjacent regions of one type merged. */
static void translate_map(const u8 *map, UINTN map_size, UINTN desc_size, struct boot_info *bi)
{
	bi->nmem = 0;
	for (UINTN off = 0; off + desc_size <= map_size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		u32 type = boot_mem_type_of(d->Type);
		if (bi->nmem) {
			struct boot_mem_region *last = &bi->mem[bi->nmem - 1];
			if (last->type == type && last->efi_type == d->Type &&
			    last->base + last->pages * PAGE_SIZE == d->PhysicalStart) {
				last->pages += d->NumberOfPages;
				continue;
			}
		}
		if (bi->nmem == BOOT_MAX_MEM)
			break; /* the kernel treats what is not listed as reserved */
		struct boot_mem_region *r = &bi->mem[bi->nmem++];
		r->base = d->PhysicalStart;
		r->pages = d->NumberOfPages;
		r->type = type;
		r->efi_type = d->Type;
	}
}

EFI_STATUS boot_exit_services(EFI_HANDLE image, struct boot_info *bi)
{
	UINTN map_size = 0, key, desc_size;
	UINT32 desc_ver;
	EFI_STATUS st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &desc_size, &desc_ver);
	if (st != EFI_BUFFER_TOO_SMALL)
		return st;
	UINTN buf_size = map_size + MAP_SLACK_DESCS * desc_size;
	EFI_PHYSICAL_ADDRESS buf;
	st = boot_alloc_pages(EFI_SIZE_TO_PAGES(buf_size), 0, &buf);
	if (EFI_ERROR(st))
		return st;
	buf_size = EFI_SIZE_TO_PAGES(buf_size) * EFI_PAGE_SIZE;

	for (int tries = 0; tries < EXIT_RETRIES; tries++) {
		map_size = buf_size;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (EFI_MEMORY_DESCRIPTOR *)(UINTN)buf, &key,
				       &desc_size, &desc_ver);
		if (EFI_ERROR(st))
			return st;
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (st == EFI_SUCCESS) {
			translate_map((const u8 *)(UINTN)buf, map_size, desc_size, bi);
			return EFI_SUCCESS;
		}
		if (st != EFI_INVALID_PARAMETER)
			return st;
		/* the map changed under us (a firmware timer event): fetch it again and retry */
	}
	return st;
}
