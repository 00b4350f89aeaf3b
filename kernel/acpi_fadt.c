/* kernel/acpi_fadt.c: FADT ("FACP") parser: PM1 control ports, reset register, and the DSDT and FACS
 * it points to (validated, recorded, and the DSDT searched for \_S5_). */
#include "acpi_internal.h"
#include "log.h"
#include "string.h"

/* True if a table of len bytes covers FADT field f. */
#define FADT_HAS(len, f) ((len) >= offsetof(struct acpi_fadt, f) + sizeof(((struct acpi_fadt *)0)->f))

#define IO_PORT_MAX 0xffff

/* An I/O port from the X_ GAS when it is set and describes a port, else from the 32-bit field. */
static u16 fadt_port(const char *name, u32 legacy, const struct acpi_gas *x)
{
	if (x && x->address) {
		if (x->space_id == ACPI_GAS_SYSTEM_IO && x->address <= IO_PORT_MAX)
			return (u16)x->address;
		pr_warn(ACPI_LOG, "table FACP: X_%s (space %u, 0x%llx) is not an I/O port, using %s", name,
			x->space_id, (unsigned long long)x->address, name);
	}
	if (legacy > IO_PORT_MAX) {
		pr_warn(ACPI_LOG, "table FACP: %s 0x%x is not an I/O port, ignored", name, legacy);
		return 0;
	}
	return (u16)legacy;
}

static void fadt_dsdt(u64 phys, struct acpi_info *ai)
{
	const struct acpi_sdt_header *d;

	if (phys == 0) {
		pr_warn(ACPI_LOG, "table FACP: no DSDT");
		return;
	}
	d = acpi_table_check(phys, "DSDT");
	if (!d)
		return;
	ai->dsdt_phys = phys;
	acpi_record_table(ai, d->signature, phys, d->length);
	acpi_s5_find(d, ai);
}

/* The FACS has no checksum: its signature and length are what can be checked. */
static void fadt_facs(u64 phys, struct acpi_info *ai)
{
	const struct acpi_facs *f;
	unsigned long long p = phys;
	u32 len;

	if (phys == 0)
		return; /* optional in hardware-reduced ACPI */
	f = acpi_map(phys, sizeof(*f));
	if (!f) {
		pr_warn(ACPI_LOG, "table FACS at 0x%llx: not in firmware memory, ignored", p);
		return;
	}
	if (memcmp(f->signature, "FACS", ACPI_SIG_LEN) != 0) {
		pr_warn(ACPI_LOG, "table FACS at 0x%llx: bad signature, ignored", p);
		return;
	}
	len = f->length;
	if (len < ACPI_FACS_MIN_LEN || len > ACPI_MAX_TABLE_LEN || !acpi_map(phys, len)) {
		pr_warn(ACPI_LOG, "table FACS at 0x%llx: bad length %u, ignored", p, len);
		return;
	}
	ai->facs_phys = phys;
	acpi_record_table(ai, f->signature, phys, len);
}

void acpi_fadt_parse(const struct acpi_sdt_header *t, struct acpi_info *ai)
{
	const struct acpi_fadt *f = (const void *)t;
	u32 len = t->length;
	u64 dsdt, facs;

	if (len < ACPI_FADT_V1_LEN) {
		pr_warn(ACPI_LOG, "table FACP: too short (%u bytes, need %u), ignored", len,
			ACPI_FADT_V1_LEN);
		return;
	}
	ai->have_fadt = true;
	ai->pm1a_cnt = fadt_port("PM1a_CNT_BLK", f->pm1a_cnt_blk,
				 FADT_HAS(len, x_pm1a_cnt_blk) ? &f->x_pm1a_cnt_blk : NULL);
	ai->pm1b_cnt = fadt_port("PM1b_CNT_BLK", f->pm1b_cnt_blk,
				 FADT_HAS(len, x_pm1b_cnt_blk) ? &f->x_pm1b_cnt_blk : NULL);

	if (FADT_HAS(len, reset_value) && (f->flags & ACPI_FADT_RESET_REG_SUP)) {
		if (f->reset_reg.address) {
			ai->have_reset = true;
			ai->reset_reg = f->reset_reg;
			ai->reset_value = f->reset_value;
		} else {
			pr_warn(ACPI_LOG, "table FACP: reset register supported but null, ignored");
		}
	}

	dsdt = f->dsdt;
	if (FADT_HAS(len, x_dsdt) && f->x_dsdt)
		dsdt = f->x_dsdt;
	facs = f->firmware_ctrl;
	if (FADT_HAS(len, x_firmware_ctrl) && f->x_firmware_ctrl)
		facs = f->x_firmware_ctrl;
	fadt_dsdt(dsdt, ai);
	fadt_facs(facs, ai);
}
