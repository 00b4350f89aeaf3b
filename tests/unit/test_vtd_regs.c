/* tests/unit/test_vtd_regs.c: VT-d CAP/ECAP decoding (QEMU's intel-iommu values from PLATFORMS.md and
 * its aw-bits=48 / caching-mode variants) and vtd_unit_probe over a fake register page in memory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "iommu/unit_probe.h"
#include "iommu/vtd_regs.h"

#define QEMU_VER 0x10
#define QEMU_CAP 0x00d2008c22260206ULL
#define QEMU_ECAP 0x0000000000f00f4aULL
/* aw-bits=48: SAGAW 39+48-bit, MGAW 48. */
#define QEMU_CAP_AW48 0x00d2008c222f0606ULL

static void vtd_field_helpers(void)
{
	CHECK_EQ(VTD_FIELD_MASK(33, 24), 0x3ff000000ULL);
	CHECK_EQ(VTD_FIELD_MASK(63, 0), ~0ULL);
	CHECK_EQ(VTD_FIELD_MASK(0, 0), 1);
	CHECK_EQ(VTD_FIELD_GET(0xabcd, 11, 4), 0xbc);
	CHECK_EQ(VTD_FIELD_GET(~0ULL, 63, 60), 0xf);
}

static void vtd_offsets(void)
{
	CHECK_EQ(VTD_VER_REG, 0x00);
	CHECK_EQ(VTD_CAP_REG, 0x08);
	CHECK_EQ(VTD_ECAP_REG, 0x10);
	CHECK_EQ(VTD_GCMD_REG, 0x18);
	CHECK_EQ(VTD_GSTS_REG, 0x1c);
	CHECK_EQ(VTD_RTADDR_REG, 0x20);
	CHECK_EQ(VTD_CCMD_REG, 0x28);
	CHECK_EQ(VTD_FSTS_REG, 0x34);
	CHECK_EQ(VTD_FECTL_REG, 0x38);
	CHECK_EQ(VTD_IQH_REG, 0x80);
	CHECK_EQ(VTD_IQA_REG, 0x90);
	CHECK_EQ(VTD_ICS_REG, 0x9c);
	CHECK_EQ(VTD_IRTA_REG, 0xb8);
	CHECK_EQ(VTD_GCMD_TE, 1ULL << 31);
	CHECK_EQ(VTD_GCMD_SRTP, 1ULL << 30);
	CHECK_EQ(VTD_GCMD_IRE, 1ULL << 25);
	CHECK_EQ(VTD_GSTS_QIES, 1ULL << 26);
}

static void vtd_decode_qemu(void)
{
	struct vtd_unit_caps c;
	char buf[192];

	memset(&c, 0, sizeof(c));
	vtd_caps_decode(QEMU_VER, QEMU_CAP, QEMU_ECAP, &c);
	CHECK_EQ(c.ver_major, 1);
	CHECK_EQ(c.ver_minor, 0);
	CHECK_EQ(c.sagaw, VTD_SAGAW_39_3LEVEL);
	CHECK_EQ(c.mgaw, 39);
	CHECK(c.sl_2m);
	CHECK(c.sl_1g);
	CHECK_EQ(c.num_domains, 65536);
	CHECK_EQ(c.nfr, 1);
	CHECK_EQ(c.fro, 0x220);
	CHECK_EQ(c.iro, 0xf0);
	CHECK_EQ(c.mamv, 18);
	CHECK_EQ(c.mhmv, 15);
	CHECK(c.psi);
	CHECK(!c.cm);
	CHECK(c.dwd);
	CHECK(c.drd);
	CHECK(!c.rwbf);
	CHECK(!c.zlr);
	CHECK(!c.afl);
	CHECK(!c.plmr && !c.phmr);
	CHECK(c.qi);
	CHECK(c.ir);
	CHECK(!c.eim);
	CHECK(c.pt);
	CHECK(!c.c);
	CHECK(!c.sc);
	CHECK(!c.dt);

	CHECK_EQ(vtd_caps_describe(&c, buf, sizeof(buf)), strlen(buf));
	CHECK_STR(buf, "agaw 39-bit 3-level, sllps 2M 1G, domains 65536, frcd 1 at 0x220, psi, cm=0, qi, "
		       "ir, eim=no, pt, c=0");
}

