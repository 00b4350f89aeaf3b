/* kernel/acpi.c: ACPI discovery: RSDP and root table (XSDT, RSDT fallback) validation, the list of
 * valid tables, table lookup and the boot summary line. Sub-tables are parsed in acpi_*.c. */
#include "acpi_internal.h"
#include "log.h"
#include "string.h"

/* Root tables with more entries than this are read only this far (bounds log output and time). */
#define ACPI_MAX_ROOT_ENTRIES 256
#define ACPI_XSDT_ENTRY_LEN 8
#define ACPI_RSDT_ENTRY_LEN 4

static bool (*phys_check)(u64 phys, u64 len);

void acpi_set_phys_check(bool (*ok)(u64 phys, u64 len))
{
	phys_check = ok;
}

const void *acpi_map(u64 phys, u64 len)
{
	if (phys == 0 || len == 0 || phys > UINT64_MAX - len || phys + len - 1 > (u64)UINTPTR_MAX)
		return NULL;
	if (phys_check && !phys_check(phys, len))
		return NULL;
	return (const void *)(uintptr_t)phys;
}

u8 acpi_sum(const void *p, u32 len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + b[i]);
	return sum;
}

static bool sig_printable(const char *sig)
{
	for (int i = 0; i < ACPI_SIG_LEN; i++)
		if (sig[i] < 0x20 || sig[i] > 0x7e)
			return false;
	return true;
}

const struct acpi_sdt_header *acpi_table_check(u64 phys, const char *want_sig)
{
	const struct acpi_sdt_header *h = acpi_map(phys, ACPI_HDR_LEN);
	unsigned long long p = phys;
	char sig[ACPI_SIG_LEN + 1];
	u32 len;

	if (!h) {
		if (want_sig)
			pr_warn(ACPI_LOG, "table %s at 0x%llx: not in firmware memory, ignored", want_sig, p);
		else
			pr_warn(ACPI_LOG, "table at 0x%llx: not in firmware memory, ignored", p);
		return NULL;
	}
	if (!sig_printable(h->signature)) {
		pr_warn(ACPI_LOG, "table at 0x%llx: signature not printable, ignored", p);
		return NULL;
	}
	acpi_sig_str(sig, h->signature);
	if (want_sig && memcmp(sig, want_sig, ACPI_SIG_LEN) != 0) {
		pr_warn(ACPI_LOG, "table at 0x%llx: signature %s, expected %s, ignored", p, sig, want_sig);
		return NULL;
	}
	len = h->length;
	if (len < ACPI_HDR_LEN) {
		pr_warn(ACPI_LOG, "table %s at 0x%llx: length %u shorter than its header, ignored", sig, p,
			len);
		return NULL;
	}
	if (len > ACPI_MAX_TABLE_LEN) {
		pr_warn(ACPI_LOG, "table %s at 0x%llx: length %u too large, ignored", sig, p, len);
		return NULL;
	}
	if (!acpi_map(phys, len)) {
		pr_warn(ACPI_LOG, "table %s at 0x%llx: length %u reaches outside firmware memory, ignored",
			sig, p, len);
		return NULL;
	}
	if (acpi_sum(h, len) != 0) {
		pr_warn(ACPI_LOG, "table %s at 0x%llx: bad checksum, ignored", sig, p);
		return NULL;
	}
	return h;
}

void acpi_record_table(struct acpi_info *ai, const char sig[ACPI_SIG_LEN], u64 phys, u32 len)
{
	struct acpi_table_ref *r;
	char s[ACPI_SIG_LEN + 1];

	acpi_sig_str(s, sig);
	if (ai->ntables >= ACPI_MAX_TABLES) {
		pr_warn(ACPI_LOG, "more than %u tables, %s ignored", ACPI_MAX_TABLES, s);
		return;
	}
	r = &ai->tables[ai->ntables++];
	memcpy(r->sig, s, sizeof(r->sig));
	r->phys = phys;
	r->len = len;
}

