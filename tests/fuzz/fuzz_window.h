/* tests/fuzz/fuzz_window.h: where the ACPI fuzz target places its input: a fixed window below 4 GiB, so
 * that the addresses inside an input are FUZZ_BASE + offset (the seed generator lays tables out there). */
#ifndef MOAT_FUZZ_WINDOW_H
#define MOAT_FUZZ_WINDOW_H

#define FUZZ_BASE 0x20000000ull
#define FUZZ_WINDOW (1u << 20)

/* First input byte: what the rest of the input is. */
enum fuzz_acpi_mode {
	FUZZ_ACPI_ALL = 0,  /* RSDP at FUZZ_BASE, tables anywhere in the window: acpi_parse */
	FUZZ_ACPI_MADT = 1, /* one table at FUZZ_BASE (its length forced to the input's): sub-table parser */
	FUZZ_ACPI_MCFG = 2,
	FUZZ_ACPI_FADT = 3,
	FUZZ_ACPI_TPM2 = 4,
	FUZZ_ACPI_DSDT = 5, /* the _S5_ search */
	FUZZ_ACPI_MODES = 6,
};

#endif
