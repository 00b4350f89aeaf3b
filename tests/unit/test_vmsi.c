/* tests/unit/test_vmsi.c: the fate of an assigned device's MSI message in the guest's MSI state
 * (vmm/vmsi.c), along Linux 6.1's msi_capability_init and request_irq/free_irq: disabled while set
 * up, masked (maskable devices), message written, enabled, the real vector written, unmasked, then
 * at free_irq masked, a zero message written, disabled. */
#include "check.h"
#include "vmm/vmsi.h"

#define LINUX_ADDR 0xfee00000u   /* destination APIC id 0, physical */
#define SHUTDOWN_VECTOR 0xef     /* MANAGED_IRQ_SHUTDOWN_VECTOR: Linux's placeholder before request_irq */
#define REAL_VECTOR 0x22

static void linux_maskable_sequence(void)
{
	/* pci_msi_set_enable(dev, 0), then pci_msi_mask(): a message now is dropped (MSI off) */
	CHECK_EQ(vmsi_fire(false, true, VMSI_MASK_VECTOR0, 0, 0), VMSI_DROP);
	/* address/data written (shutdown vector), MSI enabled, still masked: held pending */
	CHECK_EQ(vmsi_fire(true, true, VMSI_MASK_VECTOR0, LINUX_ADDR, 0), VMSI_PENDING);
	/* request_irq: the real vector written while enabled and masked, then unmasked */
	CHECK_EQ(vmsi_vector(REAL_VECTOR), REAL_VECTOR);
	CHECK_EQ(vmsi_fire(true, true, 0, LINUX_ADDR, 0), VMSI_DELIVER);
	/* free_irq: masked again (pending), then msi_domain_deactivate writes a zero message: dropped */
	CHECK_EQ(vmsi_fire(true, true, VMSI_MASK_VECTOR0, LINUX_ADDR, 0), VMSI_PENDING);
	CHECK_EQ(vmsi_fire(true, true, VMSI_MASK_VECTOR0, 0, 0), VMSI_DROP);
	CHECK_EQ(vmsi_fire(true, true, 0, 0, 0), VMSI_DROP);
}

static void non_maskable_and_addresses(void)
{
	/* QEMU's e1000e MSI has no per-vector mask: the mask register is not there, never "masked" */
	CHECK_EQ(vmsi_fire(true, false, VMSI_MASK_VECTOR0, LINUX_ADDR, 0), VMSI_DELIVER);
	/* only bit 0 masks the one vector Moat offers */
	CHECK_EQ(vmsi_fire(true, true, 0xfffffffeu, LINUX_ADDR, 0), VMSI_DELIVER);
	/* addresses that are not interrupt addresses: RAM, above 4 GiB, the window's neighbour */
	CHECK(vmsi_addr_ok(LINUX_ADDR | 0x1000u, 0));
	CHECK(!vmsi_addr_ok(0x12345000u, 0));
	CHECK(!vmsi_addr_ok(LINUX_ADDR, 1));
	CHECK(!vmsi_addr_ok(0xfef00000u, 0));
	CHECK_EQ(vmsi_fire(true, false, 0, 0xfef00000u, 0), VMSI_DROP);
	/* the vector is the data's low byte, whatever the delivery mode and trigger bits say */
	CHECK_EQ(vmsi_vector(0xc000u | REAL_VECTOR), REAL_VECTOR);
}

static const struct unit_test vmsi_tests[] = {
	UNIT_TEST(linux_maskable_sequence),
	UNIT_TEST(non_maskable_and_addresses),
};
UNIT_SUITE(vmsi_suite, vmsi_tests);
