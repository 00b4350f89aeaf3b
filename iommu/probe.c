/* iommu/probe.c: discovery of the VT-d remapping units from the ACPI DMAR table. Every RMRR range
 * (firmware DMA memory) is taken out of the frame allocator as soon as the table is parsed, so that
 * an RMRR the firmware wrongly left in usable RAM is never handed to a VM or to Moat. */
#include "iommu.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/mmio_own.h"
#include "../kernel/paging.h"
#include "../kernel/string.h"

static struct iommu_state st;

const struct iommu_state *iommu_state(void) { return &st; }
struct dmar_info *iommu_dmar_for_tests(void) { return &st.dmar; }

/* RMRRs belong in memory the firmware reports reserved; one it left in usable RAM is reserved here,
 * with a warning; ranges none of whose frames were free stay as they are, silently. */
static void reserve_rmrrs(const struct dmar_info *d)
{
	for (u32 i = 0; i < d->nrmrr && i < DMAR_MAX_RMRR; i++) {
		const struct dmar_rmrr *r = &d->rmrr[i];
		s64 taken = frame_alloc_reserve(r->base, r->limit - r->base + 1);
		if (taken > 0)
			pr_warn("iommu",
				"RMRR 0x%llx-0x%llx lies in usable RAM (a firmware bug): reserved, never given "
				"to a VM or to Moat",
				r->base, r->limit);
		else if (taken < 0)
			pr_err("iommu", "RMRR 0x%llx-0x%llx could not be reserved in the frame allocator",
			       r->base, r->limit);
	}
}

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
	reserve_rmrrs(&st.dmar);
	for (u32 i = 0; i < st.dmar.ndrhd; i++) {
		const struct dmar_drhd *d = &st.dmar.drhd[i];
		if (paging_map_mmio(d->base, d->size ? d->size : PAGE_SIZE) != 0) {
			pr_err("iommu", "unit %u at 0x%llx: cannot map its registers (out of memory)", i, d->base);
			continue;
		}
		char what[MMIO_OWN_NAME_MAX];
		snprintf(what, sizeof(what), "VT-d unit %u registers", i);
		mmio_own_add(d->base, d->size ? d->size : PAGE_SIZE, what); /* never behind a guest's BAR */
		if (vtd_unit_probe(st.nunits, d->base, &st.units[st.nunits]) == 0)
			st.nunits++;
	}
	if (!st.nunits)
		pr_err("iommu", "none (no DMAR unit answered)");
	return st.nunits;
}
