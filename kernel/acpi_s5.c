/* kernel/acpi_s5.c: finds the S5 (soft-off) sleep type values in the DSDT's AML without an interpreter:
 * NameOp "_S5_" (optionally root-prefixed) followed by PackageOp, whose first two elements are
 * integer constants (ZeroOp, OneOp, or Byte/Word/DWord/QWord prefix). Every read is bounds-checked
 * against the DSDT's validated length. */
#include "acpi_internal.h"
#include "log.h"
#include "string.h"

#define AML_NAMESEG_LEN 4
#define AML_PKGLEN_MAX_BYTES 4

/* Decodes a PkgLength at p (avail bytes readable). Returns the bytes it occupies, 0 if malformed. */
static u32 aml_pkglen(const u8 *p, u32 avail, u32 *value)
{
	u32 follow, v;

	if (avail < 1)
		return 0;
	follow = p[0] >> AML_PKGLEN_FOLLOW_SHIFT;
	if (follow + 1 > avail)
		return 0;
	if (follow == 0) {
		*value = p[0] & AML_PKGLEN_SHORT_MASK;
		return 1;
	}
	v = p[0] & AML_PKGLEN_LONG_MASK;
	for (u32 i = 1; i <= follow; i++)
		v |= (u32)p[i] << (4 + 8 * (i - 1));
	*value = v;
	return follow + 1;
}

/* Decodes a constant integer at p. Returns the bytes it occupies, 0 if not an integer constant. */
static u32 aml_integer(const u8 *p, u32 avail, u64 *value)
{
	u32 n;

	if (avail < 1)
		return 0;
	switch (p[0]) {
	case AML_ZERO_OP:
		*value = 0;
		return 1;
	case AML_ONE_OP:
		*value = 1;
		return 1;
	case AML_ONES_OP:
		*value = UINT64_MAX;
		return 1;
	case AML_BYTE_PREFIX:
		n = 1;
		break;
	case AML_WORD_PREFIX:
		n = 2;
		break;
	case AML_DWORD_PREFIX:
		n = 4;
		break;
	case AML_QWORD_PREFIX:
		n = 8;
		break;
	default:
		return 0;
	}
	if (avail < 1 + n)
		return 0;
	*value = 0;
	for (u32 i = 0; i < n; i++)
		*value |= (u64)p[1 + i] << (8 * i);
	return 1 + n;
}

/* Offset of the first "_S5_" NameOp + PackageOp at or after `from` (in aml[0..len)), or len. */
static u32 find_s5_name(const u8 *aml, u32 len, u32 from)
{
	for (u32 i = from; i + AML_NAMESEG_LEN < len; i++) {
		bool named;

		if (memcmp(aml + i, "_S5_", AML_NAMESEG_LEN) != 0)
			continue;
		named = (i >= 1 && aml[i - 1] == AML_NAME_OP) ||
			(i >= 2 && aml[i - 1] == AML_ROOT_CHAR && aml[i - 2] == AML_NAME_OP);
		if (named && aml[i + AML_NAMESEG_LEN] == AML_PACKAGE_OP)
			return i;
	}
	return len;
}

/* Parses the package whose PackageOp is at aml[pos]; returns false (after one log line) if unusable. */
static bool parse_s5_package(const u8 *aml, u32 len, u32 pos, u64 phys, struct acpi_info *ai)
{
	unsigned long long at = phys + ACPI_HDR_LEN + pos;
	u32 pkglen, nlen, end, count;
	u64 typ[2];

	pos++; /* PackageOp */
	nlen = aml_pkglen(aml + pos, len - pos, &pkglen);
	if (nlen == 0 || pkglen < nlen + 1 || pkglen > len - pos) {
		pr_warn(ACPI_LOG, "table DSDT: _S5_ package at 0x%llx is malformed, ignored", at);
		return false;
	}
	end = pos + pkglen;
	pos += nlen;
	count = aml[pos++]; /* NumElements */
	if (count < 2) {
		pr_warn(ACPI_LOG, "table DSDT: _S5_ package at 0x%llx has %u element%s (need 2), ignored", at,
			count, count == 1 ? "" : "s");
		return false;
	}
	for (int i = 0; i < 2; i++) {
		u32 n = aml_integer(aml + pos, end - pos, &typ[i]);
		if (n == 0 || typ[i] > ACPI_SLP_TYP_MAX) {
			pr_warn(ACPI_LOG,
				"table DSDT: _S5_ package at 0x%llx: element %d is not a sleep type, ignored",
				at, i);
			return false;
		}
		pos += n;
	}
	ai->have_s5 = true;
	ai->slp_typ_a = (u8)typ[0];
	ai->slp_typ_b = (u8)typ[1];
	return true;
}

void acpi_s5_find(const struct acpi_sdt_header *dsdt, struct acpi_info *ai)
{
	const u8 *aml = (const u8 *)dsdt + ACPI_HDR_LEN;
	u32 len = dsdt->length - ACPI_HDR_LEN;
	u32 pos = find_s5_name(aml, len, 0);

	if (pos == len) {
		pr_info(ACPI_LOG, "table DSDT: no _S5_ package, power-off unavailable");
		return;
	}
	parse_s5_package(aml, len, pos + AML_NAMESEG_LEN, ai->dsdt_phys, ai);
}
