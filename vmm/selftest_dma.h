/* vmm/selftest_dma.h: shared pieces of the DMA-isolation suites: the QEMU `edu` device as a DMA
 * attacker, and the two test VMs ("a" and "b") made of owner labels, frames and DMA domains. */
#ifndef MOAT_SELFTEST_DMA_H
#define MOAT_SELFTEST_DMA_H

#include "../kernel/pci_addr.h"
#include "../kernel/types.h"

/* edu (1234:11e8): BAR0 registers and its 4 KiB DMA buffer, seen at device address 0x40000. */
#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_REG_DMA_SRC 0x80
#define EDU_REG_DMA_DST 0x88
#define EDU_REG_DMA_COUNT 0x90
#define EDU_REG_DMA_CMD 0x98
#define EDU_DMA_RUN BIT(0)
#define EDU_DMA_TO_RAM BIT(1) /* direction: 0 = RAM -> edu buffer, 1 = edu buffer -> RAM */
#define EDU_BUF_ADDR 0x40000ULL
#define EDU_BUF_SIZE 4096ULL

struct edu {
	struct pci_addr addr;
	u64 bar0;
};

/* Finds edu, enables its memory decoding and bus mastering. 0, or -1 if there is none. */
int edu_open(struct edu *e);
/* The same for the edu at a (one of several): -1 if a is not an edu or has no BAR0. */
int edu_open_at(struct edu *e, const struct pci_addr *a);
/* One DMA of len bytes (offset + len inside the 4 KiB buffer: edu aborts QEMU otherwise), and waits
 * for its end. to_ram: buffer[off] -> iova, else iova -> buffer[off]. 0, or -1 on timeout. */
int edu_dma(const struct edu *e, u64 iova, u32 off, u32 len, bool to_ram);

#endif
