/* guests/net/pci.c: the guest's view of PCI: configuration mechanism #1 (CF8/CFC) on bus 0, which
 * Moat emulates with this VM's devices and a host bridge at 00:00.0 on it; listing the bus (function
 * 0 of each device: Moat shows single-function devices only), finding the NIC and placing its BAR0. */
#include "net.h"

#define CF8 0xcf8
#define CFC 0xcfc
#define CF8_ENABLE 0x80000000u
#define INTEL 0x8086
#define DEV_E1000 0x100e
#define DEV_E1000E 0x10d3
#define PCI_COMMAND 0x04
#define PCI_CLASS_REV 0x08
#define CLASS_SHIFT 8
#define VENDOR_ABSENT 0xffff
#define PCI_BAR0 0x10
#define CMD_MEMORY 0x2
#define CMD_MASTER 0x4
#define BAR_IO 0x1
#define BAR_TYPE_64 0x4
#define BAR_MASK 0xfffffff0u
#define DEVS 32

static inline void outl(u16 port, u32 v) { __asm__ volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

static u32 addr(u8 dev, u8 fn, u8 off) { return CF8_ENABLE | (u32)dev << 11 | (u32)fn << 8 | (off & 0xfcu); }

u32 pci_read32(u8 dev, u8 fn, u8 off)
{
	outl(CF8, addr(dev, fn, off));
	return inl(CFC);
}

void pci_write32(u8 dev, u8 fn, u8 off, u32 v)
{
	outl(CF8, addr(dev, fn, off));
	outl(CFC, v);
}

u16 pci_read16(u8 dev, u8 fn, u8 off) { return (u16)(pci_read32(dev, fn, off) >> ((off & 2) * 8)); }

void pci_write16(u8 dev, u8 fn, u8 off, u16 v)
{
	u32 old = pci_read32(dev, fn, off & 0xfc), sh = (off & 2) * 8;
	pci_write32(dev, fn, off & 0xfc, (old & ~(0xffffu << sh)) | (u32)v << sh);
}

/* One line per function present: "net: pci 00:00.0 8086:0d57 class 0x060000". */
static void bus_list(void)
{
	for (u8 d = 0; d < DEVS; d++) {
		u32 id = pci_read32(d, 0, 0);
		if ((id & 0xffff) == VENDOR_ABSENT)
			continue;
		gprintf("net: pci 00:%02x.0 %04x:%04x class 0x%06x\n", d, id & 0xffff, id >> 16,
			pci_read32(d, 0, PCI_CLASS_REV) >> CLASS_SHIFT);
	}
}

int nic_find(struct nic *n, u64 bar_gpa)
{
	bus_list();
	for (u8 d = 0; d < DEVS; d++) {
		u32 id = pci_read32(d, 0, 0);
		if ((id & 0xffff) != INTEL || ((id >> 16) != DEV_E1000 && (id >> 16) != DEV_E1000E))
			continue;
		n->dev = d;
		n->fn = 0;
		n->device = (u16)(id >> 16);
		u32 orig = pci_read32(d, 0, PCI_BAR0);
		if (orig & BAR_IO) {
			gprintf("net: BAR0 of 00:%02x.0 is not memory\n", d);
			return -1;
		}
		pci_write16(d, 0, PCI_COMMAND, 0);
		pci_write32(d, 0, PCI_BAR0, 0xffffffffu);
		u32 mask = pci_read32(d, 0, PCI_BAR0) & BAR_MASK;
		n->bar_size = (u64)(~mask + 1u);
		pci_write32(d, 0, PCI_BAR0, (u32)bar_gpa);
		if (orig & BAR_TYPE_64)
			pci_write32(d, 0, PCI_BAR0 + 4, (u32)(bar_gpa >> 32));
		n->bar = (pci_read32(d, 0, PCI_BAR0) & BAR_MASK) | (orig & BAR_TYPE_64 ? (u64)pci_read32(d, 0, PCI_BAR0 + 4) << 32 : 0);
		pci_write16(d, 0, PCI_COMMAND, CMD_MEMORY | CMD_MASTER);
		gprintf("net: nic 8086:%04x at 00:%02x.0, BAR0 %llu KiB placed at 0x%llx (was 0x%x), command 0x%x\n",
			n->device, d, n->bar_size >> 10, n->bar, orig & BAR_MASK, pci_read16(d, 0, PCI_COMMAND));
		return 0;
	}
	gprintf("net: no e1000 (8086:100e) or e1000e (8086:10d3) on my PCI bus\n");
	return -1;
}
