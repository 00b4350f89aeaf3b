/* tests/unit/test_mmio_own.c: the table of MMIO ranges Moat drives itself (kernel/mmio_own.c), which
 * vpci_bar_probe consults before a device BAR is mapped into a guest: overlap at every edge, names
 * and extents reported, bad ranges and a full table refused, wrapping queries overlapping all. */
#include "check.h"
#include "kernel/mmio_own.h"

#define ECAM 0xb0000000ULL
#define ECAM_SIZE 0x10000000ULL
#define VTD 0xfed90000ULL
#define PAGE 0x1000ULL

static void overlap_edges(void)
{
	u64 b = 0, s = 0;
	mmio_own_reset();
	CHECK_EQ(mmio_own_add(ECAM, ECAM_SIZE, "PCI configuration space (ECAM, segment 0)"), 0);
	CHECK_EQ(mmio_own_add(VTD, PAGE, "VT-d unit 0 registers"), 0);
	CHECK(mmio_own_overlap(ECAM - PAGE, PAGE, &b, &s) == NULL);	     /* ends right below */
	CHECK(mmio_own_overlap(ECAM + ECAM_SIZE, PAGE, &b, &s) == NULL); /* starts right above */
	CHECK_STR(mmio_own_overlap(ECAM - PAGE, 2 * PAGE, &b, &s), "PCI configuration space (ECAM, segment 0)");
	CHECK_EQ(b, ECAM);
	CHECK_EQ(s, ECAM_SIZE);
	CHECK_STR(mmio_own_overlap(ECAM + ECAM_SIZE - 1, 1, &b, &s), "PCI configuration space (ECAM, segment 0)");
	CHECK_STR(mmio_own_overlap(0xfe000000ULL, 0x2000000ULL, &b, &s), "VT-d unit 0 registers"); /* covers it */
	CHECK_EQ(b, VTD);
	CHECK(mmio_own_overlap(VTD + PAGE, PAGE, &b, &s) == NULL);
	CHECK(mmio_own_overlap(0, 0, &b, &s) == NULL);
	CHECK(mmio_own_overlap(~0ULL - PAGE, 2 * PAGE, &b, &s) != NULL); /* wraps: overlaps everything */
}

static void refusals(void)
{
	u64 b = 0, s = 0;
	mmio_own_reset();
	CHECK_EQ(mmio_own_add(VTD, 0, "empty"), -1);
	CHECK_EQ(mmio_own_add(~0ULL - PAGE + 1, 2 * PAGE, "wrapping"), -1);
	CHECK(mmio_own_overlap(VTD, PAGE, &b, &s) == NULL); /* neither was recorded */
	for (u32 i = 0; i < MMIO_OWN_MAX; i++)
		CHECK_EQ(mmio_own_add(i * PAGE, PAGE, "page"), 0);
	CHECK_EQ(mmio_own_add(VTD, PAGE, "one too many"), -1);
	CHECK(mmio_own_overlap(VTD, PAGE, &b, &s) == NULL);
	CHECK_STR(mmio_own_overlap((MMIO_OWN_MAX - 1) * PAGE, 1, &b, &s), "page");
	mmio_own_reset();
	CHECK(mmio_own_overlap(0, PAGE, &b, &s) == NULL);
}

static void long_name_cut(void)
{
	u64 b = 0, s = 0;
	mmio_own_reset();
	CHECK_EQ(mmio_own_add(VTD, PAGE, "a name far longer than the forty-eight bytes the table keeps for each"), 0);
	const char *n = mmio_own_overlap(VTD, PAGE, &b, &s);
	CHECK(n != NULL);
	CHECK_EQ(__builtin_strlen(n), MMIO_OWN_NAME_MAX - 1);
	mmio_own_reset();
}

static const struct unit_test tests[] = {
    UNIT_TEST(overlap_edges),
    UNIT_TEST(refusals),
    UNIT_TEST(long_name_cut),
};
UNIT_SUITE(mmio_own_suite, tests);
