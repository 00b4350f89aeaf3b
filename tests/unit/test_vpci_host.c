/* tests/unit/test_vpci_host.c: the fixed layout of a VM's virtual PCI bus (vmm/vpci_host.c): the
 * emulated host bridge's header as a guest reads it at 00:00.0 (what Linux's pci_sanity_check and its
 * bus scan look at, BARs and capabilities absent) and the slot each assigned function gets (never
 * device 0). */
#include "check.h"
#include "kernel/pci.h"
#include "vmm/vpci_host.h"

#define BAR0 0x10
#define BAR_END 0x28
#define ROM 0x30
#define INT_PIN 0x3d

static void header(void)
{
	CHECK_EQ(vpci_host_read(PCI_VENDOR_ID, 4), 0x0d578086u);
	CHECK_EQ(vpci_host_read(PCI_VENDOR_ID, 2), 0x8086u); /* pci_sanity_check: vendor Intel */
	CHECK_EQ(vpci_host_read(PCI_DEVICE_ID, 2), 0x0d57u);
	CHECK_EQ(vpci_host_read(PCI_VENDOR_ID + 1, 1), 0x80u);
	/* pci_sanity_check reads the 16-bit class at 0x0a: host bridge */
	CHECK_EQ(vpci_host_read(PCI_CLASS_REVISION + 2, 2), PCI_CLASS_BRIDGE_HOST);
	CHECK_EQ(vpci_host_read(PCI_CLASS_REVISION, 4) >> PCI_CLASS_REVISION_SHIFT, 0x060000u);
	CHECK_EQ(vpci_host_read(PCI_HEADER_TYPE, 1), PCI_HEADER_TYPE_NORMAL); /* single function */
	CHECK_EQ(vpci_host_read(PCI_COMMAND, 4), 0); /* command and status: nothing decoded, no caps */
	CHECK_EQ(vpci_host_read(PCI_CAPABILITY_LIST, 1), 0);
	CHECK_EQ(vpci_host_read(INT_PIN, 1), 0);
	CHECK_EQ(vpci_host_read(ROM, 4), 0);
	for (u16 off = BAR0; off < BAR_END; off += 4)
		CHECK_EQ(vpci_host_read(off, 4), 0); /* no BARs: a sizing write leaves 0 to read */
	for (u16 off = 0x40; off < PCI_CFG_SIZE; off += 4)
		CHECK_EQ(vpci_host_read(off, 4), 0);
	CHECK_EQ(vpci_host_read(PCI_CFG_SIZE - 2, 4), 0); /* past the end: nothing, no overrun */
}

static void slots(void)
{
	CHECK_EQ(vpci_host_slot(2, 0), 2);	/* its own device number */
	CHECK_EQ(vpci_host_slot(0, 0), 1);	/* 0000:03:00.0: not the host bridge's 0 */
	CHECK_EQ(vpci_host_slot(0, BIT(1)), 2); /* the next free one */
	CHECK_EQ(vpci_host_slot(2, BIT(2)), 1); /* taken: the lowest free one */
	CHECK_EQ(vpci_host_slot(0x1f, 0), 0x1f);
	CHECK_EQ(vpci_host_slot(5, BIT(0)), 5); /* bit 0 given or not: the same */
	CHECK_EQ(vpci_host_slot(0, 0xfffffffeu), VPCI_NO_SLOT);
	CHECK_EQ(vpci_host_slot(0, 0x7ffffffeu), 0x1f);
	CHECK_EQ(vpci_host_slot(40, 0), 1); /* not a device number: placed anyway */
}

static const struct unit_test tests[] = {
    UNIT_TEST(header),
    UNIT_TEST(slots),
};
UNIT_SUITE(vpci_host_suite, tests);
