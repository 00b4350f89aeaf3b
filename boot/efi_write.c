/* boot/efi_write.c: writes a file into the \moat folder of the boot volume (the sealed master
 * secret). Only possible before ExitBootServices: the kernel has no file system. */
#include "boot.h"

#define BOOT_DIR L"\\moat\\"
#define BOOT_PATH_MAX 80

EFI_STATUS boot_write_file(EFI_HANDLE image, const char *name, const void *data, u64 size)
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
	for (const CHAR16 *p = BOOT_DIR; *p; p++)
		path[k++] = *p;
	for (const char *c = name; *c && k < BOOT_PATH_MAX - 1; c++)
		path[k++] = (CHAR16)(u8)*c;
	path[k] = 0;

	EFI_FILE_HANDLE fh;
	st = uefi_call_wrapper(root->Open, 5, root, &fh, path,
			       EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, 0ULL);
	uefi_call_wrapper(root->Close, 1, root);
	if (EFI_ERROR(st))
		return st;
	UINTN len = size;
	st = uefi_call_wrapper(fh->Write, 3, fh, &len, (void *)data);
	if (!EFI_ERROR(st) && len != size)
		st = EFI_VOLUME_FULL;
	EFI_STATUS fst = uefi_call_wrapper(fh->Flush, 1, fh);
	uefi_call_wrapper(fh->Close, 1, fh);
	return EFI_ERROR(st) ? st : fst;
}
