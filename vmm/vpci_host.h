/* vmm/vpci_host.h: the fixed layout of a VM's virtual PCI bus 0 (issue 8), as pure functions
 * (vpci_host.c; host unit tests in tests/unit/test_vpci_host.c): the emulated host bridge every
 * such bus has at 00:00.0, and the slot each assigned function gets. The host bridge is
 * configuration space only: a read-only header, no BARs, no capabilities, no interrupt, nothing on
 * the host behind it; writes to it are dropped. It is there because guests expect it: Linux's
 * type-1 probe (arch/x86/pci/direct.c, pci_sanity_check) accepts CF8/CFC only when bus 0 holds a
 * host bridge, a VGA function or an Intel/Compaq one, so a non-Intel NIC alone would leave it with
 * no PCI at all. */
#ifndef MOAT_VPCI_HOST_H
#define MOAT_VPCI_HOST_H

#include "../kernel/types.h"

#define VPCI_HOST_DEV 0 /* the host bridge's device number; never given to an assigned function */
#define VPCI_HOST_FN 0
/* 8086:0d57 is the ID cloud-hypervisor, Firecracker and Dragonball give their emulated PCI root
 * (and QEMU's "pci-virt" host device): no real Intel part, so no guest applies a chipset quirk to
 * it, and guests running on those VMMs already see it; Intel's vendor ID also passes Linux's
 * pci_sanity_check by itself. */
#define VPCI_HOST_VENDOR 0x8086
#define VPCI_HOST_DEVICE 0x0d57
#define VPCI_HOST_CLASS 0x060000 /* base class 06 (bridge), subclass 00 (host), prog-if 00 */
#define VPCI_NO_SLOT 0xff	 /* vpci_host_slot: every device number is taken */

/* `size` (1, 2 or 4) bytes of the host bridge's configuration space at off (below 256). */
u32 vpci_host_read(u16 off, u32 size);

/* The virtual device number for a function whose host device number is host_dev; `used` has bit n
 * set when device n of the virtual bus is taken (bit VPCI_HOST_DEV need not be): host_dev when it is
 * free and not VPCI_HOST_DEV, else the lowest free one above VPCI_HOST_DEV; VPCI_NO_SLOT if none. */
u8 vpci_host_slot(u8 host_dev, u32 used);

#endif
