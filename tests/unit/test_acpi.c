/* tests/unit/test_acpi.c: acpi_parse on well-formed and malformed tables built in memory below 4 GiB. */
#include <stdio.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "acpi_builder.h"

#define ARENA_SIZE (1u << 20)

static struct arena A;
static struct std_tables S;
static struct acpi_info AI; /* large: static */
static char want[256];

static void setup(void)
{
	arena_init(&A, ARENA_SIZE, 0);
	arena_set_current(&A);
	acpi_set_phys_check(arena_phys_ok);
	build_std(&A, &S);
}

static void teardown(void)
{
	acpi_set_phys_check(NULL);
	arena_free(&A);
}

static unsigned long long P(const void *p)
{
	return (unsigned long long)phys_of(p);
}

/* A fresh RSDP v2 + XSDT + RSDT listing tables[0..n), parsed into AI. */
static int parse_list(struct acpi_sdt_header *const *tables, u32 n)
{
	struct acpi_sdt_header *x = build_root(&A, true, tables, n);
	struct acpi_sdt_header *r = build_root(&A, false, tables, n);
	struct acpi_rsdp *rsdp = build_rsdp(&A, 2, (u32)phys_of(r), phys_of(x));

	return acpi_parse(phys_of(rsdp), &AI);
}

static struct acpi_sdt_header *place(struct tb *t)
{
	return tb_place(t, &A);
}

static void summary(char *buf, size_t size)
{
	acpi_log_summary(&AI);
	snprintf(buf, size, "%s", host_log_last());
}

/* --- RSDP and root tables --- */

static void acpi_no_rsdp(void)
{
	memset(&AI, 0xa5, sizeof(AI));
	CHECK(acpi_parse(0, &AI) < 0);
	CHECK(!AI.present);
	CHECK_EQ(AI.ntables, 0);
	CHECK_EQ(AI.ncpus, 0);
	CHECK(!AI.have_madt);
	CHECK(!AI.have_s5);
	acpi_log_summary(&AI);
	CHECK_STR(host_log_last(), "moat: acpi: none (no RSDP from firmware)");
}

static void acpi_wellformed(void)
{
	char line[512];

	setup();
	memset(&AI, 0xa5, sizeof(AI));
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK(AI.present);
	CHECK(AI.used_xsdt);
	CHECK_EQ(AI.revision, 2);
	CHECK_STR(AI.oem_id, "MOATTS");
	CHECK_EQ(AI.ntables, 8);
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC HPET MCFG DMAR TPM2 DSDT FACS");
	CHECK_EQ(AI.tables[1].phys, phys_of(S.madt));
	CHECK_EQ(AI.tables[1].len, S.madt->length);

	/* MADT */
	CHECK(AI.have_madt);
	CHECK_EQ(AI.lapic_addr, STD_LAPIC_ADDR);
	CHECK_EQ(AI.madt_flags, ACPI_MADT_PCAT_COMPAT);
	CHECK_EQ(AI.ncpus, 2);
	CHECK_EQ(AI.cpus[0].apic_id, 0);
	CHECK_EQ(AI.cpus[1].apic_id, 1);
	CHECK_EQ(AI.cpus[1].acpi_uid, 1);
	CHECK(AI.cpus[1].enabled);
	CHECK(!AI.cpus[1].online_capable);
	CHECK_EQ(AI.nioapics, 1);
	CHECK_EQ(AI.ioapics[0].addr, STD_IOAPIC_ADDR);
	CHECK_EQ(AI.ioapics[0].gsi_base, 0);
	CHECK_EQ(AI.nisos, 2);
	CHECK_EQ(AI.isos[0].source, 0);
	CHECK_EQ(AI.isos[0].gsi, 2);
	CHECK_EQ(AI.isos[1].source, 9);
	CHECK_EQ(AI.isos[1].flags, 0xd);

	/* MCFG */
	CHECK_EQ(AI.nmcfg, 1);
	CHECK_EQ(AI.mcfg[0].base, STD_ECAM_BASE);
	CHECK_EQ(AI.mcfg[0].bus_start, 0);
	CHECK_EQ(AI.mcfg[0].bus_end, 0xff);

	/* FADT: the X_ block wins over the 32-bit one */
	CHECK(AI.have_fadt);
	CHECK_EQ(AI.pm1a_cnt, STD_PM1A_X);
	CHECK_EQ(AI.pm1b_cnt, 0);
	CHECK(AI.have_reset);
	CHECK_EQ(AI.reset_reg.space_id, ACPI_GAS_SYSTEM_IO);
	CHECK_EQ(AI.reset_reg.address, STD_RESET_PORT);
	CHECK_EQ(AI.reset_value, STD_RESET_VALUE);
	CHECK_EQ(AI.dsdt_phys, phys_of(S.dsdt));
	CHECK_EQ(AI.facs_phys, phys_of(S.facs));
	CHECK(AI.have_s5);
	CHECK_EQ(AI.slp_typ_a, 5);
	CHECK_EQ(AI.slp_typ_b, 1);

	/* TPM2, DMAR */
	CHECK(AI.have_tpm2);
	CHECK_EQ(AI.tpm2_start_method, ACPI_TPM2_START_CRB);
	CHECK_EQ(AI.tpm2_control_area, STD_TPM_CRB);
	CHECK(AI.have_dmar);
	CHECK_EQ(AI.dmar_phys, phys_of(S.dmar));
	CHECK_EQ(AI.dmar_len, S.dmar->length);

	/* lookup */
	CHECK(acpi_find_table(&AI, "APIC", 0) == S.madt);
	CHECK(acpi_find_table(&AI, "APIC", 1) == NULL);
	CHECK(acpi_find_table(&AI, "DSDT", 0) == S.dsdt);
	CHECK(acpi_find_table(&AI, "SSDT", 0) == NULL);
	teardown();
}

