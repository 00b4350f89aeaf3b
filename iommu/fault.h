/* iommu/fault.h: DMA remapping faults: the fault event interrupt, a poll, one log line per fault,
 * overflow, rate limiting and per-device counts. */
#ifndef MOAT_IOMMU_FAULT_H
#define MOAT_IOMMU_FAULT_H

#include "../kernel/pci_addr.h"
#include "../kernel/types.h"

/* The IDT vector of every unit's fault event interrupt (sent to the boot CPU). Reserved for iommu/:
 * no other handler may use it. */
#define IOMMU_FAULT_VECTOR 0xe0

#define IOMMU_FAULT_LOG_PER_SEC 20 /* more lines than this per second are counted, not printed */
#define IOMMU_FAULT_DEVICES 32     /* devices whose fault counts are kept */

/* The fault reasons callers test for (VT-d numbering; iommu/vtd_regs.h lists them all). */
#define IOMMU_REASON_BEYOND_AW 4
#define IOMMU_REASON_WRITE 5
#define IOMMU_REASON_READ 6

struct iommu_fault {
	u32 unit;
	u16 sid;     /* requester id: bus << 8 | dev << 3 | fn */
	u8 reason;   /* VTD_FR_* */
	bool write;  /* false: read */
	u64 addr;    /* faulting page (device address) */
};

/* Reads every fault recording register of every unit, logs and clears each fault, clears
 * overflow, and ends a rate-limit second that is over (printing what it held back). Safe from the
 * interrupt handler and from ordinary code (it keeps interrupts off while it runs). Returns faults
 * drained. */
u32 iommu_fault_poll(void);
/* Faults seen so far from one PCI function (all units), and the last of them (false if none). They
 * include the faults of every requester id its DMA may carry (iommu_dma_aliases): a function behind
 * a PCIe-to-PCI bridge faults under (secondary bus, 00.0), shared with every function behind it. */
u64 iommu_fault_count(const struct pci_addr *dev);
bool iommu_fault_last(const struct pci_addr *dev, struct iommu_fault *out);
u64 iommu_fault_total(void);
u64 iommu_fault_irqs(void);      /* fault event interrupts taken */
u64 iommu_fault_overflows(void); /* times a unit reported faults it could not record */
/* Units (bit per unit index) whose FSTS.PFO is set right now: faults lost, not yet drained. */
u32 iommu_fault_overflow_pending(void);

struct iommu_fault_stats {
	u64 total;      /* faults drained (all devices) */
	u64 irqs;       /* fault event interrupts taken */
	u64 overflows;  /* drains that found FSTS.PFO set */
	u64 lines;      /* fault lines printed */
	u64 suppressed; /* faults counted but not printed (rate limit) */
	u64 suppressed_unsummarised; /* of those, the ones whose summary line is still to come */
};
void iommu_fault_stats(struct iommu_fault_stats *s);
/* Short text for a fault reason ("write not permitted"). */
const char *iommu_fault_reason_name(u8 reason);

#endif