static void vtd_decode_variants(void)
{
	struct vtd_unit_caps c;
	char buf[192];

	memset(&c, 0, sizeof(c));
	vtd_caps_decode(QEMU_VER, QEMU_CAP_AW48 | VTD_CAP_CM, QEMU_ECAP, &c);
	CHECK_EQ(c.sagaw, VTD_SAGAW_39_3LEVEL | VTD_SAGAW_48_4LEVEL);
	CHECK_EQ(c.mgaw, 48);
	CHECK(c.cm);
	vtd_caps_describe(&c, buf, sizeof(buf));
	CHECK_HAS(buf, "agaw 39-bit 3-level/48-bit 4-level, ");
	CHECK_HAS(buf, ", cm=1, ");

	/* A unit with little: no large pages, no PSI/QI/IR/PT, but EIM and coherency; 4 FRCDs. */
	u64 cap = (0x2ULL << VTD_CAP_ND_LO) | VTD_SAGAW_48_4LEVEL << VTD_CAP_SAGAW_LO |
		  (47ULL << VTD_CAP_MGAW_LO) | (0x40ULL << VTD_CAP_FRO_LO) | (3ULL << VTD_CAP_NFR_LO);
	u64 ecap = VTD_ECAP_C | VTD_ECAP_EIM | (0x50ULL << VTD_ECAP_IRO_LO);
	vtd_caps_decode(0x60, cap, ecap, &c);
	CHECK_EQ(c.ver_major, 6);
	CHECK_EQ(c.num_domains, 256);
	CHECK_EQ(c.nfr, 4);
	CHECK_EQ(c.fro, 0x400);
	CHECK_EQ(c.iro, 0x500);
	vtd_caps_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "agaw 48-bit 4-level, sllps none, domains 256, frcd 4 at 0x400, no-psi, cm=0, no-qi, "
		       "no-ir, eim=yes, no-pt, c=1");

	/* No supported width at all. */
	vtd_caps_decode(0x10, 1ULL << VTD_CAP_FRO_LO, 0, &c);
	vtd_caps_describe(&c, buf, sizeof(buf));
	CHECK_HAS(buf, "agaw none, ");
}

static void vtd_describe_truncates(void)
{
	struct vtd_unit_caps c;
	char buf[12];

	vtd_caps_decode(QEMU_VER, QEMU_CAP, QEMU_ECAP, &c);
	memset(buf, 'x', sizeof(buf));
	int n = vtd_caps_describe(&c, buf, sizeof(buf));
	CHECK_STR(buf, "agaw 39-bit");
	CHECK(n > (int)sizeof(buf));
	CHECK_EQ(vtd_caps_describe(&c, buf, 0), n); /* size 0: nothing written */
}

/* A register page in ordinary memory stands in for the unit's MMIO. */
static void vtd_probe_fake_unit(void)
{
	u8 *regs = calloc(1, 0x1000);
	struct vtd_unit_caps c;
	char want[160];
	u32 ver = QEMU_VER;
	u64 cap = QEMU_CAP, ecap = QEMU_ECAP;

	CHECK(regs != NULL);
	if (!regs)
		return;
	memcpy(regs + VTD_VER_REG, &ver, 4);
	memcpy(regs + VTD_CAP_REG, &cap, 8);
	memcpy(regs + VTD_ECAP_REG, &ecap, 8);
	u64 base = (u64)(uintptr_t)regs;

	CHECK_EQ(vtd_unit_probe(0, base, &c), 0);
	CHECK_EQ(c.index, 0);
	CHECK_EQ(c.base, base);
	CHECK_EQ(c.cap, QEMU_CAP);
	snprintf(want, sizeof(want),
		 "moat: iommu: unit 0 at 0x%llx ver 1.0 cap 0x00d2008c22260206 ecap "
		 "0x0000000000f00f4a\n",
		 (unsigned long long)base);
	CHECK(host_log_has(want));
	CHECK(host_log_has("moat: iommu: unit 0: agaw 39-bit 3-level, sllps 2M 1G, domains 65536, frcd 1 at "
			   "0x220, psi, cm=0, qi, ir, eim=no, pt, c=0\n"));
	/* Probing writes nothing. */
	for (u32 off = VTD_GCMD_REG; off < 0x1000; off++)
		if (regs[off])
			CHECK_EQ(off, 0);

	/* No unit: VER all-ones (absent MMIO) or zero. */
	ver = 0xffffffff;
	memcpy(regs + VTD_VER_REG, &ver, 4);
	host_log_reset();
	CHECK_EQ(vtd_unit_probe(1, base, &c), -1);
	snprintf(want, sizeof(want), "moat: iommu: error: unit 1 at 0x%llx: no remapping unit answers",
		 (unsigned long long)base);
	CHECK_HAS(host_log_last(), want);
	ver = 0;
	memcpy(regs + VTD_VER_REG, &ver, 4);
	CHECK_EQ(vtd_unit_probe(1, base, &c), -1);

	/* VER present but CAP all-ones. */
	ver = QEMU_VER;
	cap = ~0ULL;
	memcpy(regs + VTD_VER_REG, &ver, 4);
	memcpy(regs + VTD_CAP_REG, &cap, 8);
	CHECK_EQ(vtd_unit_probe(2, base, &c), -1);
	CHECK_HAS(host_log_last(), "unreadable capabilities");
	free(regs);
}

static const struct unit_test vtd_regs_tests[] = {
    UNIT_TEST(vtd_field_helpers),      UNIT_TEST(vtd_offsets),
    UNIT_TEST(vtd_decode_qemu),	       UNIT_TEST(vtd_decode_variants),
    UNIT_TEST(vtd_describe_truncates), UNIT_TEST(vtd_probe_fake_unit),
};
UNIT_SUITE(vtd_regs_suite, vtd_regs_tests);