static void acpi_wellformed_without_hook(void)
{
	setup();
	acpi_set_phys_check(NULL);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(AI.ntables, 8);
	CHECK_EQ(AI.ncpus, 2);
	CHECK(AI.have_s5);
	teardown();
}

static void acpi_rsdp_bad_checksum(void)
{
	setup();
	S.rsdp->checksum ^= 0x01;
	CHECK(acpi_parse(phys_of(S.rsdp), &AI) < 0);
	CHECK(!AI.present);
	CHECK_EQ(AI.ntables, 0);
	snprintf(want, sizeof(want), "moat: acpi: error: RSDP at 0x%llx: bad checksum, ACPI ignored",
		 P(S.rsdp));
	CHECK_STR(host_log_last(), want);
	acpi_log_summary(&AI);
	snprintf(want, sizeof(want), "moat: acpi: none (RSDP at 0x%llx unusable)", P(S.rsdp));
	CHECK_STR(host_log_last(), want);
	teardown();
}

static void acpi_rsdp_bad_signature(void)
{
	setup();
	S.rsdp->signature[0] = 'X';
	rsdp_fix(S.rsdp);
	CHECK(acpi_parse(phys_of(S.rsdp), &AI) < 0);
	CHECK(!AI.present);
	CHECK_HAS(host_log_last(), "bad signature, ACPI ignored");
	teardown();
}

static void acpi_rsdp_outside_firmware_memory(void)
{
	u64 gap;

	setup();
	gap = phys_of(A.base) + ARENA_SIZE - 64; /* mapped but never allocated: the hook refuses it */
	CHECK(acpi_parse(gap, &AI) < 0);
	CHECK(!AI.present);
	CHECK_HAS(host_log_last(), "not in firmware memory, ACPI ignored");
	teardown();
}

static void acpi_rsdp_bad_extended_checksum_uses_rsdt(void)
{
	setup();
	S.rsdp->extended_checksum ^= 0x01;
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK(AI.present);
	CHECK(!AI.used_xsdt);
	CHECK_EQ(AI.ntables, 8);
	CHECK(host_log_has("bad extended checksum, using the RSDT"));
	teardown();
}

static void acpi_rsdp_bad_length_uses_rsdt(void)
{
	setup();
	S.rsdp->length = 20;
	rsdp_fix(S.rsdp);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK(!AI.used_xsdt);
	CHECK(host_log_has("bad length 20, using the RSDT"));
	teardown();
}

