/* iommu/unit_probe.h: reading and decoding one VT-d remapping unit's VER/CAP/ECAP (no enabling). */
#ifndef MOAT_IOMMU_UNIT_PROBE_H
#define MOAT_IOMMU_UNIT_PROBE_H

#include "../kernel/types.h"

struct vtd_unit_caps {
	u32 index;
	u64 base;
	u32 ver; /* raw registers */
	u64 cap, ecap;

	u32 ver_major, ver_minor;
	u32 sagaw; /* VTD_SAGAW_* bitmap */
	u32 mgaw;  /* bits */
	u32 sllps; /* VTD_SLLPS_* bitmap */
	bool sl_2m, sl_1g;
	u32 num_domains;
	u32 nfr; /* fault recording registers */
	u32 fro; /* byte offset of the first one */
	u32 iro; /* byte offset of the IVA/IOTLB register pair */
	u32 mamv, mhmv;
	bool afl, rwbf, plmr, phmr, cm, zlr, psi, dwd, drd, pi;
	bool c, qi, dt, ir, eim, pt, sc;
};

/* Pure decode of the raw registers into out (index and base are left as they are). */
void vtd_caps_decode(u32 ver, u64 cap, u64 ecap, struct vtd_unit_caps *out);
/* The one-line summary printed after "unit N: ", e.g. "agaw 39-bit 3-level, sllps 2M 1G, ...".
 * Returns what snprintf returns. */
int vtd_caps_describe(const struct vtd_unit_caps *c, char *buf, size_t size);

/* Reads VER/CAP/ECAP at base, decodes into out and logs two lines. Returns 0, or -1 (with an
 * error line naming the unit and address) when no unit answers there. Enables nothing. */
int vtd_unit_probe(u32 index, u64 base, struct vtd_unit_caps *out);

#endif
