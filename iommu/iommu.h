/* iommu/iommu.h: the interface vmm/ uses to reach VT-d; nothing above iommu/ sees its registers. */
#ifndef MOAT_IOMMU_H
#define MOAT_IOMMU_H

#include "../kernel/acpi.h"
#include "dmar.h"
#include "unit_probe.h"
#include "domain.h"
#include "fault.h"
#include "irq_remap.h"

struct iommu_state {
	bool have_dmar;
	struct dmar_info dmar;
	u32 nunits;
	struct vtd_unit_caps units[DMAR_MAX_UNITS];
	u32 nioapics; /* from the MADT: their pins are masked or remapped once interrupt remapping is on */
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
};

/* Finds the DMAR table, parses it and reads every unit's capabilities; logs the units, or
 * "moat: iommu: none (...)". Returns the number of usable units. */
u32 iommu_probe(const struct acpi_info *ai);
const struct iommu_state *iommu_state(void);
/* The parsed DMAR, writable: only for in-hypervisor test suites that stage what the emulator's table
 * lacks (vmm/selftest_rmrr.c adds an RMRR, then removes it). */
struct dmar_info *iommu_dmar_for_tests(void);

/* Turns DMA remapping on in every probed unit (after pci_init: bus mastering is off) and puts
 * every PCI function in the blocking domain; logs the table shape and each unit's mode. qi false
 * (`iommu_qi = off`): register-based invalidation even on units with a queue, and so no interrupt
 * remapping (it needs the queue). 0, or -1 when no unit could be brought up (then domain_create()
 * refuses). */
int iommu_enable(bool qi);

#endif