/* An RSDT listing only FACP and APIC tells the fallback apart from the XSDT. */
static void acpi_xsdt_bad_checksum_falls_back_to_rsdt(void)
{
	struct acpi_sdt_header *list[2];
	struct acpi_sdt_header *rsdt;
	char line[512];

	setup();
	list[0] = S.facp;
	list[1] = S.madt;
	rsdt = build_root(&A, false, list, 2);
	S.rsdp->rsdt_address = (u32)phys_of(rsdt);
	rsdp_fix(S.rsdp);
	S.xsdt->checksum ^= 0x55;
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK(AI.present);
	CHECK(!AI.used_xsdt);
	snprintf(want, sizeof(want), "moat: acpi: warning: table XSDT at 0x%llx: bad checksum, ignored",
		 P(S.xsdt));
	CHECK(host_log_has(want));
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC DSDT FACS");
	CHECK(!AI.have_dmar);
	CHECK_EQ(AI.ncpus, 2);
	teardown();
}

static void acpi_xsdt_absent_uses_rsdt(void)
{
	struct acpi_rsdp *r;

	setup();
	r = build_rsdp(&A, 2, (u32)phys_of(S.rsdt), 0);
	CHECK_EQ(acpi_parse(phys_of(r), &AI), 0);
	CHECK(!AI.used_xsdt);
	CHECK_EQ(AI.ntables, 8);
	teardown();
}

static void acpi_rsdp_v1_uses_rsdt(void)
{
	struct acpi_rsdp *r;

	setup();
	r = build_rsdp(&A, 0, (u32)phys_of(S.rsdt), 0);
	CHECK_EQ(acpi_parse(phys_of(r), &AI), 0);
	CHECK_EQ(AI.revision, 0);
	CHECK(!AI.used_xsdt);
	CHECK_EQ(AI.ntables, 8);
	teardown();
}

static void acpi_no_valid_root_table(void)
{
	setup();
	S.xsdt->checksum ^= 1;
	S.rsdt->signature[0] = 'X';
	CHECK(acpi_parse(phys_of(S.rsdp), &AI) < 0);
	CHECK(!AI.present);
	CHECK_EQ(AI.ntables, 0);
	CHECK(host_log_has("table at 0x"));
	CHECK_HAS(host_log_last(), "no valid XSDT or RSDT, ACPI ignored");
	teardown();
}

/* The header claims more bytes than the firmware memory holding the table. */
static void acpi_table_truncated(void)
{
	struct acpi_sdt_header *trunc, *list[3];
	char line[512];

	setup();
	trunc = arena_alloc(&A, 100);
	memcpy(trunc->signature, "SSDT", 4);
	trunc->length = 200;
	list[0] = S.facp;
	list[1] = trunc;
	list[2] = S.madt;
	CHECK_EQ(parse_list(list, 3), 0);
	snprintf(
	    want, sizeof(want),
	    "moat: acpi: warning: table SSDT at 0x%llx: length 200 reaches outside firmware memory, ignored",
	    P(trunc));
	CHECK(host_log_has(want));
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC DSDT FACS");
	teardown();
}

static void acpi_table_shorter_than_header(void)
{
	struct acpi_sdt_header *t, *list[2];

	setup();
	t = arena_alloc(&A, ACPI_HDR_LEN);
	memcpy(t->signature, "SSDT", 4);
	t->length = 20;
	list[0] = t;
	list[1] = S.madt;
	CHECK_EQ(parse_list(list, 2), 0);
	snprintf(want, sizeof(want), "table SSDT at 0x%llx: length 20 shorter than its header, ignored",
		 P(t));
	CHECK(host_log_has(want));
	CHECK_EQ(AI.ntables, 1);
	CHECK(acpi_find_table(&AI, "APIC", 0) == S.madt);
	teardown();
}

static void acpi_table_bad_checksum(void)
{
	char line[512];

	setup();
	S.hpet->checksum ^= 0x10;
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	snprintf(want, sizeof(want), "moat: acpi: warning: table HPET at 0x%llx: bad checksum, ignored",
		 P(S.hpet));
	CHECK(host_log_has(want));
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC MCFG DMAR TPM2 DSDT FACS");
	teardown();
}

