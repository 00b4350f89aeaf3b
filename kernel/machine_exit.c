/* kernel/machine_exit.c: power-off through the ACPI PM1 control registers (S5), and the exit
 * devices of the emulators that test runs use to report pass or fail to the host. */
#include "machine_exit.h"
#include "cpu.h"
#include "log.h"
#include "uart.h"

#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_EN BIT(13)
#define BOCHS_SHUTDOWN_PORT 0x8900

static bool emulator_exit;
static u16 pm1a, pm1b, typ_a, typ_b;
static bool s5_known;

void machine_exit_enable_emulator(bool on) { emulator_exit = on; }

void machine_exit_set_acpi(u16 pm1a_cnt, u16 pm1b_cnt, u16 slp_typ_a, u16 slp_typ_b, bool have_s5)
{
	pm1a = pm1a_cnt;
	pm1b = pm1b_cnt;
	typ_a = slp_typ_a;
	typ_b = slp_typ_b;
	s5_known = have_s5 && pm1a_cnt;
}

static void halt_forever(void)
{
	for (;;) {
		irq_disable();
		cpu_hlt();
	}
}

static void bochs_shutdown(void)
{
	static const char word[] = "Shutdown";
	for (const char *c = word; *c; c++)
		outb(BOCHS_SHUTDOWN_PORT, (u8)*c);
}

void machine_poweroff(void)
{
	uart_drain();
	if (s5_known) {
		outw(pm1a, (u16)((typ_a << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
		if (pm1b)
			outw(pm1b, (u16)((typ_b << PM1_SLP_TYP_SHIFT) | PM1_SLP_EN));
		for (int i = 0; i < 1000000; i++)
			cpu_relax();
	}
	if (emulator_exit)
		bochs_shutdown();
	pr_err("power", "cannot power off (no ACPI S5 information); halted, it is safe to turn the machine off");
	halt_forever();
	__builtin_unreachable();
}

void machine_exit_pass(void)
{
	if (!emulator_exit)
		machine_poweroff();
	uart_drain();
	outb(QEMU_EXIT_PORT, QEMU_EXIT_PASS);
	__asm__ volatile("xchg %%bx, %%bx" ::: "memory"); /* Bochs magic breakpoint: the run script quits */
	halt_forever();
	__builtin_unreachable();
}

void machine_exit_fail(void)
{
	if (!emulator_exit)
		return;
	uart_drain();
	outb(QEMU_EXIT_PORT, QEMU_EXIT_FAIL);
	bochs_shutdown();
}
