/* iommu/domain.h: DMA domains, the interface vmm/ uses to give devices to VMs. A domain is one
 * VM's device view of memory: its own VT-d second-level tables mapping the VM's guest-physical
 * addresses to the frames the frame ownership table says the VM owns, and nothing else. Every PCI
 * function not attached to a domain sits in the blocking domain (no translation at all). */
#ifndef MOAT_IOMMU_DOMAIN_H
#define MOAT_IOMMU_DOMAIN_H

#include "../kernel/pci_addr.h"
#include "../kernel/types.h"

#define DOMAIN_R BIT(0) /* the device may read */
#define DOMAIN_W BIT(1) /* the device may write */
#define DOMAIN_RW (DOMAIN_R | DOMAIN_W)
#define DOMAIN_NAME_MAX 31
#define DOMAIN_MAX 32
#define DOMAIN_RMRR_MAX 16 /* RMRR ranges one domain may identity-map */

struct iommu_domain;

/* A domain for the VM with this frame owner label (OWNER_VM_FIRST..OWNER_VM_LAST); name is what
 * fault lines print ("vm 'name'"). NULL (with an error line) when DMA remapping is off, the owner
 * is not a VM, or no domain id or memory is left. */
struct iommu_domain *domain_create(u16 owner, const char *name);
/* Maps [gpa, gpa + size) to [hpa, ...) with DOMAIN_R/W. Refused (-1, error line) unless every
 * frame belongs to the domain's owner with at least those rights, the range is 4 KiB aligned,
 * inside the domain's address width and not mapped yet. Under caching mode the new entries are
 * invalidated before this returns. 0 on success. */
int domain_map(struct iommu_domain *d, u64 gpa, u64 hpa, u64 size, u32 perms);
/* Removes [gpa, gpa + size) and returns only after every unit's IOTLB invalidation for it has
 * completed: 0, and afterwards no device can reach the old frames. -1 when an invalidation failed
 * or timed out: the frames must then be treated as still reachable (never reassign them). */
int domain_unmap(struct iommu_domain *d, u64 gpa, u64 size);
/* Attaches a PCI function (and the requester ids bridges give it) to the domain; it leaves the
 * blocking domain. Refused when interrupt remapping is off, it is in another VM's domain, an alias
 * is, no unit covers it, or an RMRR names it that the domain does not identity-map (domain_map_rmrr).
 * Never enables ATS. 0 or -1. */
int domain_attach(struct iommu_domain *d, const struct pci_addr *dev);
/* domain_attach without the interrupt remapping requirement, for in-hypervisor DMA test suites only
 * (vmm/selftest_dma.c): the device is never given to a VM and no interrupt of it is ever enabled, so
 * the DMA attacks also run where remapping is off (`iommu_qi = off`). Never for a VM's device. */
int domain_attach_dma_test(struct iommu_domain *d, const struct pci_addr *dev);
/* RMRRs (rmrr = accept, vmm/assign.c): the index into iommu_state()->dmar.rmrr of the first RMRR at or
 * after `from` naming dev (its own path from the root bus), or dmar.nrmrr when none does. */
u32 iommu_rmrr_next(const struct pci_addr *dev, u32 from);
/* Maps the RMRR range [base, limit] at IOVA = host-physical, read/write, so that the firmware's DMA for
 * a device the RMRR names keeps working once the device is in this domain. Refused (-1, error line)
 * unless the range is page aligned, not yet mapped in the domain (the VM's RAM sits at IOVA =
 * guest-physical: the caller refuses an overlap first), every frame is neither Moat's nor a VM's nor
 * free RAM, and no other domain maps it. Already mapped here: 0. Removed with the domain
 * (domain_destroy); the blocking domain never maps an RMRR. */
int domain_map_rmrr(struct iommu_domain *d, u64 base, u64 limit);
bool domain_rmrr_mapped(const struct iommu_domain *d, u64 base, u64 limit);
/* The RMRR ranges d identity-maps (up to max): how many. */
u32 domain_rmrr_ranges(const struct iommu_domain *d, u64 *base, u64 *limit, u32 max);
/* Puts the function back in the blocking domain; returns after the invalidations completed. */
int domain_detach(struct iommu_domain *d, const struct pci_addr *dev);
/* Detaches everything, frees the tables. The caller then scrubs and releases the VM's frames. */
void domain_destroy(struct iommu_domain *d);

/* For the SMM invariant checker (vmm/smm_check.c): every domain that exists, the blocking one too
 * (owner OWNER_MOAT, which must map nothing), with its owner, name, the RMRR ranges it identity-maps
 * (before its translations; may be NULL), and every table frame and translation (perms DOMAIN_R/W). */
struct domain_visitor {
	void (*domain)(void *ctx, u16 owner, const char *name);
	void (*rmrr)(void *ctx, u64 base, u64 limit);
	void (*table)(void *ctx, u64 phys);
	void (*leaf)(void *ctx, u64 gpa, u64 hpa, u64 size, u32 perms);
	void *ctx;
};
void domain_walk_all(const struct domain_visitor *v);
/* Invariant 3: 0 when every enumerated PCI function a unit covers has no context entry, is in the
 * blocking domain, or is in a live VM domain; else -1 with the first offender in why. */
int domain_check_contexts(char *why, size_t n);
/* The register page (4 KiB) of every DMA remapping unit, for the checker's MMIO list: how many. */
u32 iommu_unit_mmio(u64 *base, u32 max);

/* For tests and benchmarks. */
u64 domain_lookup(const struct iommu_domain *d, u64 gpa, u32 *perms); /* HPA, ~0 if unmapped */
u32 domain_address_bits(const struct iommu_domain *d);
u32 domain_levels(const struct iommu_domain *d);
u64 domain_table_pages(const struct iommu_domain *d);
u16 domain_id(const struct iommu_domain *d);
/* Physical address of unit i's root table and of one of its context tables (0 if none): the
 * structures the attack suite aims at. */
u64 iommu_root_table(u32 unit);
u64 iommu_context_table(u32 unit, u8 bus);

#endif