static void acpi_table_signature_not_printable(void)
{
	setup();
	S.hpet->signature[2] = 0x01;
	acpi_fix_checksum(S.hpet);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	snprintf(want, sizeof(want), "table at 0x%llx: signature not printable, ignored", P(S.hpet));
	CHECK(host_log_has(want));
	CHECK_EQ(AI.ntables, 7);
	teardown();
}

static void acpi_xsdt_null_entry(void)
{
	struct acpi_sdt_header *list[3];

	setup();
	list[0] = S.facp;
	list[1] = NULL;
	list[2] = S.madt;
	CHECK_EQ(parse_list(list, 3), 0);
	CHECK(host_log_has("table XSDT: entry 1 is null, ignored"));
	CHECK_EQ(AI.ntables, 4);
	teardown();
}

/* The hook sees the 36-byte header before the table's full length, for every table. */
static struct {
	u64 phys, len;
} calls[256];
static unsigned ncalls;

static bool recording_hook(u64 phys, u64 len)
{
	if (ncalls < 256) {
		calls[ncalls].phys = phys;
		calls[ncalls].len = len;
		ncalls++;
	}
	return arena_phys_ok(phys, len);
}

static int first_call(u64 phys, u64 len)
{
	for (unsigned i = 0; i < ncalls; i++)
		if (calls[i].phys == phys && calls[i].len == len)
			return (int)i;
	return -1;
}

static void acpi_phys_check_header_first(void)
{
	struct acpi_sdt_header *tables[5];

	setup();
	tables[0] = S.madt;
	tables[1] = S.facp;
	tables[2] = S.dsdt;
	tables[3] = S.mcfg;
	tables[4] = S.xsdt;
	ncalls = 0;
	acpi_set_phys_check(recording_hook);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(first_call(phys_of(S.rsdp), ACPI_RSDP_V1_LEN), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(tables); i++) {
		struct acpi_sdt_header *t = tables[i];
		int hdr = first_call(phys_of(t), ACPI_HDR_LEN);
		int full = first_call(phys_of(t), t->length);
		CHECK(hdr >= 0);
		CHECK(full > hdr);
	}
	teardown();
}

/* --- MADT --- */

static void madt_lapic(struct tb *t, u8 uid, u8 id, u32 flags)
{
	tb_u8(t, ACPI_MADT_LAPIC);
	tb_u8(t, 8);
	tb_u8(t, uid);
	tb_u8(t, id);
	tb_u32(t, flags);
}

static void madt_begin(struct tb *t)
{
	tb_begin(t, "APIC", 3);
	tb_u32(t, STD_LAPIC_ADDR);
	tb_u32(t, 0);
}

static void madt_entry_zero_length(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	madt_begin(&t);
	madt_lapic(&t, 0, 0, ACPI_MADT_CPU_ENABLED);
	tb_u8(&t, ACPI_MADT_LAPIC);
	tb_u8(&t, 0);
	madt_lapic(&t, 1, 1, ACPI_MADT_CPU_ENABLED);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK(AI.have_madt);
	CHECK_EQ(AI.ncpus, 1);
	CHECK_EQ(AI.cpus[0].apic_id, 0);
	CHECK_STR(host_log_last(),
		  "moat: acpi: warning: table APIC: entry at offset 0x34 has length 0, rest ignored");
	teardown();
}

static void madt_entry_overruns_table(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	madt_begin(&t);
	madt_lapic(&t, 0, 0, ACPI_MADT_CPU_ENABLED);
	tb_u8(&t, ACPI_MADT_IOAPIC);
	tb_u8(&t, 12); /* only 6 bytes left in the table */
	tb_u32(&t, 0);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.ncpus, 1);
	CHECK_EQ(AI.nioapics, 0);
	CHECK_HAS(host_log_last(),
		  "table APIC: entry at offset 0x34 (length 12) overruns the table, rest ignored");
	teardown();
}

static void madt_trailing_byte(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	madt_begin(&t);
	madt_lapic(&t, 0, 0, ACPI_MADT_CPU_ENABLED);
	tb_u8(&t, ACPI_MADT_LAPIC);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.ncpus, 1);
	CHECK_HAS(host_log_last(), "table APIC: entry at offset 0x34 overruns the table, rest ignored");
	teardown();
}

