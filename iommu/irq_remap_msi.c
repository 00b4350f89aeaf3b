/* iommu/irq_remap_msi.c: programming a device's MSI capability or MSI-X table with the remappable
 * message that names its interrupt entry (see irq_remap.h). */
#include "irq_remap.h"
#include "msi.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/paging.h"
#include "../kernel/pci.h"

/* MSI capability. */
#define MSI_CTRL 2
#define MSI_CTRL_ENABLE BIT(0)
#define MSI_CTRL_MME_MASK (7u << 4) /* multiple message enable: one vector */
#define MSI_CTRL_64BIT BIT(7)
#define MSI_ADDR_LO 4
#define MSI_ADDR_HI 8
#define MSI_DATA_32 8  /* data offset without a 64-bit address */
#define MSI_DATA_64 12 /* with one */
/* MSI-X capability and table. */
#define MSIX_CTRL 2
#define MSIX_CTRL_SIZE_MASK 0x7ffu /* table size - 1 */
#define MSIX_CTRL_FMASK BIT(14)
#define MSIX_CTRL_ENABLE BIT(15)
#define MSIX_TABLE 4
#define MSIX_BIR_MASK 7u
#define MSIX_OFFSET_MASK 0xfffffff8u
#define MSIX_ENTRY_SIZE 16
#define MSIX_ENTRY_ADDR_LO 0
#define MSIX_ENTRY_ADDR_HI 4
#define MSIX_ENTRY_DATA 8
#define MSIX_ENTRY_CTRL 12
#define MSIX_ENTRY_MASKED BIT(0)
/* BARs. */
#define PCI_BAR0 0x10
#define PCI_BAR_IO BIT(0)
#define PCI_BAR_TYPE_64 (2u << 1)
#define PCI_BAR_TYPE_MASK (3u << 1)
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define PCI_BAR_COUNT 6

static void intx_off(const struct pci_addr *a)
{
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
}

int irq_remap_program_msi(const struct irq_remap_vec *v)
{
	u8 cap = v && v->valid ? pci_find_cap(&v->dev, PCI_CAP_ID_MSI) : 0;
	if (!cap)
		return -1;
	struct msi_msg m = msi_remappable(v->index);
	u16 ctrl = pci_cfg_read16(&v->dev, (u16)(cap + MSI_CTRL));
	pci_cfg_write16(&v->dev, (u16)(cap + MSI_CTRL), ctrl & (u16) ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK));
	pci_cfg_write32(&v->dev, (u16)(cap + MSI_ADDR_LO), m.addr_lo);
	if (ctrl & MSI_CTRL_64BIT) {
		pci_cfg_write32(&v->dev, (u16)(cap + MSI_ADDR_HI), m.addr_hi);
		pci_cfg_write16(&v->dev, (u16)(cap + MSI_DATA_64), (u16)m.data);
	} else {
		pci_cfg_write16(&v->dev, (u16)(cap + MSI_DATA_32), (u16)m.data);
	}
	intx_off(&v->dev);
	pci_cfg_write16(&v->dev, (u16)(cap + MSI_CTRL), (u16)((ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE));
	return 0;
}

/* Physical address of memory BAR `bir`, 0 when unset or not memory. */
static u64 bar_addr(const struct pci_addr *a, u32 bir)
{
	if (bir >= PCI_BAR_COUNT)
		return 0;
	u16 off = (u16)(PCI_BAR0 + 4 * bir);
	u32 lo = pci_cfg_read32(a, off);
	if (lo & PCI_BAR_IO)
		return 0;
	u64 addr = lo & PCI_BAR_MEM_MASK;
	if ((lo & PCI_BAR_TYPE_MASK) == PCI_BAR_TYPE_64 && bir + 1 < PCI_BAR_COUNT)
		addr |= (u64)pci_cfg_read32(a, (u16)(off + 4)) << 32;
	return addr;
}

int irq_remap_program_msix(const struct irq_remap_vec *v, u32 entry)
{
	u8 cap = v && v->valid ? pci_find_cap(&v->dev, PCI_CAP_ID_MSIX) : 0;
	if (!cap)
		return -1;
	u16 ctrl = pci_cfg_read16(&v->dev, (u16)(cap + MSIX_CTRL));
	if (entry > (ctrl & MSIX_CTRL_SIZE_MASK))
		return -1;
	u32 tbl = pci_cfg_read32(&v->dev, (u16)(cap + MSIX_TABLE));
	u64 bar = bar_addr(&v->dev, tbl & MSIX_BIR_MASK);
	if (!bar)
		return -1;
	u64 e = bar + (tbl & MSIX_OFFSET_MASK) + (u64)entry * MSIX_ENTRY_SIZE;
	if (paging_map_mmio(ALIGN_DOWN(e, PAGE_SIZE), PAGE_SIZE) != 0)
		return -1;
	u16 cmd = pci_cfg_read16(&v->dev, PCI_COMMAND);
	pci_cfg_write16(&v->dev, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
	/* function masked while the entry changes */
	pci_cfg_write16(&v->dev, (u16)(cap + MSIX_CTRL), (u16)(ctrl | MSIX_CTRL_FMASK));
	struct msi_msg m = msi_remappable(v->index);
	mmio_write32(e + MSIX_ENTRY_CTRL, MSIX_ENTRY_MASKED);
	mmio_write32(e + MSIX_ENTRY_ADDR_LO, m.addr_lo);
	mmio_write32(e + MSIX_ENTRY_ADDR_HI, m.addr_hi);
	mmio_write32(e + MSIX_ENTRY_DATA, m.data);
	mmio_write32(e + MSIX_ENTRY_CTRL, 0);
	intx_off(&v->dev);
	pci_cfg_write16(&v->dev, (u16)(cap + MSIX_CTRL), (u16)((ctrl & ~MSIX_CTRL_FMASK) | MSIX_CTRL_ENABLE));
	return 0;
}

void irq_remap_msi_disable(const struct pci_addr *dev)
{
	u8 cap = pci_find_cap(dev, PCI_CAP_ID_MSI);
	if (cap) {
		u16 ctrl = pci_cfg_read16(dev, (u16)(cap + MSI_CTRL));
		pci_cfg_write16(dev, (u16)(cap + MSI_CTRL), ctrl & (u16)~MSI_CTRL_ENABLE);
	}
	cap = pci_find_cap(dev, PCI_CAP_ID_MSIX);
	if (cap) {
		u16 ctrl = pci_cfg_read16(dev, (u16)(cap + MSIX_CTRL));
		pci_cfg_write16(dev, (u16)(cap + MSIX_CTRL), ctrl & (u16)~MSIX_CTRL_ENABLE);
	}
}
