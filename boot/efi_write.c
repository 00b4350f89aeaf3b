/* boot/efi_write.c: writes a file into the \moat folder of the boot volume (the sealed master
 * secret). Only possible before ExitBootServices: the kernel has no file system. */
#include "boot.h"

EFI_STATUS boot_write_file(EFI_HANDLE image, const char *name, const void *data, u64 size)
{
	EFI_FILE_HANDLE fh;
	EFI_STATUS st = boot_open_file(image, name, EFI_FILE_MODE_READ | EFI_FILE_MODE_WRITE | EFI_FILE_MODE_CREATE, &fh);
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
