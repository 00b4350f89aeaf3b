/* iommu/pci_topo.c: where a PCI function's DMA comes from as the IOMMU sees it: its path from the
 * root bus (to find its DMAR unit) and the requester ids bridges substitute for its own. */
#include "iommu_rt.h"
#include "../kernel/pci.h"

#define PCI_EXP_FLAGS 2              /* PCI Express capabilities register, in the capability */
#define PCI_EXP_FLAGS_TYPE_SHIFT 4   /* device/port type, bits 7:4 */
#define PCI_EXP_FLAGS_TYPE_MASK 0xf
#define PCI_EXP_TYPE_PCIE_TO_PCI 0x7 /* PCI Express to PCI/PCI-X bridge */
#define PCI_EXP_TYPE_PCI_TO_PCIE 0x8 /* PCI/PCI-X to PCI Express bridge */
#define PCI_DEVFN(d, f) ((u8)(((d) << 3) | (f)))
#define IOMMU_MAX_BRIDGE_HOPS DMAR_MAX_PATH

static int pcie_type(const struct pci_addr *a)
{
	u8 cap = pci_find_cap(a, PCI_CAP_ID_EXP);
	if (!cap)
		return -1;
	return (pci_cfg_read16(a, (u16)(cap + PCI_EXP_FLAGS)) >> PCI_EXP_FLAGS_TYPE_SHIFT) & PCI_EXP_FLAGS_TYPE_MASK;
}

u32 iommu_dev_path(const struct pci_addr *a, u8 *start_bus, struct dmar_path_elem *path, u32 max)
{
	struct dmar_path_elem rev[IOMMU_MAX_BRIDGE_HOPS];
	u32 n = 0;
	struct pci_addr cur = *a;
	for (;;) {
		if (n == IOMMU_MAX_BRIDGE_HOPS || n == max)
			return 0;
		rev[n++] = (struct dmar_path_elem){cur.dev, cur.fn};
		const struct pci_func *p = pci_parent_bridge(cur.seg, cur.bus);
		if (!p)
			break;
		cur = p->addr;
	}
	*start_bus = cur.bus;
	for (u32 i = 0; i < n; i++)
		path[i] = rev[n - 1 - i];
	return n;
}

static void add(u16 *out, u32 *n, u32 max, u16 rid)
{
	for (u32 i = 0; i < *n; i++)
		if (out[i] == rid)
			return;
	if (*n < max)
		out[(*n)++] = rid;
}

u32 iommu_dma_aliases(const struct pci_addr *a, u16 *out, u32 max)
{
	u32 n = 0;
	add(out, &n, max, pci_addr_rid(a));
	struct pci_addr cur = *a;
	for (u32 hop = 0; hop < IOMMU_MAX_BRIDGE_HOPS; hop++) {
		const struct pci_func *p = pci_parent_bridge(cur.seg, cur.bus);
		if (!p)
			break;
		int t = pcie_type(&p->addr);
		if (t == PCI_EXP_TYPE_PCIE_TO_PCI) /* takes ownership with (secondary bus, 00.0) */
			add(out, &n, max, (u16)((p->sec_bus << 8) | PCI_DEVFN(0, 0)));
		else if (t < 0 || t == PCI_EXP_TYPE_PCI_TO_PCIE) /* conventional bridge: its own id */
			add(out, &n, max, pci_addr_rid(&p->addr));
		cur = p->addr;
	}
	return n;
}
