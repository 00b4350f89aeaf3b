/* vmm/vplat_io.c: the ports of a Linux VM's platform besides the UART (exit_io.c asks here first):
 * - the ACPI sleep control register (VACPI_SLEEP_CONTROL_PORT): SLP_EN with \_S5's SLP_TYP stops
 *   the VM with "power-off"; other sleep states are not offered and are ignored;
 * - the sleep status register: reads 0 (never woken), writes ignored;
 * - reset: the FADT reset register (port 0xCF9, reset bit), and the keyboard controller's pulse-reset
 *   command (0xFE to port 0x64), the two ways Linux reboots a PC: the VM stops with
 *   "reboot" and vplat_exit.c creates it again. Reads of 0xCF9 give 0; port 0x64 stays an empty
 *   port for reads (0xFF), like every port not listed here. */
#include "vplat.h"
#include "vacpi.h"

#define PORT_KBC_COMMAND 0x64
#define KBC_PULSE_RESET 0xfe
#define CF9_RESET_CPU BIT(2)

static enum exit_action reboot(struct vm *vm)
{
	vm->plat->restart = true;
	return exit_stop(vm, "reboot");
}

bool vplat_io(struct vm *vm, u32 port, bool in, u8 *v, enum exit_action *a)
{
	*a = EXIT_ACTION_RESUME;
	switch (port) {
	case VACPI_SLEEP_CONTROL_PORT:
		if (in)
			*v = 0;
		else if ((*v & VACPI_SLP_EN) && ((*v >> VACPI_SLP_TYP_SHIFT) & VACPI_SLP_TYP_MASK) == VACPI_S5_TYP)
			*a = exit_stop(vm, "power-off");
		return true;
	case VACPI_SLEEP_STATUS_PORT:
		if (in)
			*v = 0;
		return true;
	case VACPI_RESET_PORT:
		if (in)
			*v = 0;
		else if (*v & CF9_RESET_CPU)
			*a = reboot(vm);
		return true;
	case PORT_KBC_COMMAND:
		if (in)
			return false; /* nothing there */
		if (*v == KBC_PULSE_RESET)
			*a = reboot(vm);
		return true;
	default:
		return false;
	}
}
