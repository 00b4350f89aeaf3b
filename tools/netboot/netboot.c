/* tools/netboot/netboot.c: the bare runner of the NIC benchmark (tools/bench/net.sh), a GNU-EFI app
 * separate from moat.efi: runs guests/net (compiled in, net_bare.c) on the firmware's identity map without
 * exiting boot services, with interrupts disabled while the guest code runs, then powers the machine off.
 * Prints "netboot: start", the guest's own lines, "net bare: ..." and "netboot: done <rc>" on COM1. */
#include <efi.h>
#include <efilib.h>
#include "net_bare.h"

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	InitializeLib(image, systab);
	uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
	Print(L"netboot: start\n");
	int rc = net_bare_run();
	Print(L"netboot: done %d\n", rc);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, rc ? EFI_ABORTED : EFI_SUCCESS, 0, NULL);
	return rc ? EFI_ABORTED : EFI_SUCCESS;
}