static void madt_entry_too_short(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	madt_begin(&t);
	tb_u8(&t, ACPI_MADT_IOAPIC);
	tb_u8(&t, 4);
	tb_u16(&t, 0);
	madt_lapic(&t, 0, 0, ACPI_MADT_CPU_ENABLED);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.ncpus, 0);
	CHECK_EQ(AI.nioapics, 0);
	CHECK_HAS(host_log_last(),
		  "table APIC: entry at offset 0x2c (type 1) too short (4 bytes), rest ignored");
	teardown();
}

static void madt_x2apic_override_and_flags(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	madt_begin(&t);
	madt_lapic(&t, 0, 0, ACPI_MADT_CPU_ENABLED);
	madt_lapic(&t, 1, 1, 0);			    /* unusable: skipped */
	madt_lapic(&t, 2, 2, ACPI_MADT_CPU_ONLINE_CAPABLE); /* can be brought online later */
	madt_lapic(&t, 3, ACPI_MADT_LAPIC_ID_NONE, ACPI_MADT_CPU_ENABLED);
	tb_u8(&t, ACPI_MADT_X2APIC);
	tb_u8(&t, 16);
	tb_u16(&t, 0);
	tb_u32(&t, 300);
	tb_u32(&t, ACPI_MADT_CPU_ENABLED);
	tb_u32(&t, 7);
	tb_u8(&t, ACPI_MADT_X2APIC); /* same id as the first LAPIC: not a second CPU */
	tb_u8(&t, 16);
	tb_u16(&t, 0);
	tb_u32(&t, 0);
	tb_u32(&t, ACPI_MADT_CPU_ENABLED);
	tb_u32(&t, 8);
	tb_u8(&t, ACPI_MADT_LAPIC_ADDR_OVERRIDE);
	tb_u8(&t, 12);
	tb_u16(&t, 0);
	tb_u64(&t, 0x10fee00000ull);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.lapic_addr, 0x10fee00000ull);
	CHECK_EQ(AI.ncpus, 3);
	CHECK_EQ(AI.cpus[0].apic_id, 0);
	CHECK(AI.cpus[0].enabled);
	CHECK_EQ(AI.cpus[1].apic_id, 2);
	CHECK(!AI.cpus[1].enabled);
	CHECK(AI.cpus[1].online_capable);
	CHECK_EQ(AI.cpus[2].apic_id, 300);
	CHECK_EQ(AI.cpus[2].acpi_uid, 7);
	CHECK(AI.cpus[2].enabled);
	teardown();
}

static void madt_absent(void)
{
	struct acpi_sdt_header *list[1];

	setup();
	list[0] = S.facp;
	CHECK_EQ(parse_list(list, 1), 0);
	CHECK(!AI.have_madt);
	CHECK_EQ(AI.ncpus, 0);
	CHECK_EQ(AI.lapic_addr, 0);
	teardown();
}

static void madt_too_short(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	tb_begin(&t, "APIC", 3);
	tb_u32(&t, STD_LAPIC_ADDR);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK(!AI.have_madt);
	CHECK_EQ(AI.lapic_addr, 0);
	CHECK_HAS(host_log_last(), "table APIC: too short (40 bytes), ignored");
	teardown();
}

/* --- MCFG --- */

static void mcfg_alloc(struct tb *t, u64 base, u16 seg, u8 b0, u8 b1)
{
	tb_u64(t, base);
	tb_u16(t, seg);
	tb_u8(t, b0);
	tb_u8(t, b1);
	tb_u32(t, 0);
}

static void mcfg_partial_entry(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	tb_begin(&t, "MCFG", 1);
	tb_u64(&t, 0);
	mcfg_alloc(&t, 0xe0000000, 1, 0, 0x3f);
	tb_u64(&t, 0xf0000000); /* half an entry */
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.nmcfg, 1);
	CHECK_EQ(AI.mcfg[0].base, 0xe0000000);
	CHECK_EQ(AI.mcfg[0].segment, 1);
	CHECK_EQ(AI.mcfg[0].bus_end, 0x3f);
	CHECK_STR(host_log_last(),
		  "moat: acpi: warning: table MCFG: entry at offset 0x3c is partial (8 bytes), ignored");
	teardown();
}

