/* vmm/selftest_nic.h: the NIC the in-hypervisor suites drive themselves (selftest_dma_nic.c,
 * selftest_fault.c): the machine's e1000e/e1000 in a DMA domain of its own shaped like a VM's
 * guest-physical map (a window of RAM at SELFTEST_NIC_GPA), started with Moat's small driver. */
#ifndef MOAT_SELFTEST_NIC_H
#define MOAT_SELFTEST_NIC_H

#include "e1000e.h"
#include "../iommu/iommu.h"

#define SELFTEST_NIC_GPA MiB(16) /* where the window sits in the domain's guest-physical map */
#define SELFTEST_NIC_PAGES (ALIGN_UP(E1000E_WINDOW, PAGE_SIZE) / PAGE_SIZE)

struct selftest_nic {
	struct e1000e nic;
	u64 hpa; /* the window's frames */
	u16 owner;
	struct iommu_domain *dom;
	bool attached;
};

/* Finds the NIC, gives it a window owned by `owner` in a new domain named `name`, attaches and
 * starts it. 0, or -1 with why; selftest_nic_close undoes whatever was done either way. */
int selftest_nic_open(struct selftest_nic *s, u16 owner, const char *name, char *why, size_t n);
/* Stops the NIC, detaches it (back to the blocking domain), destroys the domain, then scrubs and
 * frees the window. */
void selftest_nic_close(struct selftest_nic *s);

#endif
