/* tests/unit/test_vacpi.c: the ACPI tables of a Linux VM (vmm/vacpi.c): every checksum, the RSDP ->
 * XSDT -> FADT/MADT -> DSDT chain at the guest-physical addresses given, the FADT's hardware-reduced
 * flag and the ports Moat traps, one enabled local APIC, and the DSDT's \_S5 and COM1 device; with
 * devices, the PCI host bridge (vmm/vacpi_pci.c): PNP0A03, _BBN 0, and a _CRS with bus 0, the CF8
 * ports and each memory window (DWord below 4 GiB, QWord above), every PkgLength consistent. */
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
	uint64_t rsdp = vacpi_build(page, sizeof(page), GPA, NULL);
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
	CHECK(vacpi_build(page, 64, GPA, NULL) == 0);
}

/* A PkgLength at p: its value and (in *n) its own size. */
static uint32_t pkglen(const unsigned char *p, uint32_t *n)
{
	*n = 1 + (p[0] >> 6);
	if (*n == 1)
		return p[0] & 0x3f;
	uint32_t v = p[0] & 0xf;
	for (uint32_t i = 1; i < *n; i++)
		v |= (uint32_t)p[i] << (4 + 8 * (i - 1));
	return v;
}

static const unsigned char *find(const unsigned char *p, size_t n, const void *what, size_t len)
{
	for (size_t i = 0; i + len <= n; i++)
		if (memcmp(p + i, what, len) == 0)
			return p + i;
	return NULL;
}

