/* iommu/iommu_rt.h: iommu/'s own run-time state shared by its files (not for vmm/): the units that
 * are up, the table shape every domain uses, and the one lock that orders every table change. */
#ifndef MOAT_IOMMU_RT_H
#define MOAT_IOMMU_RT_H

#include "dmar.h"
#include "unit.h"
#include "../kernel/pci_addr.h"
#include "../kernel/spinlock.h"

#define IOMMU_DID_BLOCKING 1 /* domain id 0 is reserved (caching mode tags not-present entries) */

struct iommu_rt {
	bool up;           /* at least one unit translates */
	u32 nunits;
	struct vtd_unit units[DMAR_MAX_UNITS];
	u32 levels;        /* page-table depth of every domain */
	u32 aw;            /* device-address bits every domain accepts */
	bool sp_2m, sp_1g; /* superpages every unit walks */
	bool any_cm;       /* some unit caches not-present entries */
	u32 max_did;       /* domain ids every unit supports (exclusive) */
	struct spinlock lock;
};

struct iommu_rt *iommu_rt(void);

/* The unit that remaps a PCI function, NULL when none does (or it is not up). */
struct vtd_unit *iommu_unit_for(const struct pci_addr *a);

/* Fills `out` with the requester ids the IOMMU may see for a's DMA: its own first, then aliases
 * made by the PCIe-to-PCI or PCI-PCI bridges above it. Returns their number (1..max). An array of
 * IOMMU_MAX_DMA_ALIASES always holds them all (one per bridge hop, DMAR_MAX_PATH at most, and its own),
 * so the alias nearest the root, the one the IOMMU actually sees, is never cut off. */
#define IOMMU_MAX_DMA_ALIASES (DMAR_MAX_PATH + 1)
u32 iommu_dma_aliases(const struct pci_addr *a, u16 *out, u32 max);
/* a's path from its root bus (start bus, then one dev/fn hop per bridge and a's own), for DMAR
 * scope matching. Returns the hop count, 0 if the bridges above a are not known. */
u32 iommu_dev_path(const struct pci_addr *a, u8 *start_bus, struct dmar_path_elem *path, u32 max);

/* Describes the owner of sid's DMA on unit u for fault lines: "vm 'a'", or "unassigned". */
void iommu_describe_source(const struct vtd_unit *u, u16 sid, char *buf, size_t size);

/* Boot (iommu/domain.c): creates the blocking domain; then puts every enumerated PCI function in it. */
int iommu_domains_init(void);
int iommu_block_all(void);

/* Fault reporting (iommu/fault.c): programs u's fault event interrupt and clears stale records. */
void iommu_fault_setup_unit(struct vtd_unit *u);

#endif
