/* kernel/acpi_internal.h: helpers shared by the acpi_*.c parsers; not for use outside them. */
#ifndef MOAT_ACPI_INTERNAL_H
#define MOAT_ACPI_INTERNAL_H

#include "acpi.h"

#define ACPI_LOG "acpi"

/* Copies a 4-byte signature into a NUL-terminated string (log formats have no precision). */
static inline void acpi_sig_str(char out[ACPI_SIG_LEN + 1], const char *sig)
{
	for (int i = 0; i < ACPI_SIG_LEN; i++)
		out[i] = sig[i];
	out[ACPI_SIG_LEN] = '\0';
}

/* The bytes at phys, or NULL if [phys, phys+len) is null, wraps, or fails the phys check hook. */
const void *acpi_map(u64 phys, u64 len);
/* Byte sum of len bytes (0 for a valid checksum). */
u8 acpi_sum(const void *p, u32 len);
/* Maps and validates an SDT at phys (hook on the header, then on the full length; printable
 * signature, length >= header, checksum). want_sig may be NULL. Logs one line on failure. */
const struct acpi_sdt_header *acpi_table_check(u64 phys, const char *want_sig);
/* Appends a valid table to ai->tables (warns once when full). */
void acpi_record_table(struct acpi_info *ai, const char sig[ACPI_SIG_LEN], u64 phys, u32 len);

/* Sub-table parsers; t has been validated by acpi_table_check (t->length bytes are readable). */
void acpi_madt_parse(const struct acpi_sdt_header *t, struct acpi_info *ai);
void acpi_mcfg_parse(const struct acpi_sdt_header *t, struct acpi_info *ai);
void acpi_fadt_parse(const struct acpi_sdt_header *t, struct acpi_info *ai);
void acpi_tpm2_parse(const struct acpi_sdt_header *t, struct acpi_info *ai);
/* Looks for Name(_S5_, Package(){a, b, ...}) in a validated DSDT; sets have_s5/slp_typ_a/b. */
void acpi_s5_find(const struct acpi_sdt_header *dsdt, struct acpi_info *ai);

#endif
