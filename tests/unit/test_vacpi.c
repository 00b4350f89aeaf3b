/* tests/unit/test_vacpi.c: the ACPI tables of a Linux VM (vmm/vacpi.c): every checksum, the RSDP ->
 * XSDT -> FADT/MADT -> DSDT chain at the guest-physical addresses given, the FADT's hardware-reduced
 * flag and the ports Moat traps, one enabled local APIC, and the DSDT's \_S5 and COM1 device. */
#include <stdint.h>
#include <string.h>
#include "check.h"
#include "vmm/vacpi.h"

#define GPA 0xE0000ULL
static unsigned char page[VACPI_SIZE];

static unsigned sum(const unsigned char *p, size_t n)
{
	unsigned s = 0;
	for (size_t i = 0; i < n; i++)
		s += p[i];
	return s & 0xff;
}

static uint32_t r32(const unsigned char *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static uint64_t r64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static const unsigned char *at(uint64_t gpa) { return page + (gpa - GPA); }

static const unsigned char *table(uint64_t gpa, const char *sig)
{
	const unsigned char *t = at(gpa);
	CHECK(gpa >= GPA && gpa < GPA + VACPI_SIZE);
	CHECK(memcmp(t, sig, 4) == 0);
	CHECK(sum(t, r32(t + 4)) == 0);
	return t;
}

static bool contains(const unsigned char *p, size_t n, const void *what, size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(p + i, what, len) == 0)
			return true;
	return false;
}

static void test_vacpi_chain(void)
{
	uint64_t rsdp = vacpi_build(page, sizeof(page), GPA);
	CHECK(rsdp == GPA);
	const unsigned char *r = at(rsdp);
	CHECK(memcmp(r, "RSD PTR ", 8) == 0);
	CHECK(sum(r, 20) == 0 && sum(r, 36) == 0);
	CHECK(r[15] == 2 && r32(r + 20) == 36);
	const unsigned char *x = table(r64(r + 24), "XSDT");
	CHECK(r32(x + 4) == 36 + 16);
	const unsigned char *f = table(r64(x + 36), "FACP");
	const unsigned char *m = table(r64(x + 44), "APIC");
	/* FADT: hardware-reduced, reset register supported, revision 6, 276 bytes */
	CHECK(r32(f + 4) == 276 && f[8] == 6);
	CHECK(r32(f + 112) & (1u << 20));
	CHECK(r32(f + 112) & (1u << 10));
	CHECK(f[116] == 1 && r64(f + 120) == VACPI_RESET_PORT && f[128] == VACPI_RESET_VALUE);
	CHECK(f[244] == 1 && f[245] == 8 && r64(f + 248) == VACPI_SLEEP_CONTROL_PORT);
	CHECK(f[256] == 1 && r64(f + 260) == VACPI_SLEEP_STATUS_PORT);
	const unsigned char *d = table(r64(f + 140), "DSDT");
	CHECK(r32(f + 40) == (uint32_t)r64(f + 140));
	/* MADT: one enabled local APIC, ID 0, no 8259 */
	CHECK(r32(m + 4) == 44 + 8 && r32(m + 36) == 0xfee00000u && r32(m + 40) == 0);
	CHECK(m[44] == 0 && m[45] == 8 && m[47] == 0 && (r32(m + 48) & 1));
	/* DSDT: \_S5 = Package {5, 5, 0, 0}; COM1 PNP0501 with 8 ports at 0x3F8 */
	static const unsigned char s5[] = {0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04, 0x0a, VACPI_S5_TYP};
	static const unsigned char hid[] = {'_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01};
	static const unsigned char io[] = {0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08, 0x79, 0x00};
	uint32_t dl = r32(d + 4);
	CHECK(contains(d, dl, s5, sizeof(s5)));
	CHECK(contains(d, dl, hid, sizeof(hid)));
	CHECK(contains(d, dl, io, sizeof(io)));
}

static void test_vacpi_too_small(void)
{
	CHECK(vacpi_build(page, 64, GPA) == 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_vacpi_chain),
	UNIT_TEST(test_vacpi_too_small),
};
UNIT_SUITE(vacpi_suite, tests);
