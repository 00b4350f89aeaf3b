/* tests/unit/acpi_builder.c: in-memory ACPI tables for tests and fuzz seeds (see acpi_builder.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sanitizer/asan_interface.h>
#include "acpi_builder.h"
#include "iommu/dmar.h"

#define ARENA_ALIGN 16
#define ARENA_GAP 16

static struct arena *current_arena;

void arena_init(struct arena *a, size_t size, u64 addr)
{
	int flags = MAP_PRIVATE | MAP_ANONYMOUS | (addr ? MAP_FIXED_NOREPLACE : MAP_32BIT);
	void *p = mmap((void *)(uintptr_t)addr, size, PROT_READ | PROT_WRITE, flags, -1, 0);

	if (p == MAP_FAILED || (addr && p != (void *)(uintptr_t)addr)) {
		perror("arena mmap");
		abort();
	}
	memset(a, 0, sizeof(*a));
	a->base = p;
	a->size = size;
	ASAN_POISON_MEMORY_REGION(a->base, a->size);
}

void arena_free(struct arena *a)
{
	if (current_arena == a)
		current_arena = NULL;
	ASAN_UNPOISON_MEMORY_REGION(a->base, a->size);
	munmap(a->base, a->size);
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t len)
{
	size_t start = (a->used + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	u8 *p;

	if (start + len + ARENA_GAP > a->size || a->nallocs >= ARENA_MAX_ALLOCS) {
		fprintf(stderr, "arena: out of space\n");
		abort();
	}
	p = a->base + start;
	ASAN_UNPOISON_MEMORY_REGION(p, len);
	memset(p, 0, len);
	a->used = start + len + ARENA_GAP;
	a->allocs[a->nallocs].phys = phys_of(p);
	a->allocs[a->nallocs].len = len;
	a->nallocs++;
	return p;
}

void arena_set_current(struct arena *a)
{
	current_arena = a;
}

bool arena_phys_ok(u64 phys, u64 len)
{
	const struct arena *a = current_arena;

	if (!a)
		return false;
	for (u32 i = 0; i < a->nallocs; i++) {
		u64 s = a->allocs[i].phys, e = s + a->allocs[i].len;
		if (phys >= s && phys < e && len <= e - phys)
			return true;
	}
	return false;
}

void tb_begin(struct tb *t, const char *sig, u8 rev)
{
	struct acpi_sdt_header *h = (struct acpi_sdt_header *)t->buf;

	memset(t, 0, sizeof(*t));
	memcpy(h->signature, sig, ACPI_SIG_LEN);
	h->revision = rev;
	memcpy(h->oem_id, "MOATTS", ACPI_OEM_ID_LEN);
	memcpy(h->oem_table_id, "UNITTEST", 8);
	h->oem_revision = 1;
	t->len = ACPI_HDR_LEN;
}

void tb_bytes(struct tb *t, const void *p, u32 n)
{
	if (t->len + n > TB_MAX) {
		fprintf(stderr, "tb: table too large\n");
		abort();
	}
	memcpy(t->buf + t->len, p, n);
	t->len += n;
}

void tb_u8(struct tb *t, u8 v)
{
	tb_bytes(t, &v, 1);
}
void tb_u16(struct tb *t, u16 v)
{
	tb_bytes(t, &v, 2);
}
void tb_u32(struct tb *t, u32 v)
{
	tb_bytes(t, &v, 4);
}
void tb_u64(struct tb *t, u64 v)
{
	tb_bytes(t, &v, 8);
}

void tb_patch_u16(struct tb *t, u32 off, u16 v)
{
	memcpy(t->buf + off, &v, 2);
}

static u8 sum(const void *p, size_t n)
{
	const u8 *b = p;
	u8 s = 0;

	for (size_t i = 0; i < n; i++)
		s = (u8)(s + b[i]);
	return s;
}

void acpi_fix_checksum(struct acpi_sdt_header *h)
{
	h->checksum = 0;
	h->checksum = (u8)(0 - sum(h, h->length));
}

void tb_finish(struct tb *t)
{
	struct acpi_sdt_header *h = (struct acpi_sdt_header *)t->buf;

	h->length = t->len;
	acpi_fix_checksum(h);
}

struct acpi_sdt_header *tb_place(struct tb *t, struct arena *a)
{
	void *p;

	tb_finish(t);
	p = arena_alloc(a, t->len);
	memcpy(p, t->buf, t->len);
	return p;
}

void rsdp_fix(struct acpi_rsdp *r)
{
	r->checksum = 0;
	r->checksum = (u8)(0 - sum(r, ACPI_RSDP_V1_LEN));
	if (r->revision >= ACPI_RSDP_REV_XSDT) {
		r->extended_checksum = 0;
		r->extended_checksum = (u8)(0 - sum(r, ACPI_RSDP_V2_LEN));
	}
}

struct acpi_rsdp *build_rsdp(struct arena *a, u8 rev, u32 rsdt, u64 xsdt)
{
	struct acpi_rsdp *r = arena_alloc(a, rev >= ACPI_RSDP_REV_XSDT ? ACPI_RSDP_V2_LEN : ACPI_RSDP_V1_LEN);

	memcpy(r->signature, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN);
	memcpy(r->oem_id, "MOATTS", ACPI_OEM_ID_LEN);
	r->revision = rev;
	r->rsdt_address = rsdt;
	if (rev >= ACPI_RSDP_REV_XSDT) {
		r->length = ACPI_RSDP_V2_LEN;
		r->xsdt_address = xsdt;
	}
	rsdp_fix(r);
	return r;
}

struct acpi_sdt_header *build_root(struct arena *a, bool xsdt, struct acpi_sdt_header *const *tables, u32 n)
{
	static struct tb t;

	tb_begin(&t, xsdt ? "XSDT" : "RSDT", 1);
	for (u32 i = 0; i < n; i++) {
		if (xsdt)
			tb_u64(&t, phys_of(tables[i]));
		else
			tb_u32(&t, (u32)phys_of(tables[i]));
	}
	return tb_place(&t, a);
}

struct acpi_sdt_header *build_dsdt(struct arena *a, const u8 *aml, u32 n)
{
	static struct tb t;

	tb_begin(&t, "DSDT", 2);
	tb_bytes(&t, aml, n);
	return tb_place(&t, a);
}

static void dmar_scope(struct tb *t, u8 type, u8 enum_id, u8 bus, u8 dev, u8 fn)
{
	tb_u8(t, type);
	tb_u8(t, 8);
	tb_u16(t, 0);
	tb_u8(t, enum_id);
	tb_u8(t, bus);
	tb_u8(t, dev);
	tb_u8(t, fn);
}

/*
 * Unit 0 at STD_DRHD0 with explicit scopes (endpoint 00:02.0, I/O APIC 0 at ff:00.0), as QEMU's
 * intel-iommu; unit 1 at STD_DRHD1 with INCLUDE_PCI_ALL; an RMRR 0x7f000000-0x7f0fffff for 00:1d.0;
 * an ATSR with ALL_PORTS. Host address width 39 bits, INTR_REMAP set.
 */