static void mcfg_bad_bus_range(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	tb_begin(&t, "MCFG", 1);
	tb_u64(&t, 0);
	mcfg_alloc(&t, 0xe0000000, 0, 10, 5);
	mcfg_alloc(&t, 0xf0000000, 0, 0, 0xff);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK_EQ(AI.nmcfg, 1);
	CHECK_EQ(AI.mcfg[0].base, 0xf0000000);
	CHECK(host_log_has("table MCFG: entry at offset 0x2c: base 0xe0000000 buses 10-5 invalid, ignored"));
	teardown();
}

/* --- FADT --- */

static struct acpi_sdt_header *fadt_v1(u32 len, u32 dsdt)
{
	static struct tb t;
	struct acpi_fadt *f = (struct acpi_fadt *)t.buf;

	tb_begin(&t, "FACP", 1);
	t.len = len;
	f->dsdt = dsdt;
	f->pm1a_cnt_blk = 0xb004;
	f->pm1b_cnt_blk = 0xb008;
	f->flags = ACPI_FADT_RESET_REG_SUP; /* set, but a revision 1 table has no reset register */
	return place(&t);
}

static void fadt_short_revision(void)
{
	struct acpi_sdt_header *f;

	setup();
	f = fadt_v1(ACPI_FADT_V1_LEN, (u32)phys_of(S.dsdt));
	CHECK_EQ(parse_list(&f, 1), 0);
	CHECK(AI.have_fadt);
	CHECK_EQ(AI.pm1a_cnt, 0xb004);
	CHECK_EQ(AI.pm1b_cnt, 0xb008);
	CHECK(!AI.have_reset);
	CHECK_EQ(AI.dsdt_phys, phys_of(S.dsdt));
	CHECK_EQ(AI.facs_phys, 0);
	CHECK(AI.have_s5);
	CHECK_EQ(AI.slp_typ_a, 5);
	teardown();
}

static void fadt_too_short(void)
{
	struct acpi_sdt_header *f;

	setup();
	f = fadt_v1(100, (u32)phys_of(S.dsdt));
	CHECK_EQ(parse_list(&f, 1), 0);
	CHECK(!AI.have_fadt);
	CHECK_EQ(AI.pm1a_cnt, 0);
	CHECK_EQ(AI.dsdt_phys, 0);
	CHECK(!AI.have_s5);
	CHECK_STR(host_log_last(),
		  "moat: acpi: warning: table FACP: too short (100 bytes, need 116), ignored");
	teardown();
}

static void fadt_x_block_not_io_uses_legacy(void)
{
	struct acpi_fadt *f;

	setup();
	f = (struct acpi_fadt *)S.facp;
	f->x_pm1a_cnt_blk.space_id = ACPI_GAS_SYSTEM_MEMORY;
	acpi_fix_checksum(S.facp);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(AI.pm1a_cnt, STD_PM1A_LEGACY);
	CHECK(host_log_has("X_PM1a_CNT_BLK (space 0, 0x604) is not an I/O port, using PM1a_CNT_BLK"));
	teardown();
}

static void fadt_facs_bad_signature(void)
{
	char line[512];

	setup();
	memcpy(S.facs->signature, "FACZ", 4);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(AI.facs_phys, 0);
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC HPET MCFG DMAR TPM2 DSDT");
	teardown();
}

static void dsdt_bad_checksum(void)
{
	char line[512];

	setup();
	S.dsdt->checksum ^= 1;
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(AI.dsdt_phys, 0);
	CHECK(!AI.have_s5);
	summary(line, sizeof(line));
	CHECK_STR(line, "moat: acpi: tables FACP APIC HPET MCFG DMAR TPM2 FACS");
	teardown();
}

/* --- DSDT _S5_ --- */

struct s5_case {
	const char *what;
	u8 aml[24];
	u32 len;
	bool found;
	u8 a, b;
	const char *log; /* expected in the log, or NULL */
};

#define NAME_S5 0x08, '_', 'S', '5', '_'

