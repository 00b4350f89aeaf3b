/* boot/efi_files.c: reads Moat's files from the \moat folder of the volume it was loaded from (and,
 * for tools/pvhboot, from another folder of its own volume). */
#include "boot.h"

#define BOOT_DIR L"\\moat\\"
#define BOOT_PATH_MAX 80

EFI_STATUS boot_alloc_pages(UINTN pages, EFI_PHYSICAL_ADDRESS max, EFI_PHYSICAL_ADDRESS *out)
{
	EFI_ALLOCATE_TYPE how = max ? AllocateMaxAddress : AllocateAnyPages;
	*out = max;
	return uefi_call_wrapper(BS->AllocatePages, 4, how, EfiLoaderData, pages, out);
}

/* Opens DIR NAME (ASCII) on the volume `image` was loaded from. */
static EFI_STATUS open_in(EFI_HANDLE image, const CHAR16 *dir, const char *name, UINT64 mode, EFI_FILE_HANDLE *fh)
{
	EFI_LOADED_IMAGE *li;
	EFI_STATUS st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st))
		return st;
	EFI_FILE_HANDLE root = LibOpenRoot(li->DeviceHandle);
	if (!root)
		return EFI_NOT_FOUND;

	CHAR16 path[BOOT_PATH_MAX];
	UINTN k = 0;
	for (const CHAR16 *p = dir; *p && k < BOOT_PATH_MAX - 1; p++)
		path[k++] = *p;
	for (const char *c = name; *c && k < BOOT_PATH_MAX - 1; c++)
		path[k++] = (CHAR16)(u8)*c;
	path[k] = 0;

	st = uefi_call_wrapper(root->Open, 5, root, fh, path, mode, 0ULL);
	uefi_call_wrapper(root->Close, 1, root);
	return st;
}

EFI_STATUS boot_open_file(EFI_HANDLE image, const char *name, UINT64 mode, EFI_FILE_HANDLE *fh)
{
	return open_in(image, BOOT_DIR, name, mode, fh);
}

EFI_STATUS boot_read_file_in(EFI_HANDLE image, const CHAR16 *dir, const char *name, EFI_PHYSICAL_ADDRESS max,
			     u64 *addr, u64 *size)
{
	EFI_FILE_HANDLE fh;
	*size = 0;
	EFI_STATUS st = open_in(image, dir, name, EFI_FILE_MODE_READ, &fh);
	if (EFI_ERROR(st))
		return st;
	EFI_FILE_INFO *info = LibFileInfo(fh);
	if (!info) {
		uefi_call_wrapper(fh->Close, 1, fh);
		return EFI_DEVICE_ERROR;
	}
	UINTN len = info->FileSize;
	FreePool(info);
	EFI_PHYSICAL_ADDRESS buf;
	st = boot_alloc_pages(EFI_SIZE_TO_PAGES(len + 1), max, &buf);
	if (!EFI_ERROR(st)) {
		UINTN got = len;
		st = uefi_call_wrapper(fh->Read, 3, fh, &got, (void *)(UINTN)buf);
		if (!EFI_ERROR(st) && got != len)
			st = EFI_VOLUME_CORRUPTED;
		((char *)(UINTN)buf)[len] = 0;
	}
	uefi_call_wrapper(fh->Close, 1, fh);
	if (EFI_ERROR(st))
		return st;
	*addr = buf;
	*size = len;
	return EFI_SUCCESS;
}

EFI_STATUS boot_read_file(EFI_HANDLE image, const char *name, u64 *addr, u64 *size)
{
	return boot_read_file_in(image, BOOT_DIR, name, 0, addr, size);
}