void build_dmar_qemu(struct tb *t)
{
	u32 s;

	tb_begin(t, "DMAR", 1);
	tb_u8(t, 39 - 1);
	tb_u8(t, DMAR_FLAG_INTR_REMAP);
	for (int i = 0; i < 10; i++)
		tb_u8(t, 0);

	s = t->len; /* DRHD 0 */
	tb_u16(t, DMAR_TYPE_DRHD);
	tb_u16(t, 0);
	tb_u8(t, 0);
	tb_u8(t, 0);
	tb_u16(t, 0);
	tb_u64(t, STD_DRHD0);
	dmar_scope(t, DMAR_SCOPE_ENDPOINT, 0, 0x00, 2, 0);
	dmar_scope(t, DMAR_SCOPE_IOAPIC, 0, 0xff, 0, 0);
	tb_patch_u16(t, s + 2, (u16)(t->len - s));

	s = t->len; /* DRHD 1, INCLUDE_PCI_ALL */
	tb_u16(t, DMAR_TYPE_DRHD);
	tb_u16(t, 0);
	tb_u8(t, DMAR_DRHD_INCLUDE_PCI_ALL);
	tb_u8(t, 0);
	tb_u16(t, 0);
	tb_u64(t, STD_DRHD1);
	tb_patch_u16(t, s + 2, (u16)(t->len - s));

	s = t->len; /* RMRR */
	tb_u16(t, DMAR_TYPE_RMRR);
	tb_u16(t, 0);
	tb_u16(t, 0);
	tb_u16(t, 0);
	tb_u64(t, 0x7f000000);
	tb_u64(t, 0x7f0fffff);
	dmar_scope(t, DMAR_SCOPE_ENDPOINT, 0, 0x00, 0x1d, 0);
	tb_patch_u16(t, s + 2, (u16)(t->len - s));

	s = t->len; /* ATSR */
	tb_u16(t, DMAR_TYPE_ATSR);
	tb_u16(t, 0);
	tb_u8(t, DMAR_ATSR_ALL_PORTS);
	tb_u8(t, 0);
	tb_u16(t, 0);
	tb_patch_u16(t, s + 2, (u16)(t->len - s));
	tb_finish(t);
}

/* Name(_S5_, Package(){0x05, One}) inside a little AML prelude. */
/* clang-format off */
static const u8 std_aml[] = {
	0x10, 0x05, '_', 'S', 'B', '_',            /* Scope(_SB_) with an empty body */
	0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0a, 0x05, 0x01, /* Name(_S5_, Package(2){5, One}) */
	0x00,
};
/* clang-format on */

static struct acpi_sdt_header *build_madt(struct arena *a)
{
	static struct tb t;

