/* tests/unit/test_gpa_range.c: a range minus its holes (vmm/gpa_range.c), as the PCI host bridge's
 * memory windows of a Linux VM are cut around its identity alias and the RMRR ranges its DMA domain
 * maps: pieces in address order, rounded inwards, holes unordered and overlapping, the output bound. */
#include "check.h"
#include "vmm/gpa_range.h"

#define ALIGN MiB(1)
#define LOW_END 0xfec00000ULL

static void no_hole(void)
{
	struct gpa_range out[4];
	u32 n = 0;
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x08000123, LOW_END}, NULL, 0, ALIGN, out, &n, 4), 0);
	CHECK_EQ(n, 1);
	CHECK_EQ(out[0].base, 0x08100000);
	CHECK_EQ(out[0].end, LOW_END);
}

static void holes_cut_in_order(void)
{
	/* an identity alias and two RMRRs, given out of order, one RMRR inside the alias's 1 MiB rounding,
	 * one hole outside the range, one empty */
	const struct gpa_range holes[] = {
	    {0xdf800000, 0xe0000000},		  /* RMRR */
	    {0x40000000, 0x48000000},		  /* identity alias */
	    {0x9c000000, 0x9c001000},		  /* a 4 KiB RMRR */
	    {0x100000000ULL, 0x200000000ULL}, /* above the range */
	    {0x30000000, 0x30000000},		  /* empty */
	};
	struct gpa_range out[8];
	u32 n = 0;
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x08000000, LOW_END}, holes, 5, ALIGN, out, &n, 8), 0);
	CHECK_EQ(n, 4);
	CHECK_EQ(out[0].base, 0x08000000);
	CHECK_EQ(out[0].end, 0x40000000);
	CHECK_EQ(out[1].base, 0x48000000);
	CHECK_EQ(out[1].end, 0x9c000000);
	CHECK_EQ(out[2].base, 0x9c100000); /* rounded up past the 4 KiB hole */
	CHECK_EQ(out[2].end, 0xdf800000);
	CHECK_EQ(out[3].base, 0xe0000000);
	CHECK_EQ(out[3].end, LOW_END);
	for (u32 i = 0; i < n; i++)
		for (u32 h = 0; h < 5; h++)
			CHECK(!(holes[h].end > holes[h].base && holes[h].base < out[i].end && holes[h].end > out[i].base));
}

static void overlapping_and_covering(void)
{
	const struct gpa_range holes[] = {
	    {0x10000000, 0x30000000},
	    {0x20000000, 0x40000000}, /* overlaps the first */
	    {0x00000000, 0x08100000}, /* covers the range's start */
	    {0x40000000, 0x40080000}, /* adjacent, smaller than the alignment: the next piece starts at 0x40100000 */
	};
	struct gpa_range out[4];
	u32 n = 0;
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x08000000, 0x50000000}, holes, 4, ALIGN, out, &n, 4), 0);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].base, 0x08100000);
	CHECK_EQ(out[0].end, 0x10000000);
	CHECK_EQ(out[1].base, 0x40100000);
	CHECK_EQ(out[1].end, 0x50000000);
	/* a hole covering everything: nothing left */
	const struct gpa_range all = {0, 0x60000000};
	n = 0;
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x08000000, 0x50000000}, &all, 1, ALIGN, out, &n, 4), 0);
	CHECK_EQ(n, 0);
	/* a piece smaller than the alignment vanishes */
	const struct gpa_range most = {0x08080000, 0x50000000};
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x08000000, 0x50000000}, &most, 1, ALIGN, out, &n, 4), 0);
	CHECK_EQ(n, 0);
}

static void output_bound(void)
{
	const struct gpa_range holes[] = {{0x20000000, 0x21000000}, {0x40000000, 0x41000000}};
	struct gpa_range out[3];
	u32 n = 1; /* appends after what is there */
	out[0] = (struct gpa_range){1, 2};
	CHECK_EQ(gpa_range_subtract((struct gpa_range){0x10000000, 0x50000000}, holes, 2, ALIGN, out, &n, 2), 2);
	CHECK_EQ(n, 2);
	CHECK_EQ(out[0].end, 2);
	CHECK_EQ(out[1].base, 0x10000000);
	CHECK_EQ(out[1].end, 0x20000000);
}

static const struct unit_test tests[] = {
    UNIT_TEST(no_hole),
    UNIT_TEST(holes_cut_in_order),
    UNIT_TEST(overlapping_and_covering),
    UNIT_TEST(output_bound),
};
UNIT_SUITE(gpa_range_suite, tests);
