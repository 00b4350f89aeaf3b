/* tests/fuzz/gen_seeds.c: writes the fuzz targets' seed corpora: a q35-like ACPI table set laid out at
 * FUZZ_BASE (and each of its sub-tables alone), QEMU's DMAR, and a complete moat.cfg.
 * Usage: gen_seeds DIR  (creates DIR/acpi, DIR/dmar, DIR/config) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "acpi_builder.h"
#include "fuzz_window.h"

static const char good_cfg[] =
    "# seed\n[moat]\nlog = debug ; comment\non_ready = poweroff\nemulator_exit = yes\n"
    "tests = boot_ok, dma-fault\n\n[vm net]\nmemory = 64M\ncpus = 2\nimage = net.elf\n"
    "devices = 0000:00:02.0, 00:03.0\n\n[vm store]\nmemory=1G\nimage=store.bin\n";

static void put(const char *dir, const char *name, int mode, const void *p, size_t n)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (!f) {
		perror(path);
		exit(1);
	}
	if (mode >= 0)
		fputc(mode, f);
	fwrite(p, 1, n, f);
	fclose(f);
}

static void sub(const char *dir, const char *name, int mode, const struct acpi_sdt_header *h)
{
	put(dir, name, mode, h, h->length);
}

int main(int argc, char **argv)
{
	static struct tb t;
	struct arena a;
	struct std_tables s;
	char dir[400];

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	snprintf(dir, sizeof(dir), "%s/acpi", argv[1]);
	mkdir(argv[1], 0755);
	mkdir(dir, 0755);
	arena_init(&a, FUZZ_WINDOW, FUZZ_BASE);
	build_std(&a, &s);
	put(dir, "all", FUZZ_ACPI_ALL, a.base, a.used);
	sub(dir, "madt", FUZZ_ACPI_MADT, s.madt);
	sub(dir, "mcfg", FUZZ_ACPI_MCFG, s.mcfg);
	sub(dir, "fadt", FUZZ_ACPI_FADT, s.facp);
	sub(dir, "tpm2", FUZZ_ACPI_TPM2, s.tpm2);
	sub(dir, "dsdt", FUZZ_ACPI_DSDT, s.dsdt);

	snprintf(dir, sizeof(dir), "%s/dmar", argv[1]);
	mkdir(dir, 0755);
	build_dmar_qemu(&t);
	put(dir, "qemu", -1, t.buf, t.len);

	snprintf(dir, sizeof(dir), "%s/config", argv[1]);
	mkdir(dir, 0755);
	put(dir, "good", -1, good_cfg, sizeof(good_cfg) - 1);
	return 0;
}