	tb_begin(&t, "APIC", 3);
	tb_u32(&t, STD_LAPIC_ADDR);
	tb_u32(&t, ACPI_MADT_PCAT_COMPAT);
	/* LAPIC uid 0 id 0 enabled; LAPIC uid 1 id 1 enabled */
	for (u8 i = 0; i < 2; i++) {
		tb_u8(&t, ACPI_MADT_LAPIC);
		tb_u8(&t, 8);
		tb_u8(&t, i);
		tb_u8(&t, i);
		tb_u32(&t, ACPI_MADT_CPU_ENABLED);
	}
	tb_u8(&t, ACPI_MADT_IOAPIC);
	tb_u8(&t, 12);
	tb_u8(&t, 0);
	tb_u8(&t, 0);
	tb_u32(&t, STD_IOAPIC_ADDR);
	tb_u32(&t, 0);
	/* ISA IRQ 0 → GSI 2, IRQ 9 → GSI 9 level/high */
	tb_u8(&t, ACPI_MADT_ISO);
	tb_u8(&t, 10);
	tb_u8(&t, 0);
	tb_u8(&t, 0);
	tb_u32(&t, 2);
	tb_u16(&t, 0);
	tb_u8(&t, ACPI_MADT_ISO);
	tb_u8(&t, 10);
	tb_u8(&t, 0);
	tb_u8(&t, 9);
	tb_u32(&t, 9);
	tb_u16(&t, 0x000d);
	return tb_place(&t, a);
}

static struct acpi_sdt_header *build_fadt(struct arena *a, u64 dsdt, u64 facs)
{
	static struct tb t;
	struct acpi_fadt *f = (struct acpi_fadt *)t.buf;

	tb_begin(&t, "FACP", 3);
	t.len = 244; /* ACPI 2.0 FADT: through X_GPE1_BLK */
	f->firmware_ctrl = (u32)facs;
	f->dsdt = (u32)dsdt;
	f->pm1a_cnt_blk = STD_PM1A_LEGACY;
	f->flags = ACPI_FADT_RESET_REG_SUP;
	f->reset_reg.space_id = ACPI_GAS_SYSTEM_IO;
	f->reset_reg.bit_width = 8;
	f->reset_reg.address = STD_RESET_PORT;
	f->reset_value = STD_RESET_VALUE;
	f->x_dsdt = dsdt;
	f->x_pm1a_cnt_blk.space_id = ACPI_GAS_SYSTEM_IO;
	f->x_pm1a_cnt_blk.bit_width = 16;
	f->x_pm1a_cnt_blk.address = STD_PM1A_X;
	return tb_place(&t, a);
}

static struct acpi_sdt_header *build_simple(struct arena *a, const char *sig, u32 body_len)
{
	static struct tb t;

	tb_begin(&t, sig, 1);
	for (u32 i = 0; i < body_len; i++)
		tb_u8(&t, 0);
	return tb_place(&t, a);
}

void build_std(struct arena *a, struct std_tables *s)
{
	static struct tb t;
	struct acpi_sdt_header *list[6];

	memset(s, 0, sizeof(*s));
	/* The RSDP comes first; its pointers are filled in once the tables exist. */
	s->rsdp = arena_alloc(a, ACPI_RSDP_V2_LEN);
	s->dsdt = build_dsdt(a, std_aml, sizeof(std_aml));
	s->facs = arena_alloc(a, ACPI_FACS_MIN_LEN);
	memcpy(s->facs->signature, "FACS", ACPI_SIG_LEN);
	s->facs->length = ACPI_FACS_MIN_LEN;
	s->facp = build_fadt(a, phys_of(s->dsdt), phys_of(s->facs));
	s->madt = build_madt(a);
	s->hpet = build_simple(a, "HPET", 20);

	tb_begin(&t, "MCFG", 1);
	tb_u64(&t, 0);
	tb_u64(&t, STD_ECAM_BASE);
	tb_u16(&t, 0);
	tb_u8(&t, 0);
	tb_u8(&t, 0xff);
	tb_u32(&t, 0);
	s->mcfg = tb_place(&t, a);

	build_dmar_qemu(&t);
	s->dmar = tb_place(&t, a);

	tb_begin(&t, "TPM2", 4);
	tb_u16(&t, 0);
	tb_u16(&t, 0);
	tb_u64(&t, STD_TPM_CRB);
	tb_u32(&t, ACPI_TPM2_START_CRB);
	tb_u32(&t, 0); /* start method parameters */
	s->tpm2 = tb_place(&t, a);

	list[0] = s->facp;
	list[1] = s->madt;
	list[2] = s->hpet;
	list[3] = s->mcfg;
	list[4] = s->dmar;
	list[5] = s->tpm2;
	s->xsdt = build_root(a, true, list, 6);
	s->rsdt = build_root(a, false, list, 6);

	struct acpi_rsdp *r = s->rsdp;
	memcpy(r->signature, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN);
	memcpy(r->oem_id, "MOATTS", ACPI_OEM_ID_LEN);
	r->revision = ACPI_RSDP_REV_XSDT;
	r->rsdt_address = (u32)phys_of(s->rsdt);
	r->length = ACPI_RSDP_V2_LEN;
	r->xsdt_address = phys_of(s->xsdt);
	rsdp_fix(r);
}