/* clang-format off */
static const struct s5_case s5_cases[] = {
	{ "byte prefixes", { NAME_S5, 0x12, 0x06, 0x04, 0x0a, 0x07, 0x0a, 0x03, 0x00, 0x00 }, 14, true, 7, 3, NULL },
	{ "zero and one", { NAME_S5, 0x12, 0x04, 0x02, 0x00, 0x01 }, 10, true, 0, 1, NULL },
	{ "root prefix", { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x00 }, 12, true, 5, 0, NULL },
	{ "two-byte pkglength, word", { NAME_S5, 0x12, 0x48, 0x00, 0x02, 0x0b, 0x06, 0x00, 0x0a, 0x04 }, 14, true, 6, 4,
	  NULL },
	{ "method named _S5_", { 0x14, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x01 }, 10, false, 0, 0, "no _S5_" },
	{ "not a package", { NAME_S5, 0x0a, 0x05 }, 7, false, 0, 0, "no _S5_" },
	{ "name at the very end", { 0x00, NAME_S5 }, 6, false, 0, 0, "no _S5_" },
	{ "package op at the very end", { NAME_S5, 0x12 }, 6, false, 0, 0, "is malformed" },
	{ "package longer than the table", { NAME_S5, 0x12, 0x20, 0x02, 0x00, 0x00 }, 10, false, 0, 0,
	  "is malformed" },
	{ "one element", { NAME_S5, 0x12, 0x03, 0x01, 0x00 }, 9, false, 0, 0, "has 1 element (need 2)" },
	{ "value too large", { NAME_S5, 0x12, 0x06, 0x02, 0x0a, 0x09, 0x0a, 0x00 }, 12, false, 0, 0,
	  "element 0 is not a sleep type" },
	{ "second element cut by the package end", { NAME_S5, 0x12, 0x04, 0x02, 0x0a, 0x05, 0x0a, 0x05 }, 12, false,
	  0, 0, "element 1 is not a sleep type" },
	{ "byte prefix cut by the table end", { NAME_S5, 0x12, 0x04, 0x02, 0x00, 0x0a }, 10, false, 0, 0,
	  "element 1 is not a sleep type" },
};
/* clang-format on */

static void dsdt_s5_forms(void)
{
	for (unsigned i = 0; i < ARRAY_SIZE(s5_cases); i++) {
		const struct s5_case *c = &s5_cases[i];
		struct acpi_fadt *f;
		struct acpi_sdt_header *d;

		setup();
		d = build_dsdt(&A, c->aml, c->len);
		f = (struct acpi_fadt *)S.facp;
		f->dsdt = (u32)phys_of(d);
		f->x_dsdt = phys_of(d);
		acpi_fix_checksum(S.facp);
		CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
		CHECK_EQ(AI.dsdt_phys, phys_of(d));
		if (AI.have_s5 != c->found)
			unit_fail(__FILE__, __LINE__, "case '%s': have_s5 %d", c->what, AI.have_s5);
		if (c->found && (AI.slp_typ_a != c->a || AI.slp_typ_b != c->b))
			unit_fail(__FILE__, __LINE__, "case '%s': got %u/%u", c->what, AI.slp_typ_a,
				  AI.slp_typ_b);
		if (c->log && !host_log_has(c->log))
			unit_fail(__FILE__, __LINE__, "case '%s': log lacks '%s' (last: %s)", c->what, c->log,
				  host_log_last());
		host_log_reset();
		teardown();
	}
}

static void dsdt_s5_absent(void)
{
	static const u8 aml[] = {0x10, 0x05, '_', 'S',	'B',  '_',  0x08, '_',
				 'S',  '4',  '_', 0x12, 0x04, 0x02, 0x00, 0x00};
	struct acpi_fadt *f;
	struct acpi_sdt_header *d;

	setup();
	d = build_dsdt(&A, aml, sizeof(aml));
	f = (struct acpi_fadt *)S.facp;
	f->x_dsdt = phys_of(d);
	acpi_fix_checksum(S.facp);
	CHECK_EQ(acpi_parse(phys_of(S.rsdp), &AI), 0);
	CHECK_EQ(AI.dsdt_phys, phys_of(d));
	CHECK(!AI.have_s5);
	CHECK(host_log_has("moat: acpi: table DSDT: no _S5_ package, power-off unavailable"));
	teardown();
}