/* Validates and records every table the root table lists (entries of entry_len bytes). */
static void walk_root(const struct acpi_sdt_header *root, u32 entry_len, struct acpi_info *ai)
{
	const u8 *entries = (const u8 *)root + ACPI_HDR_LEN;
	u32 body = root->length - ACPI_HDR_LEN;
	u32 n = body / entry_len;
	char rs[ACPI_SIG_LEN + 1];

	acpi_sig_str(rs, root->signature);
	if (body % entry_len)
		pr_warn(ACPI_LOG, "table %s: %u trailing bytes ignored", rs, body % entry_len);
	if (n > ACPI_MAX_ROOT_ENTRIES) {
		pr_warn(ACPI_LOG, "table %s: %u entries, only the first %u read", rs, n,
			ACPI_MAX_ROOT_ENTRIES);
		n = ACPI_MAX_ROOT_ENTRIES;
	}
	for (u32 i = 0; i < n; i++) {
		const struct acpi_sdt_header *t;
		u64 addr = 0;

		if (ai->ntables >= ACPI_MAX_TABLES) {
			pr_warn(ACPI_LOG, "table %s: more than %u valid tables, entries from %u on ignored",
				rs, ACPI_MAX_TABLES, i);
			break;
		}
		if (entry_len == ACPI_XSDT_ENTRY_LEN) {
			memcpy(&addr, entries + i * entry_len, sizeof(addr));
		} else {
			u32 a32;
			memcpy(&a32, entries + i * entry_len, sizeof(a32));
			addr = a32;
		}
		if (addr == 0) {
			pr_warn(ACPI_LOG, "table %s: entry %u is null, ignored", rs, i);
			continue;
		}
		t = acpi_table_check(addr, NULL);
		if (t)
			acpi_record_table(ai, t->signature, addr, t->length);
	}
}

/* Returns the XSDT address the RSDP offers, or 0 if its revision 2 part is absent or invalid. */
static u64 rsdp_xsdt(const struct acpi_rsdp *r, u64 rsdp_phys)
{
	const struct acpi_rsdp *v2 = acpi_map(rsdp_phys, ACPI_RSDP_V2_LEN);
	unsigned long long p = rsdp_phys;
	u32 len;

	if (!v2) {
		pr_warn(ACPI_LOG, "RSDP at 0x%llx: revision %u part not in firmware memory, using the RSDT",
			p, r->revision);
		return 0;
	}
	len = v2->length;
	if (len < ACPI_RSDP_V2_LEN || len > ACPI_RSDP_MAX_LEN || !acpi_map(rsdp_phys, len)) {
		pr_warn(ACPI_LOG, "RSDP at 0x%llx: bad length %u, using the RSDT", p, len);
		return 0;
	}
	if (acpi_sum(v2, len) != 0) {
		pr_warn(ACPI_LOG, "RSDP at 0x%llx: bad extended checksum, using the RSDT", p);
		return 0;
	}
	return v2->xsdt_address;
}

/* Parses the first instance of each table Moat uses. */
static void parse_known_tables(struct acpi_info *ai)
{
	const struct acpi_sdt_header *t;

	t = acpi_find_table(ai, "FACP", 0);
	if (t)
		acpi_fadt_parse(t, ai);
	t = acpi_find_table(ai, "APIC", 0);
	if (t)
		acpi_madt_parse(t, ai);
	t = acpi_find_table(ai, "MCFG", 0);
	if (t)
		acpi_mcfg_parse(t, ai);
	t = acpi_find_table(ai, "TPM2", 0);
	if (t)
		acpi_tpm2_parse(t, ai);
	for (u32 i = 0; i < ai->ntables; i++) {
		if (memcmp(ai->tables[i].sig, "DMAR", ACPI_SIG_LEN) == 0) {
			ai->have_dmar = true;
			ai->dmar_phys = ai->tables[i].phys;
			ai->dmar_len = ai->tables[i].len;
			break;
		}
	}
}

