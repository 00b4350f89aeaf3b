/* tests/fuzz/fuzz_acpi.c: libFuzzer target for acpi_parse and the sub-table parsers. The input (after a
 * mode byte, see fuzz_window.h) is copied to FUZZ_BASE; the phys check hook admits only those bytes and
 * the rest of the window is ASan-poisoned, so any read outside the input is reported. Checksums are
 * enforced by acpi_parse, so modes 1-5 feed the sub-table parsers directly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>
#include "kernel/acpi_internal.h"
#include "fuzz_window.h"

static u8 *window;
static size_t cur_len, max_len_seen;
static struct acpi_info ai;

static bool fuzz_phys_ok(u64 phys, u64 len)
{
	return phys >= FUZZ_BASE && len <= cur_len && phys - FUZZ_BASE <= cur_len - len;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	window = mmap((void *)(uintptr_t)FUZZ_BASE, FUZZ_WINDOW, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	if (window != (void *)(uintptr_t)FUZZ_BASE) {
		perror("fuzz_acpi: cannot map the window at FUZZ_BASE");
		abort();
	}
	ASAN_POISON_MEMORY_REGION(window, FUZZ_WINDOW);
	acpi_set_phys_check(fuzz_phys_ok);
	return 0;
}

static void check_result(void)
{
	if (ai.ntables > ACPI_MAX_TABLES || ai.ncpus > ACPI_MAX_CPUS || ai.nioapics > ACPI_MAX_IOAPICS ||
	    ai.nisos > ACPI_MAX_ISOS || ai.nmcfg > ACPI_MAX_MCFG)
		abort();
	for (u32 i = 0; i < ai.ntables; i++)
		if (!fuzz_phys_ok(ai.tables[i].phys, ai.tables[i].len))
			abort(); /* a recorded table must lie in what the hook admitted */
	if (ai.have_s5 && (ai.slp_typ_a > ACPI_SLP_TYP_MAX || ai.slp_typ_b > ACPI_SLP_TYP_MAX))
		abort();
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct acpi_sdt_header *h = (struct acpi_sdt_header *)window;
	u8 mode;

	if (size < 1 || size - 1 > FUZZ_WINDOW)
		return 0;
	mode = data[0] % FUZZ_ACPI_MODES;
	cur_len = size - 1;
	ASAN_UNPOISON_MEMORY_REGION(window, cur_len);
	memcpy(window, data + 1, cur_len);
	if (cur_len > max_len_seen)
		max_len_seen = cur_len;
	ASAN_POISON_MEMORY_REGION(window + cur_len, max_len_seen - cur_len);

	memset(&ai, 0, sizeof(ai));
	if (mode == FUZZ_ACPI_ALL) {
		acpi_parse(FUZZ_BASE, &ai);
		acpi_log_summary(&ai);
		for (u32 i = 0; i < ai.ntables; i++)
			if (!acpi_find_table(&ai, ai.tables[i].sig, 0))
				abort();
		check_result();
		return 0;
	}
	if (cur_len < ACPI_HDR_LEN)
		return 0;
	h->length = (u32)cur_len; /* the sub-parsers get tables whose length acpi_parse validated */
	switch (mode) {
	case FUZZ_ACPI_MADT:
		acpi_madt_parse(h, &ai);
		break;
	case FUZZ_ACPI_MCFG:
		acpi_mcfg_parse(h, &ai);
		break;
	case FUZZ_ACPI_FADT:
		acpi_fadt_parse(h, &ai);
		break;
	case FUZZ_ACPI_TPM2:
		acpi_tpm2_parse(h, &ai);
		break;
	case FUZZ_ACPI_DSDT:
		acpi_s5_find(h, &ai);
		break;
	}
	check_result();
	return 0;
}
