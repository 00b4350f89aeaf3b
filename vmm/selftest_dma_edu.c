/* vmm/selftest_dma_edu.c: driving QEMU's `edu` device as a DMA engine that can aim anywhere. */
#include "selftest_dma.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/tsc.h"

#define PCI_BAR0 0x10
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define EDU_DMA_TIMEOUT_US 2000000 /* edu completes a transfer 100 ms (virtual) after the start */

int edu_open_at(struct edu *e, const struct pci_addr *a)
{
	const struct pci_func *f = pci_find(a);
	if (!f || f->vendor != EDU_VENDOR || f->device != EDU_DEVICE)
		return -1;
	e->addr = f->addr;
	e->bar0 = pci_cfg_read32(&f->addr, PCI_BAR0) & PCI_BAR_MEM_MASK;
	if (!e->bar0)
		return -1;
	u16 cmd = pci_cfg_read16(&f->addr, PCI_COMMAND);
	pci_cfg_write16(&f->addr, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	return 0;
}

int edu_open(struct edu *e)
{
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->vendor == EDU_VENDOR && f->device == EDU_DEVICE)
			return edu_open_at(e, &f->addr);
	}
	return -1;
}

int edu_dma(const struct edu *e, u64 iova, u32 off, u32 len, bool to_ram)
{
	if ((u64)off + len > EDU_BUF_SIZE || !len)
		return -1;
	u64 buf = EDU_BUF_ADDR + off;
	mmio_write64(e->bar0 + EDU_REG_DMA_SRC, to_ram ? buf : iova);
	mmio_write64(e->bar0 + EDU_REG_DMA_DST, to_ram ? iova : buf);
	mmio_write64(e->bar0 + EDU_REG_DMA_COUNT, len);
	mmio_write64(e->bar0 + EDU_REG_DMA_CMD, EDU_DMA_RUN | (to_ram ? EDU_DMA_TO_RAM : 0));
	u64 end = rdtsc() + tsc_hz() / 1000000 * EDU_DMA_TIMEOUT_US;
	while (mmio_read64(e->bar0 + EDU_REG_DMA_CMD) & EDU_DMA_RUN) {
		if (rdtsc() > end) {
			pr_err("test", "edu: DMA to 0x%llx did not finish", iova);
			return -1;
		}
		cpu_relax();
	}
	return 0;
}
