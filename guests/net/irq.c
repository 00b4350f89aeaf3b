/* guests/net/irq.c: the optional interrupt mode of a VM named "net-irq": it lists the NIC's PCI
 * capabilities (as its virtual bus shows them) and, when the device offers MSI, would enable it with
 * its own vector. The Bochs e1000 (82540EM) is probed here first: with no MSI capability the guest
 * says so and goes on polling. */
#include "net.h"

#define PCI_STATUS 0x06
#define STATUS_CAP_LIST 0x10
#define PCI_CAP_PTR 0x34
#define CAP_ID_MSI 0x05
#define CAP_PTR_MASK 0xfc
#define CAPS_MAX 48

/* Offset of the MSI capability, 0 if none; prints the chain. */
u8 net_irq_probe(struct nic *n)
{
	u8 msi = 0;
	if (!(pci_read16(n->dev, n->fn, PCI_STATUS) & STATUS_CAP_LIST)) {
		gprintf("net: irq: the device has no capability list: no MSI (polling)\n");
		return 0;
	}
	u8 p = (u8)(pci_read32(n->dev, n->fn, PCI_CAP_PTR) & CAP_PTR_MASK);
	for (int i = 0; p && i < CAPS_MAX; i++) {
		u32 h = pci_read32(n->dev, n->fn, p);
		gprintf("net: irq: capability 0x%02x at 0x%02x\n", h & 0xff, p);
		if ((h & 0xff) == CAP_ID_MSI)
			msi = p;
		p = (u8)((h >> 8) & CAP_PTR_MASK);
	}
	if (!msi)
		gprintf("net: irq: the device has no MSI capability (polling)\n");
	return msi;
}
