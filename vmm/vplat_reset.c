/* vmm/vplat_reset.c: the reset vector of a Linux VM's platform. On a PC the firmware sits at the
 * reset vector F000:FFF0 (guest-physical 0xFFFF0, in the BIOS window 0xA0000-0xFFFFF that the VM's
 * memory map reports reserved, vmm/pvh.h); Moat puts a few bytes of real-mode code there, as a
 * firmware would, which ask for a reset through the FADT reset register (port 0xCF9, vplat_io.c). A
 * guest that reboots by jumping to the reset vector is then restarted like one that writes 0xCF9.
 * Linux does exactly that here: on a hardware-reduced ACPI platform, reboot_init picks BOOT_EFI
 * (efi_reboot_required() is true whenever the FADT says hardware-reduced), efi_reboot() does nothing
 * without EFI runtime services, and the next method, BOOT_BIOS (machine_real_restart), jumps to
 * F000:FFF0 in real mode; it never gets to 0xCF9 or the keyboard controller. Without this code the
 * guest ran whatever the zeroed BIOS window decoded to, and was stopped for it. */
#include "vplat_reset.h"
#include "vacpi.h"
#include "../kernel/string.h"

#define OP_MOV_DX_IMM16 0xba
#define OP_MOV_AL_IMM8 0xb0
#define OP_OUT_DX_AL 0xee
#define OP_CLI 0xfa
#define OP_HLT 0xf4
#define OP_JMP_REL8 0xeb
#define JMP_BACK_TO_HLT 0xfd /* -3: from the end of the JMP back to the HLT */

_Static_assert(VPLAT_RESET_VECTOR_GPA == ((u64)VPLAT_RESET_VECTOR_CS << 4) + VPLAT_RESET_VECTOR_IP,
	       "F000:FFF0 in real mode");
_Static_assert(VPLAT_RESET_VECTOR_GPA + VPLAT_RESET_VECTOR_SIZE <= VPLAT_BIOS_WINDOW_END,
	       "the reset vector's code lies inside the reserved BIOS window");
_Static_assert(VPLAT_RESET_VECTOR_GPA >= VACPI_GPA + VACPI_SIZE,
	       "the reset vector's code is clear of the ACPI tables");

void vplat_reset_vector_write(u8 *at)
{
	static const u8 code[] = {
	    OP_MOV_DX_IMM16,
	    (u8)VACPI_RESET_PORT,
	    (u8)(VACPI_RESET_PORT >> 8), /* mov dx, 0xcf9 */
	    OP_MOV_AL_IMM8,
	    VACPI_RESET_VALUE, /* mov al, 6 */
	    OP_OUT_DX_AL,      /* out dx, al: reset */
	    OP_CLI,
	    OP_HLT,
	    OP_JMP_REL8,
	    JMP_BACK_TO_HLT, /* cli; hlt; jmp back to the hlt: never reached */
	};
	_Static_assert(sizeof(code) <= VPLAT_RESET_VECTOR_SIZE, "the code fits before 1 MiB");
	memset(at, 0, VPLAT_RESET_VECTOR_SIZE);
	memcpy(at, code, sizeof(code));
}
