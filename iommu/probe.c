/* iommu/probe.c: discovery of the VT-d remapping units from the ACPI DMAR table. */
#include "iommu.h"
#include "../kernel/log.h"
#include "../kernel/paging.h"
#include "../kernel/string.h"

static struct iommu_state st;

const struct iommu_state *iommu_state(void) { return &st; }
struct dmar_info *iommu_dmar_for_tests(void) { return &st.dmar; }

u32 iommu_probe(const struct acpi_info *ai)
{
	st.nunits = 0;
	st.nioapics = ai->nioapics;
	memcpy(st.ioapics, ai->ioapics, sizeof(st.ioapics));
	if (!ai->have_dmar) {
		pr_info("iommu", "none (no DMAR table: DMA remapping unavailable)");
		return 0;
	}
	if (dmar_parse((const void *)(uintptr_t)ai->dmar_phys, ai->dmar_len, &st.dmar) != 0) {
		pr_err("iommu", "none (the DMAR table has no usable remapping unit)");
		return 0;
	}
	st.have_dmar = true;
	for (u32 i = 0; i < st.dmar.ndrhd; i++) {
		const struct dmar_drhd *d = &st.dmar.drhd[i];
		if (paging_map_mmio(d->base, d->size ? d->size : PAGE_SIZE) != 0) {
			pr_err("iommu", "unit %u at 0x%llx: cannot map its registers (out of memory)", i, d->base);
			continue;
		}
		if (vtd_unit_probe(st.nunits, d->base, &st.units[st.nunits]) == 0)
			st.nunits++;
	}
	if (!st.nunits)
		pr_err("iommu", "none (no DMAR unit answered)");
	return st.nunits;
}