/* --- TPM2 --- */

static void tpm2_too_short(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	tb_begin(&t, "TPM2", 4);
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u64(&t, STD_TPM_CRB); /* start method missing */
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK(!AI.have_tpm2);
	CHECK_EQ(AI.tpm2_control_area, 0);
	CHECK_STR(host_log_last(), "moat: acpi: warning: table TPM2: too short (48 bytes), ignored");
	teardown();
}

static void tpm2_tis(void)
{
	static struct tb t;
	struct acpi_sdt_header *m;

	setup();
	tb_begin(&t, "TPM2", 4);
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u64(&t, 0);
	tb_u32(&t, ACPI_TPM2_START_TIS);
	m = place(&t);
	CHECK_EQ(parse_list(&m, 1), 0);
	CHECK(AI.have_tpm2);
	CHECK_EQ(AI.tpm2_start_method, ACPI_TPM2_START_TIS);
	teardown();
}

static void acpi_find_table_instances(void)
{
	static struct tb t;
	struct acpi_sdt_header *list[3];

	setup();
	tb_begin(&t, "SSDT", 1);
	tb_u8(&t, 1);
	list[0] = place(&t);
	list[1] = S.madt;
	tb_begin(&t, "SSDT", 1);
	tb_u8(&t, 2);
	list[2] = place(&t);
	CHECK_EQ(parse_list(list, 3), 0);
	CHECK(acpi_find_table(&AI, "SSDT", 0) == list[0]);
	CHECK(acpi_find_table(&AI, "SSDT", 1) == list[2]);
	CHECK(acpi_find_table(&AI, "SSDT", 2) == NULL);
	teardown();
}

static const struct unit_test tests[] = {
    UNIT_TEST(acpi_no_rsdp),
    UNIT_TEST(acpi_wellformed),
    UNIT_TEST(acpi_wellformed_without_hook),
    UNIT_TEST(acpi_rsdp_bad_checksum),
    UNIT_TEST(acpi_rsdp_bad_signature),
    UNIT_TEST(acpi_rsdp_outside_firmware_memory),
    UNIT_TEST(acpi_rsdp_bad_extended_checksum_uses_rsdt),
    UNIT_TEST(acpi_rsdp_bad_length_uses_rsdt),
    UNIT_TEST(acpi_xsdt_bad_checksum_falls_back_to_rsdt),
    UNIT_TEST(acpi_xsdt_absent_uses_rsdt),
    UNIT_TEST(acpi_rsdp_v1_uses_rsdt),
    UNIT_TEST(acpi_no_valid_root_table),
    UNIT_TEST(acpi_table_truncated),
    UNIT_TEST(acpi_table_shorter_than_header),
    UNIT_TEST(acpi_table_bad_checksum),
    UNIT_TEST(acpi_table_signature_not_printable),
    UNIT_TEST(acpi_xsdt_null_entry),
    UNIT_TEST(acpi_phys_check_header_first),
    UNIT_TEST(madt_entry_zero_length),
    UNIT_TEST(madt_entry_overruns_table),
    UNIT_TEST(madt_trailing_byte),
    UNIT_TEST(madt_entry_too_short),
    UNIT_TEST(madt_x2apic_override_and_flags),
    UNIT_TEST(madt_absent),
    UNIT_TEST(madt_too_short),
    UNIT_TEST(mcfg_partial_entry),
    UNIT_TEST(mcfg_bad_bus_range),
    UNIT_TEST(fadt_short_revision),
    UNIT_TEST(fadt_too_short),
    UNIT_TEST(fadt_x_block_not_io_uses_legacy),
    UNIT_TEST(fadt_facs_bad_signature),
    UNIT_TEST(dsdt_bad_checksum),
    UNIT_TEST(dsdt_s5_forms),
    UNIT_TEST(dsdt_s5_absent),
    UNIT_TEST(tpm2_too_short),
    UNIT_TEST(tpm2_tis),
    UNIT_TEST(acpi_find_table_instances),
};

UNIT_SUITE(acpi_suite, tests);
