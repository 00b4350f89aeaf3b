/* iommu/enable.c: turning DMA remapping on at boot: one table shape for every domain (depth from
 * SAGAW and the address widths, superpages from SLLPS), every unit brought up, the fault interrupt
 * wired, interrupt remapping on, and every PCI function put in the blocking domain. */
#include "iommu.h"
#include "iommu_rt.h"
#include "table_mem.h"
#include "../kernel/log.h"

static struct iommu_rt rt;

struct iommu_rt *iommu_rt(void) { return &rt; }

struct vtd_unit *iommu_unit_for(const struct pci_addr *a)
{
	const struct iommu_state *st = iommu_state();
	struct dmar_path_elem path[DMAR_MAX_PATH];
	u8 start = 0;
	u32 n = iommu_dev_path(a, &start, path, DMAR_MAX_PATH);
	int drhd = n ? dmar_unit_for_path(&st->dmar, a->seg, start, path, n)
		     : dmar_unit_for_device(&st->dmar, a->seg, a->bus, a->dev, a->fn);
	if (drhd < 0)
		return NULL;
	for (u32 i = 0; i < rt.nunits; i++)
		if (rt.units[i].up && rt.units[i].base == st->dmar.drhd[drhd].base)
			return &rt.units[i];
	return NULL;
}

/* The deepest table every unit walks (5, 4 or 3 levels), 0 if they share none. */
static u32 common_levels(const struct iommu_state *st)
{
	u32 sagaw = ~0u;
	for (u32 i = 0; i < st->nunits; i++)
		sagaw &= st->units[i].sagaw;
	if (sagaw & VTD_SAGAW_57_5LEVEL)
		return 5;
	if (sagaw & VTD_SAGAW_48_4LEVEL)
		return 4;
	if (sagaw & VTD_SAGAW_39_3LEVEL)
		return 3;
	return 0;
}

int iommu_enable(bool qi)
{
	const struct iommu_state *st = iommu_state();
	if (!st->nunits)
		return 0;
	rt.levels = common_levels(st);
	if (!rt.levels) {
		pr_err("iommu", "the units share no second-level table depth (SAGAW): DMA remapping left off");
		return -1;
	}
	rt.aw = VTD_SL_AW_FOR_LEVELS(rt.levels);
	rt.sp_2m = rt.sp_1g = true;
	rt.max_did = ~0u;
	bool coherent = true;
	for (u32 i = 0; i < st->nunits; i++) {
		const struct vtd_unit_caps *c = &st->units[i];
		rt.aw = MIN(rt.aw, c->mgaw);
		rt.sp_2m &= c->sl_2m;
		rt.sp_1g &= c->sl_1g;
		rt.any_cm |= c->cm;
		coherent &= c->c;
		rt.max_did = MIN(rt.max_did, c->num_domains);
	}
	vtd_table_set_coherent(coherent);
	pr_info("iommu", "domains: %u-level tables, %u-bit addresses, superpages%s%s%s, %u domain ids", rt.levels,
		rt.aw, rt.sp_2m ? " 2M" : "", rt.sp_1g ? " 1G" : "", rt.sp_2m || rt.sp_1g ? "" : " none",
		rt.max_did);

	for (u32 i = 0; i < st->nunits; i++) {
		struct vtd_unit *u = &rt.units[rt.nunits];
		if (vtd_unit_bringup(u, &st->units[i], qi) != 0) {
			pr_err("iommu", "unit %u at 0x%llx: bring-up failed: devices behind it keep bus mastering off",
			       st->units[i].index, st->units[i].base);
			continue;
		}
		rt.nunits++;
	}
	if (!rt.nunits)
		return -1;
	rt.up = true;
	for (u32 i = 0; i < rt.nunits; i++)
		iommu_fault_setup_unit(&rt.units[i]);
	irq_remap_enable(); /* on failure domain_attach refuses: no device is assigned without it */
	if (iommu_domains_init() != 0)
		return -1;
	return iommu_block_all();
}
