/* iommu/unit_probe.c: identifies one VT-d remapping unit from its VER/CAP/ECAP registers and
 * logs what it can do. Read-only: nothing is enabled here. */
#include "unit_probe.h"
#include "vtd_regs.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define VTD_DESC_MAX 192

void vtd_caps_decode(u32 ver, u64 cap, u64 ecap, struct vtd_unit_caps *out)
{
	out->ver = ver;
	out->cap = cap;
	out->ecap = ecap;
	out->ver_major = VTD_VER_MAJOR(ver);
	out->ver_minor = VTD_VER_MINOR(ver);

	out->sagaw = vtd_cap_sagaw(cap);
	out->mgaw = vtd_cap_mgaw(cap);
	out->sllps = vtd_cap_sllps(cap);
	out->sl_2m = out->sllps & VTD_SLLPS_2M;
	out->sl_1g = out->sllps & VTD_SLLPS_1G;
	out->num_domains = vtd_cap_num_domains(cap);
	out->nfr = vtd_cap_nfr(cap);
	out->fro = vtd_cap_fro(cap);
	out->mamv = vtd_cap_mamv(cap);
	out->afl = cap & VTD_CAP_AFL;
	out->rwbf = cap & VTD_CAP_RWBF;
	out->plmr = cap & VTD_CAP_PLMR;
	out->phmr = cap & VTD_CAP_PHMR;
	out->cm = cap & VTD_CAP_CM;
	out->zlr = cap & VTD_CAP_ZLR;
	out->psi = cap & VTD_CAP_PSI;
	out->dwd = cap & VTD_CAP_DWD;
	out->drd = cap & VTD_CAP_DRD;
	out->pi = cap & VTD_CAP_PI;

	out->iro = vtd_ecap_iro(ecap);
	out->mhmv = vtd_ecap_mhmv(ecap);
	out->c = ecap & VTD_ECAP_C;
	out->qi = ecap & VTD_ECAP_QI;
	out->dt = ecap & VTD_ECAP_DT;
	out->ir = ecap & VTD_ECAP_IR;
	out->eim = ecap & VTD_ECAP_EIM;
	out->pt = ecap & VTD_ECAP_PT;
	out->sc = ecap & VTD_ECAP_SC;
}

/* Appends s at *pos, keeps buf NUL-terminated within size, and counts what did not fit. */
static void put(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);
	if (*pos + 1 < size) {
		size_t room = size - 1 - *pos;
		size_t k = n < room ? n : room;
		memcpy(buf + *pos, s, k);
		buf[*pos + k] = '\0';
	}
	*pos += n;
}

static const char *flag(bool on, const char *yes, const char *no)
{
	return on ? yes : no;
}

int vtd_caps_describe(const struct vtd_unit_caps *c, char *buf, size_t size)
{
	static const struct {
		u32 bit;
		const char *name;
	} agaws[] = {
	    {VTD_SAGAW_39_3LEVEL, "39-bit 3-level"},
	    {VTD_SAGAW_48_4LEVEL, "48-bit 4-level"},
	    {VTD_SAGAW_57_5LEVEL, "57-bit 5-level"},
	};
	char num[64];
	size_t pos = 0;
	bool any = false;

	if (size)
		buf[0] = '\0';
	put(buf, size, &pos, "agaw ");
	for (u32 i = 0; i < ARRAY_SIZE(agaws); i++) {
		if (!(c->sagaw & agaws[i].bit))
			continue;
		put(buf, size, &pos, any ? "/" : "");
		put(buf, size, &pos, agaws[i].name);
		any = true;
	}
	put(buf, size, &pos, any ? "" : "none");
	put(buf, size, &pos, ", sllps");
	put(buf, size, &pos, c->sl_2m ? " 2M" : "");
	put(buf, size, &pos, c->sl_1g ? " 1G" : "");
	put(buf, size, &pos, c->sl_2m || c->sl_1g ? "" : " none");
	snprintf(num, sizeof(num), ", domains %u, frcd %u at 0x%x, ", c->num_domains, c->nfr, c->fro);
	put(buf, size, &pos, num);
	put(buf, size, &pos, flag(c->psi, "psi", "no-psi"));
	put(buf, size, &pos, flag(c->cm, ", cm=1", ", cm=0"));
	put(buf, size, &pos, flag(c->qi, ", qi", ", no-qi"));
	put(buf, size, &pos, flag(c->ir, ", ir", ", no-ir"));
	put(buf, size, &pos, flag(c->eim, ", eim=yes", ", eim=no"));
	put(buf, size, &pos, flag(c->pt, ", pt", ", no-pt"));
	put(buf, size, &pos, flag(c->c, ", c=1", ", c=0"));
	return (int)pos;
}

static bool reg_absent32(u32 v)
{
	return v == 0 || v == ~0u;
}

int vtd_unit_probe(u32 index, u64 base, struct vtd_unit_caps *out)
{
	char desc[VTD_DESC_MAX];

	memset(out, 0, sizeof(*out));
	out->index = index;
	out->base = base;

	u32 ver = mmio_read32(base + VTD_VER_REG);
	if (reg_absent32(ver)) {
		pr_err("iommu", "unit %u at 0x%llx: no remapping unit answers (VER 0x%08x)", index,
		       (unsigned long long)base, ver);
		return -1;
	}
	u64 cap = mmio_read64(base + VTD_CAP_REG);
	u64 ecap = mmio_read64(base + VTD_ECAP_REG);
	if (cap == 0 || cap == ~0ULL || ecap == ~0ULL) {
		pr_err("iommu", "unit %u at 0x%llx: unreadable capabilities (CAP 0x%016llx ECAP 0x%016llx)",
		       index, (unsigned long long)base, (unsigned long long)cap, (unsigned long long)ecap);
		return -1;
	}
	vtd_caps_decode(ver, cap, ecap, out);

	pr_info("iommu", "unit %u at 0x%llx ver %u.%u cap 0x%016llx ecap 0x%016llx", index,
		(unsigned long long)base, out->ver_major, out->ver_minor, (unsigned long long)cap,
		(unsigned long long)ecap);
	vtd_caps_describe(out, desc, sizeof(desc));
	pr_info("iommu", "unit %u: %s", index, desc);
	pr_debug("iommu",
		 "unit %u: mgaw %u, mamv %u, iotlb at 0x%x, mhmv %u, afl=%d rwbf=%d plmr=%d phmr=%d zlr=%d "
		 "dwd=%d drd=%d pi=%d dt=%d sc=%d",
		 index, out->mgaw, out->mamv, out->iro, out->mhmv, out->afl, out->rwbf, out->plmr, out->phmr,
		 out->zlr, out->dwd, out->drd, out->pi, out->dt, out->sc);
	return 0;
}
