/* kernel/acpi.h: what Moat learns from the firmware's ACPI tables (RSDP, XSDT/RSDT, MADT, MCFG, FADT,
 * DSDT _S5_, TPM2, DMAR location), gathered once at boot by acpi_parse(). */
#ifndef MOAT_ACPI_H
#define MOAT_ACPI_H

#include "types.h"
#include "acpi_hw.h"

#define ACPI_MAX_TABLES 64
#define ACPI_MAX_CPUS 256
#define ACPI_MAX_IOAPICS 16
#define ACPI_MAX_ISOS 32
#define ACPI_MAX_MCFG 8

struct acpi_table_ref {
	char sig[ACPI_SIG_LEN + 1]; /* NUL-terminated */
	u64 phys;
	u32 len; /* validated length */
};

struct acpi_cpu {
	u32 apic_id; /* xAPIC or x2APIC id */
	u32 acpi_uid;
	bool enabled;
	bool online_capable;
};

struct acpi_ioapic {
	u8 id;
	u32 addr;
	u32 gsi_base;
};

/* Interrupt source override: ISA IRQ `source` arrives on `gsi` with MPS INTI `flags`. */
struct acpi_iso {
	u8 bus;
	u8 source;
	u32 gsi;
	u16 flags;
};

/* One ECAM window: PCI segment `segment`, buses bus_start..bus_end, config space at `base`. */
struct acpi_mcfg_seg {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
};

struct acpi_info {
	bool present;  /* a usable RSDP and root table were found */
	u64 rsdp_phys; /* as given to acpi_parse */
	u8 revision;   /* RSDP revision */
	char oem_id[ACPI_OEM_ID_LEN + 1];
	bool used_xsdt; /* false: the tables came from the RSDT */

	u32 ntables; /* valid tables, in root-table order; DSDT/FACS appended */
	struct acpi_table_ref tables[ACPI_MAX_TABLES];

	/* MADT */
	bool have_madt;
	u64 lapic_addr; /* after the 64-bit override entry, if any */
	u32 madt_flags;
	u32 ncpus; /* 0 without a MADT: the kernel then runs on one CPU */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	u32 nioapics;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	u32 nisos;
	struct acpi_iso isos[ACPI_MAX_ISOS];

	/* MCFG */
	u32 nmcfg;
	struct acpi_mcfg_seg mcfg[ACPI_MAX_MCFG];

	/* FADT, DSDT, FACS */
	bool have_fadt;
	u16 pm1a_cnt; /* I/O ports, 0 if absent */
	u16 pm1b_cnt;
	bool have_reset;
	struct acpi_gas reset_reg;
	u8 reset_value;
	u64 dsdt_phys; /* 0 if absent or invalid */
	u64 facs_phys;
	bool have_s5;
	u8 slp_typ_a; /* SLP_TYP values of the \_S5_ package */
	u8 slp_typ_b;

	/* TPM2 */
	bool have_tpm2;
	u32 tpm2_start_method; /* ACPI_TPM2_START_* */
	u64 tpm2_control_area;

	/* DMAR (parsed by iommu/dmar.c) */
	bool have_dmar;
	u64 dmar_phys;
	u32 dmar_len;
};

/* Restricts which physical ranges may be dereferenced as tables (firmware memory per the memory
 * map). Unset (or NULL) accepts every non-null, non-wrapping range. */
void acpi_set_phys_check(bool (*ok)(u64 phys, u64 len));

/* Zeroes *out, then validates the RSDP and the XSDT (RSDT fallback) and every table they list,
 * and parses the tables Moat uses. Returns 0, or negative when there is no usable RSDP or root
 * table (out->present is then false). Problems are logged, one line each. */
int acpi_parse(u64 rsdp_phys, struct acpi_info *out);

/* The instance-th (0-based) valid table with signature sig, or NULL. */
const struct acpi_sdt_header *acpi_find_table(const struct acpi_info *ai, const char sig[ACPI_SIG_LEN],
					      u32 instance);

/* One line: "moat: acpi: tables FACP APIC ..." or "moat: acpi: none (...)". */
void acpi_log_summary(const struct acpi_info *ai);

#endif
