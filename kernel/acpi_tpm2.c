/* kernel/acpi_tpm2.c: TPM2 table parser: the TPM's start method and control area address. */
#include "acpi_internal.h"
#include "log.h"

void acpi_tpm2_parse(const struct acpi_sdt_header *t, struct acpi_info *ai)
{
	const struct acpi_tpm2 *tpm = (const void *)t;

	if (t->length < sizeof(*tpm)) {
		pr_warn(ACPI_LOG, "table TPM2: too short (%u bytes), ignored", t->length);
		return;
	}
	ai->have_tpm2 = true;
	ai->tpm2_start_method = tpm->start_method;
	ai->tpm2_control_area = tpm->control_area;
	pr_debug(ACPI_LOG, "table TPM2: start method %u, control area 0x%llx", tpm->start_method,
		 (unsigned long long)tpm->control_area);
}
