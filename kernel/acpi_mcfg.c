/* kernel/acpi_mcfg.c: MCFG parser: the PCI Express ECAM window of each segment and bus range. */
#include "acpi_internal.h"
#include "log.h"

void acpi_mcfg_parse(const struct acpi_sdt_header *t, struct acpi_info *ai)
{
	const u8 *base = (const u8 *)t;
	u32 len = t->length;
	u32 dropped = 0;
	u32 off;

	if (len < sizeof(struct acpi_mcfg)) {
		pr_warn(ACPI_LOG, "table MCFG: too short (%u bytes), ignored", len);
		return;
	}
	for (off = sizeof(struct acpi_mcfg); off < len; off += sizeof(struct acpi_mcfg_alloc)) {
		const struct acpi_mcfg_alloc *a = (const void *)(base + off);
		struct acpi_mcfg_seg *s;

		if (len - off < sizeof(*a)) {
			pr_warn(ACPI_LOG, "table MCFG: entry at offset 0x%x is partial (%u bytes), ignored",
				off, len - off);
			break;
		}
		if (a->base == 0 || a->bus_end < a->bus_start) {
			pr_warn(ACPI_LOG,
				"table MCFG: entry at offset 0x%x: base 0x%llx buses %u-%u invalid, ignored",
				off, (unsigned long long)a->base, a->bus_start, a->bus_end);
			continue;
		}
		if (ai->nmcfg >= ACPI_MAX_MCFG) {
			dropped++;
			continue;
		}
		s = &ai->mcfg[ai->nmcfg++];
		s->base = a->base;
		s->segment = a->segment;
		s->bus_start = a->bus_start;
		s->bus_end = a->bus_end;
	}
	if (dropped)
		pr_warn(ACPI_LOG, "table MCFG: %u segments beyond %u ignored", dropped, ACPI_MAX_MCFG);
}
