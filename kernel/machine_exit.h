/* kernel/machine_exit.h: ending a run: power-off through ACPI, or, in emulator test runs, leaving
 * the emulator with a pass or fail code (QEMU isa-debug-exit, Bochs magic break / shutdown port). */
#ifndef MOAT_MACHINE_EXIT_H
#define MOAT_MACHINE_EXIT_H

#include "types.h"

/* The values QEMU turns into the host exit codes 33 (pass) and 35 (fail). */
#define QEMU_EXIT_PORT 0xf4
#define QEMU_EXIT_PASS 0x10
#define QEMU_EXIT_FAIL 0x11

/* Turned on by the config's emulator_exit = yes. */
void machine_exit_enable_emulator(bool on);
/* ACPI S5 ports and values, set once the FADT/DSDT are parsed (have_s5 false: unknown). */
void machine_exit_set_acpi(u16 pm1a_cnt, u16 pm1b_cnt, u16 slp_typ_a, u16 slp_typ_b, bool have_s5);

void machine_exit_pass(void) __noreturn;
void machine_exit_fail(void);
void machine_poweroff(void) __noreturn;

#endif