int acpi_parse(u64 rsdp_phys, struct acpi_info *out)
{
	const struct acpi_rsdp *r;
	const struct acpi_sdt_header *root = NULL;
	unsigned long long p = rsdp_phys;
	u64 xsdt = 0;

	memset(out, 0, sizeof(*out));
	out->rsdp_phys = rsdp_phys;
	if (rsdp_phys == 0)
		return -1;
	r = acpi_map(rsdp_phys, ACPI_RSDP_V1_LEN);
	if (!r) {
		pr_err(ACPI_LOG, "RSDP at 0x%llx: not in firmware memory, ACPI ignored", p);
		return -1;
	}
	if (memcmp(r->signature, ACPI_RSDP_SIG, ACPI_RSDP_SIG_LEN) != 0) {
		pr_err(ACPI_LOG, "RSDP at 0x%llx: bad signature, ACPI ignored", p);
		return -1;
	}
	if (acpi_sum(r, ACPI_RSDP_V1_LEN) != 0) {
		pr_err(ACPI_LOG, "RSDP at 0x%llx: bad checksum, ACPI ignored", p);
		return -1;
	}
	out->revision = r->revision;
	memcpy(out->oem_id, r->oem_id, ACPI_OEM_ID_LEN);
	out->oem_id[ACPI_OEM_ID_LEN] = '\0';

	if (r->revision >= ACPI_RSDP_REV_XSDT)
		xsdt = rsdp_xsdt(r, rsdp_phys);
	if (xsdt) {
		root = acpi_table_check(xsdt, "XSDT");
		if (root) {
			out->used_xsdt = true;
			walk_root(root, ACPI_XSDT_ENTRY_LEN, out);
		}
	}
	if (!root && r->rsdt_address) {
		root = acpi_table_check(r->rsdt_address, "RSDT");
		if (root) {
			if (xsdt)
				pr_info(ACPI_LOG, "XSDT unusable, using the RSDT at 0x%x", r->rsdt_address);
			walk_root(root, ACPI_RSDT_ENTRY_LEN, out);
		}
	}
	if (!root) {
		pr_err(ACPI_LOG, "RSDP at 0x%llx: no valid XSDT or RSDT, ACPI ignored", p);
		out->ntables = 0;
		return -2;
	}
	out->present = true;
	parse_known_tables(out);
	return 0;
}

const struct acpi_sdt_header *acpi_find_table(const struct acpi_info *ai, const char sig[ACPI_SIG_LEN],
					      u32 instance)
{
	for (u32 i = 0; i < ai->ntables && i < ACPI_MAX_TABLES; i++) {
		if (memcmp(ai->tables[i].sig, sig, ACPI_SIG_LEN) != 0)
			continue;
		if (instance-- == 0)
			return (const struct acpi_sdt_header *)(uintptr_t)ai->tables[i].phys;
	}
	return NULL;
}

void acpi_log_summary(const struct acpi_info *ai)
{
	char buf[ACPI_MAX_TABLES * (ACPI_SIG_LEN + 1) + 1];
	size_t pos = 0;

	if (!ai->present) {
		if (ai->rsdp_phys == 0)
			pr_info(ACPI_LOG, "none (no RSDP from firmware)");
		else
			pr_info(ACPI_LOG, "none (RSDP at 0x%llx unusable)",
				(unsigned long long)ai->rsdp_phys);
		return;
	}
	buf[0] = '\0';
	for (u32 i = 0; i < ai->ntables && i < ACPI_MAX_TABLES; i++) {
		buf[pos++] = ' ';
		memcpy(buf + pos, ai->tables[i].sig, ACPI_SIG_LEN);
		pos += ACPI_SIG_LEN;
		buf[pos] = '\0';
	}
	pr_info(ACPI_LOG, "tables%s", buf);
}