static void test_vacpi_pci_bridge(void)
{
	const struct vacpi_pci pci = {
	    .nwin = 2,
	    .win = {{0x08000000ULL, 0xfec00000ULL - 0x08000000ULL}, {0x100000000ULL, 0x7f00000000ULL}},
	};
	CHECK(vacpi_build(page, sizeof(page), GPA, &pci) == GPA);
	const unsigned char *x = table(r64(at(GPA) + 24), "XSDT");
	const unsigned char *f = table(r64(x + 36), "FACP");
	const unsigned char *d = table(r64(f + 140), "DSDT");
	uint32_t dl = r32(d + 4);
	/* still \_S5 and COM1 */
	static const unsigned char hid_com1[] = {'_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01};
	CHECK(contains(d, dl, hid_com1, sizeof(hid_com1)));
	/* the second Scope (\_SB) runs exactly to the end of the DSDT and holds Device (PCI0) */
	static const unsigned char sb[] = {'\\', '_', 'S', 'B', '_', 0x5b, 0x82};
	const unsigned char *scope = NULL, *p = d + 36;
	while ((p = find(p, (size_t)(d + dl - p), sb, sizeof(sb))) != NULL) {
		scope = p;
		p++;
	}
	CHECK(scope != NULL);
	if (!scope)
		return;
	/* ScopeOp PkgLength sits before the name: walk back over it (1 or 2 bytes) */
	uint32_t n;
	const unsigned char *op = scope[-2] == 0x10 ? scope - 2 : scope - 3;
	CHECK(op[0] == 0x10);
	CHECK(op + 1 + pkglen(op + 1, &n) == d + dl);
	const unsigned char *dev = scope + sizeof(sb);
	CHECK(dev + pkglen(dev, &n) == d + dl);
	CHECK(memcmp(dev + n, "PCI0", 4) == 0);
	static const unsigned char hid[] = {0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0a, 0x03};
	static const unsigned char bbn[] = {0x08, '_', 'B', 'B', 'N', 0x00};
	static const unsigned char uid[] = {0x08, '_', 'U', 'I', 'D', 0x00};
	CHECK(contains(d, dl, hid, sizeof(hid)));
	CHECK(contains(d, dl, bbn, sizeof(bbn)));
	CHECK(contains(d, dl, uid, sizeof(uid)));
	/* _CRS: BufferOp PkgLength BytePrefix size, then the template up to the end tag */
	static const unsigned char crs_name[] = {0x08, '_', 'C', 'R', 'S', 0x11};
	const unsigned char *crs = find(dev, (size_t)(d + dl - dev), crs_name, sizeof(crs_name)); /* not COM1 */
	CHECK(crs != NULL);
	if (!crs)
		return;
	const unsigned char *buf = crs + sizeof(crs_name);
	uint32_t blen = pkglen(buf, &n);
	CHECK(buf + blen == d + dl);
	CHECK(buf[n] == 0x0a);
	const unsigned char *t = buf + n + 2;
	CHECK(t + buf[n + 1] == d + dl);
	/* WordBusNumber producer, bus 0 only */
	static const unsigned char bus[] = {0x88, 13, 0, 2, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0};
	CHECK(memcmp(t, bus, sizeof(bus)) == 0);
	t += sizeof(bus);
	static const unsigned char io[] = {0x47, 0x01, 0xf8, 0x0c, 0xf8, 0x0c, 0x01, 0x08};
	CHECK(memcmp(t, io, sizeof(io)) == 0);
	t += sizeof(io);
	/* DWordMemory: min, max, length */
	CHECK(t[0] == 0x87 && t[1] == 23 && t[3] == 0 && t[4] == 0x0c && t[5] == 0x01);
	CHECK(r32(t + 10) == 0x08000000u && r32(t + 14) == 0xfebfffffu && r32(t + 22) == 0xfec00000u - 0x08000000u);
	t += 3 + 23;
	/* QWordMemory above 4 GiB */
	CHECK(t[0] == 0x8a && t[1] == 43 && t[3] == 0);
	CHECK(r64(t + 14) == 0x100000000ULL && r64(t + 22) == 0x7fffffffffULL && r64(t + 38) == 0x7f00000000ULL);
	t += 3 + 43;
	CHECK(t[0] == 0x79 && t + 2 == d + dl);
}

/* A bridge that cannot fit leaves the page untouched. */
static void test_vacpi_pci_too_small(void)
{
	const struct vacpi_pci pci = {.nwin = 1, .win = {{0x08000000ULL, 0x10000000ULL}}};
	memset(page, 0xa5, sizeof(page));
	CHECK(vacpi_build(page, 0x200 + 36 + 40, GPA, &pci) == 0);
	CHECK(page[0] == 0xa5);
}

/* As many windows as a VM can get, all QWord (the largest descriptor): they fit, each one is there. */
static void test_vacpi_pci_most_windows(void)
{
	struct vacpi_pci pci = {.nwin = VACPI_PCI_WINDOWS};
	for (u32 i = 0; i < VACPI_PCI_WINDOWS; i++)
		pci.win[i] = (struct vacpi_pci_window){0x100000000ULL * (i + 1), 0x10000000ULL};
	CHECK(vacpi_build(page, sizeof(page), GPA, &pci) == GPA);
	const unsigned char *x = table(r64(at(GPA) + 24), "XSDT");
	const unsigned char *f = table(r64(x + 36), "FACP");
	const unsigned char *d = table(r64(f + 140), "DSDT");
	uint32_t dl = r32(d + 4);
	for (u32 i = 0; i < VACPI_PCI_WINDOWS; i++) {
		unsigned char min[8];
		uint64_t v = pci.win[i].base;
		memcpy(min, &v, sizeof(min));
		CHECK(contains(d, dl, min, sizeof(min)));
	}
	static const unsigned char end[] = {0x79, 0x00};
	CHECK(memcmp(d + dl - 2, end, 2) == 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_vacpi_pci_most_windows),
	UNIT_TEST(test_vacpi_chain),
	UNIT_TEST(test_vacpi_too_small),
	UNIT_TEST(test_vacpi_pci_bridge),
	UNIT_TEST(test_vacpi_pci_too_small),
};
UNIT_SUITE(vacpi_suite, tests);
