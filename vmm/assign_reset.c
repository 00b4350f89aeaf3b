/* vmm/assign_reset.c: resetting an assigned device before its VM sees it and after the VM stops, by
 * the strongest method it supports: function-level reset (PCIe FLR), else a PM D3hot -> D0 cycle
 * (when the device does not advertise No_Soft_Reset), else the device's own reset bit for the Intel
 * 8254x/8257x NICs Moat knows (CTRL.RST), else none (said so). The header registers a reset clears
 * (BARs, interrupt line) are saved and written back; bus mastering stays off afterwards. */
#include "assign.h"
#include "../kernel/cpu.h"
#include "../kernel/pci.h"
#include "../kernel/tsc.h"

#define PCIE_DEVCAP 4
#define PCIE_DEVCAP_FLR BIT(28)
#define PCIE_DEVCTL 8
#define PCIE_DEVCTL_FLR BIT(15)
#define PCIE_DEVSTA 10
#define PCIE_DEVSTA_TRPND BIT(5)
#define PM_CSR 4
#define PM_CSR_STATE_MASK 3u
#define PM_CSR_D3HOT 3u
#define PM_CSR_D0 0u
#define PM_CSR_NO_SOFT_RESET BIT(3)
#define FLR_WAIT_US 100000
#define PM_WAIT_US 10000
#define PENDING_WAIT_US 1000
#define SAVED_START 0x10
#define SAVED_END 0x40
#define INTEL_VENDOR 0x8086
#define NIC_CTRL 0
#define NIC_CTRL_RST BIT(26)
#define NIC_RST_WAIT_US 10000
#define BAR_MEM_MASK 0xfffffff0u
#define BAR_IO BIT(0)

static const u16 intel_nics[] = {0x100e, 0x100f, 0x10d3, 0x10f5, 0x153a, 0x15b8};

static bool intel_nic(const struct pci_func *f)
{
	if (f->vendor != INTEL_VENDOR)
		return false;
	for (u32 i = 0; i < ARRAY_SIZE(intel_nics); i++)
		if (intel_nics[i] == f->device)
			return true;
	return false;
}

const char *assign_reset_method(const struct pci_addr *a)
{
	u8 exp = pci_find_cap(a, PCI_CAP_ID_EXP);
	if (exp && (pci_cfg_read32(a, (u16)(exp + PCIE_DEVCAP)) & PCIE_DEVCAP_FLR))
		return "FLR";
	u8 pm = pci_find_cap(a, PCI_CAP_ID_PM);
	if (pm && !(pci_cfg_read16(a, (u16)(pm + PM_CSR)) & PM_CSR_NO_SOFT_RESET))
		return "PM D3hot->D0";
	const struct pci_func *f = pci_find(a);
	u32 bar0 = pci_cfg_read32(a, SAVED_START);
	if (f && intel_nic(f) && !(bar0 & BAR_IO) && (bar0 & BAR_MEM_MASK))
		return "device reset (CTRL.RST)";
	return NULL;
}

static void nic_reset(const struct pci_addr *a)
{
	u64 bar = pci_cfg_read32(a, SAVED_START) & BAR_MEM_MASK;
	if ((pci_cfg_read32(a, SAVED_START) & 6u) == 4u)
		bar |= (u64)pci_cfg_read32(a, SAVED_START + 4) << 32;
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, (u16)((cmd & ~PCI_COMMAND_MASTER) | PCI_COMMAND_MEMORY));
	mmio_write32(bar + NIC_CTRL, mmio_read32(bar + NIC_CTRL) | NIC_CTRL_RST);
	tsc_delay_us(NIC_RST_WAIT_US);
}

const char *assign_reset(const struct pci_addr *a)
{
	const char *m = assign_reset_method(a);
	u32 saved[(SAVED_END - SAVED_START) / 4];
	for (u32 i = 0; i < ARRAY_SIZE(saved); i++)
		saved[i] = pci_cfg_read32(a, (u16)(SAVED_START + 4 * i));
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
	if (!m)
		return "none (no FLR, no PM reset, no known device reset)";
	u8 exp = pci_find_cap(a, PCI_CAP_ID_EXP), pm = pci_find_cap(a, PCI_CAP_ID_PM);
	if (m[0] == 'F') {
		tsc_delay_us(PENDING_WAIT_US); /* let outstanding transactions drain (bus mastering is off) */
		u16 ctl = pci_cfg_read16(a, (u16)(exp + PCIE_DEVCTL));
		pci_cfg_write16(a, (u16)(exp + PCIE_DEVCTL), ctl | PCIE_DEVCTL_FLR);
		tsc_delay_us(FLR_WAIT_US);
	} else if (m[0] == 'P') {
		u16 csr = pci_cfg_read16(a, (u16)(pm + PM_CSR));
		pci_cfg_write16(a, (u16)(pm + PM_CSR), (u16)((csr & ~PM_CSR_STATE_MASK) | PM_CSR_D3HOT));
		tsc_delay_us(PM_WAIT_US);
		pci_cfg_write16(a, (u16)(pm + PM_CSR), (u16)((csr & ~PM_CSR_STATE_MASK) | PM_CSR_D0));
		tsc_delay_us(PM_WAIT_US);
	} else {
		nic_reset(a);
	}
	for (u32 i = 0; i < ARRAY_SIZE(saved); i++)
		pci_cfg_write32(a, (u16)(SAVED_START + 4 * i), saved[i]);
	pci_cfg_write16(a, PCI_COMMAND, (u16)((cmd & ~(PCI_COMMAND_MASTER | PCI_COMMAND_IO)) | PCI_COMMAND_INTX_DISABLE));
	return m;
}
