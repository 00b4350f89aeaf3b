/* tests/unit/acpi_builder.h: builds ACPI tables in memory below 4 GiB (RSDT entries are 32-bit) for the
 * ACPI/DMAR unit tests and the fuzz seeds. Unused bytes of an arena are ASan-poisoned, so a parser
 * that reads past a table is caught. */
#ifndef MOAT_TEST_ACPI_BUILDER_H
#define MOAT_TEST_ACPI_BUILDER_H

#include "kernel/acpi.h"

#define ARENA_MAX_ALLOCS 64
#define TB_MAX 4096

struct arena {
	u8 *base;
	size_t size;
	size_t used;
	u32 nallocs;
	struct {
		u64 phys;
		u64 len;
	} allocs[ARENA_MAX_ALLOCS];
};

/* Maps size bytes below 2 GiB (MAP_32BIT), or at addr when addr != 0. Aborts on failure. */
void arena_init(struct arena *a, size_t size, u64 addr);
void arena_free(struct arena *a);
/* len zeroed bytes, 16-aligned, followed by a poisoned gap. */
void *arena_alloc(struct arena *a, size_t len);
/* Phys check hook: true if [phys, phys+len) lies inside one allocation of the current arena. */
void arena_set_current(struct arena *a);
bool arena_phys_ok(u64 phys, u64 len);

static inline u64 phys_of(const void *p)
{
	return (u64)(uintptr_t)p;
}

/* A table under construction: header placeholder, then appended little-endian fields. */
struct tb {
	u8 buf[TB_MAX];
	u32 len;
};

void tb_begin(struct tb *t, const char *sig, u8 rev);
void tb_u8(struct tb *t, u8 v);
void tb_u16(struct tb *t, u16 v);
void tb_u32(struct tb *t, u32 v);
void tb_u64(struct tb *t, u64 v);
void tb_bytes(struct tb *t, const void *p, u32 n);
void tb_patch_u16(struct tb *t, u32 off, u16 v);
/* Sets the header's length and checksum. */
void tb_finish(struct tb *t);
/* tb_finish, then a copy in the arena (exactly t->len bytes). */
struct acpi_sdt_header *tb_place(struct tb *t, struct arena *a);
/* Recomputes a placed table's checksum after a test edited it. */
void acpi_fix_checksum(struct acpi_sdt_header *h);

/* Recomputes an RSDP's checksum (and extended checksum for revision >= 2). */
void rsdp_fix(struct acpi_rsdp *r);
struct acpi_rsdp *build_rsdp(struct arena *a, u8 rev, u32 rsdt, u64 xsdt);
/* An XSDT (xsdt true) or RSDT listing tables[0..n). */
struct acpi_sdt_header *build_root(struct arena *a, bool xsdt, struct acpi_sdt_header *const *tables, u32 n);
/* A DSDT whose AML is the given bytes. */
struct acpi_sdt_header *build_dsdt(struct arena *a, const u8 *aml, u32 n);
/* The DMAR of QEMU's intel-iommu plus an INCLUDE_PCI_ALL unit, an RMRR and an ATSR (see the .c). */
void build_dmar_qemu(struct tb *t);

/* A q35-like set: RSDP v2 → XSDT and RSDT → FACP (→ DSDT with _S5_, FACS), APIC, HPET, MCFG, DMAR, TPM2.
 * The RSDP is the arena's first allocation. */
struct std_tables {
	struct acpi_rsdp *rsdp;
	struct acpi_sdt_header *xsdt, *rsdt, *facp, *dsdt, *madt, *hpet, *mcfg, *dmar, *tpm2;
	struct acpi_facs *facs;
};
void build_std(struct arena *a, struct std_tables *s);

/* Values build_std uses, for the tests' expectations. */
#define STD_LAPIC_ADDR 0xfee00000u
#define STD_IOAPIC_ADDR 0xfec00000u
#define STD_ECAM_BASE 0xb0000000ull
#define STD_PM1A_LEGACY 0x600
#define STD_PM1A_X 0x604
#define STD_RESET_PORT 0xcf9
#define STD_RESET_VALUE 0x06
#define STD_TPM_CRB 0xfed40040ull
#define STD_DRHD0 0xfed90000ull
#define STD_DRHD1 0xfed91000ull

#endif
