/* kernel/pci_cf8.c: legacy configuration mechanism #1 (ports 0xCF8/0xCFC): segment 0 and the
 * first 256 bytes of each function only. */
#include "pci.h"
#include "cpu.h"
#include "spinlock.h"

#define PCI_CF8_ADDR_PORT 0xcf8
#define PCI_CF8_DATA_PORT 0xcfc
#define CF8_ENABLE BIT(31)
#define CF8_BUS_SHIFT 16
#define CF8_DEV_SHIFT 11
#define CF8_FN_SHIFT 8
#define CF8_REG_MASK 0xfc /* dword-aligned register number; the low bits select a data port byte */
#define CF8_BYTE_MASK 0x3

/* The address and data ports are one shared two-step interface. */
static struct spinlock cf8_lock;

static bool cf8_select(const struct pci_addr *a, u16 off)
{
	if (a->seg != 0 || off >= PCI_CFG_SIZE)
		return false;
	outl(PCI_CF8_ADDR_PORT,
	     (u32)(CF8_ENABLE | ((u32)a->bus << CF8_BUS_SHIFT) | ((u32)a->dev << CF8_DEV_SHIFT) |
		   ((u32)a->fn << CF8_FN_SHIFT) | (off & CF8_REG_MASK)));
	return true;
}

static u32 cf8_read(const struct pci_addr *a, u16 off, u8 size)
{
	u16 port = (u16)(PCI_CF8_DATA_PORT + (off & CF8_BYTE_MASK));
	u32 v = ~0u;

	spin_lock(&cf8_lock);
	if (cf8_select(a, off)) {
		if (size == 1)
			v = inb(port);
		else if (size == 2)
			v = inw(port);
		else if (size == 4)
			v = inl(port);
	}
	spin_unlock(&cf8_lock);
	return v;
}

static void cf8_write(const struct pci_addr *a, u16 off, u8 size, u32 val)
{
	u16 port = (u16)(PCI_CF8_DATA_PORT + (off & CF8_BYTE_MASK));

	spin_lock(&cf8_lock);
	if (cf8_select(a, off)) {
		if (size == 1)
			outb(port, (u8)val);
		else if (size == 2)
			outw(port, (u16)val);
		else if (size == 4)
			outl(port, val);
	}
	spin_unlock(&cf8_lock);
}

const struct pci_cfg_ops pci_cf8_ops = {
    .name = "cf8",
    .read = cf8_read,
    .write = cf8_write,
};
