/* vmm/vpci_host.c: the host bridge at 00:00.0 of a VM's virtual PCI bus and the choice of slots for
 * assigned functions (see vpci_host.h). The header is a constant: vendor/device, class, header type 0
 * (single function); command and status 0 (it decodes nothing, has no capability list); BARs,
 * expansion ROM, capability pointer and interrupt pin all 0, so a guest sizing them finds nothing. */
#include "vpci_host.h"
#include "../kernel/pci.h"

#define BYTE_BITS 8
#define BYTE_MASK 0xffu
#define CLASS_OFF (PCI_CLASS_REVISION + 1) /* prog-if, subclass, base class: 3 bytes */
#define CLASS_BYTES 3

static u8 host_byte(u16 off)
{
	switch (off) {
	case PCI_VENDOR_ID:
		return VPCI_HOST_VENDOR & BYTE_MASK;
	case PCI_VENDOR_ID + 1:
		return VPCI_HOST_VENDOR >> BYTE_BITS;
	case PCI_DEVICE_ID:
		return VPCI_HOST_DEVICE & BYTE_MASK;
	case PCI_DEVICE_ID + 1:
		return VPCI_HOST_DEVICE >> BYTE_BITS;
	case PCI_HEADER_TYPE:
		return PCI_HEADER_TYPE_NORMAL;
	default:
		break;
	}
	if (off >= CLASS_OFF && off < CLASS_OFF + CLASS_BYTES)
		return (u8)(VPCI_HOST_CLASS >> ((off - CLASS_OFF) * BYTE_BITS));
	return 0; /* command, status, revision, BARs, ROM, subsystem, capabilities, interrupt: none */
}

u32 vpci_host_read(u16 off, u32 size)
{
	u32 v = 0;
	for (u32 i = 0; i < size && i < sizeof(v); i++)
		if (off + i < PCI_CFG_SIZE)
			v |= (u32)host_byte((u16)(off + i)) << (i * BYTE_BITS);
	return v;
}

u8 vpci_host_slot(u8 host_dev, u32 used)
{
	used |= BIT(VPCI_HOST_DEV);
	if (host_dev < PCI_DEVS_PER_BUS && !(used & BIT(host_dev)))
		return host_dev;
	for (u8 d = VPCI_HOST_DEV + 1; d < PCI_DEVS_PER_BUS; d++)
		if (!(used & BIT(d)))
			return d;
	return VPCI_NO_SLOT;
}
