/* vmm/selftest_assign_vec.c: assign-msix-vectors, part of the "assign" suite (selftest_assign.c):
 * per-entry host vectors of an assigned device's MSI-X. The guest (played through the emulated table)
 * unmasks two entries with different guest vectors; each must get its own host vector and IRTE. Then
 * the real e1000e fires one entry at a time: an interrupt cause is set through its ICS register and
 * routed to an MSI-X entry by its IVAR (82574L datasheet 10.2.4.8; QEMU's e1000e_core.c does the
 * same), and exactly that entry's guest vector must become pending in the VM (virq state), the other
 * entry's not. Last, the guest masks entry 1 (its IRTE and host vector freed) and a self-IPI on the
 * freed vector plays an interrupt still in flight: nothing may become pending, the pool counts it
 * stale; a self-IPI on entry 0's vector still reaches only entry 0's guest vector. */
#include "selftest.h"
#include "virq_vm.h"
#include "vpci.h"
#include "../iommu/msi.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/irq_vector.h"
#include "../kernel/log.h"
#include "../kernel/paging.h"
#include "../kernel/pci.h"
#include "../kernel/tsc.h"

#define GV0 0x42 /* entry 0's guest vector */
#define GV1 0x43 /* entry 1's */
#define GUEST_ADDR (MSI_ADDR_BASE | 0x1000u)
#define DWORD 4u
#define WAIT_US 100000
#define US_PER_S 1000000
/* 82574L registers (BAR0) */
#define E1000_ICR 0x00c0
#define E1000_ICS 0x00c8
#define E1000_IMS 0x00d0
#define E1000_IMC 0x00d8
#define E1000_IVAR 0x00e4
#define E1000_ICR_RXQ0 BIT(20)
#define E1000_ICR_RXQ1 BIT(21)
#define IVAR_VALID 0x8u
#define IVAR_RXQ0_SHIFT 0
#define IVAR_RXQ1_SHIFT 4
#define ALL_CAUSES 0xffffffffu
#define MAX_PENDING 8

static void entry_write(struct vm *vm, struct vpci_dev *d, u32 e, u32 reg, u32 val)
{
	struct vpci_mmio acc = {d->msix_bir[0], d->msix_off[0] + (u64)e * VMSIX_ENTRY_SIZE + reg, DWORD, true,
				val};
	vpci_msix_access(vm, d, &acc);
}

static void unmask(struct vm *vm, struct vpci_dev *d, u32 e, u8 gv)
{
	entry_write(vm, d, e, VMSIX_ADDR_LO, GUEST_ADDR);
	entry_write(vm, d, e, VMSIX_ADDR_HI, 0);
	entry_write(vm, d, e, VMSIX_DATA, gv);
	entry_write(vm, d, e, VMSIX_CTRL, 0);
}

/* Lets interrupts in until something is pending for the VM (or WAIT_US). */
static void wait_pending(struct vm *vm)
{
	u64 end = rdtsc() + tsc_hz() / US_PER_S * WAIT_US;
	irq_enable();
	while (rdtsc() < end && !virq_any(virq_of(vm)))
		cpu_relax();
	irq_disable();
}

/* Takes every pending guest vector out: how many, and whether `want` was one. */
static u32 take_all(struct vm *vm, u32 want, bool *had)
{
	u32 n = 0;
	*had = false;
	for (int v = virq_take(virq_of(vm)); v >= 0 && n < MAX_PENDING; v = virq_take(virq_of(vm)), n++)
		*had = *had || (u32)v == want;
	return n;
}

/* Sets one interrupt cause on the device (only that cause enabled): it sends its IVAR's entry. */
static void fire_cause(u64 bar0, u32 cause)
{
	mmio_write32(bar0 + E1000_IMC, ALL_CAUSES);
	mmio_write32(bar0 + E1000_ICR, ALL_CAUSES); /* write-1-to-clear */
	mmio_write32(bar0 + E1000_IMS, cause);
	mmio_write32(bar0 + E1000_ICS, cause);
}

/* One device interrupt through cause `cause`: only `want` (entry `e`'s guest vector) may be pending. */
static bool only(struct vm *vm, u64 bar0, u32 cause, u32 e, u32 want, u32 other)
{
	bool had;
	take_all(vm, 0, &had);
	u64 taken = vpci_msi_host_irqs(vm->id);
	fire_cause(bar0, cause);
	wait_pending(vm);
	u32 n = take_all(vm, want, &had);
	u64 took = vpci_msi_host_irqs(vm->id) - taken;
	pr_info("test",
		"assign: e1000e cause 0x%x -> MSI-X entry %u: %u host interrupt(s), guest vector 0x%x %s, %u "
		"pending in all (entry %u's 0x%x %s)",
		cause, e, (u32)took, want, had ? "pending" : "NOT pending", n, e ^ 1, other,
		had && n == 1 ? "not pending" : "PENDING or unknown");
	return had && n == 1 && took == 1;
}

bool selftest_assign_vectors(struct vm *vm, struct vpci_dev *d, u64 bar0)
{
	if (d->msix.n < 2 || !irq_remap_on())
		return false;
	u16 cmd = (u16)vpci_cfg_read(vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2);
	if (!(cmd & PCI_COMMAND_MASTER)) /* a device sends MSI-X only as a bus master */
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2, cmd | PCI_COMMAND_MASTER);
	vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(d->msix_cap + 2), 2, VMSIX_MSGCTL_ENABLE);
	unmask(vm, d, 0, GV0);
	unmask(vm, d, 1, GV1);
	u8 hv0 = d->msix_bind[0].vector, hv1 = d->msix_bind[1].vector;
	bool distinct = hv0 && hv1 && hv0 != hv1 && d->msix_irq[0].valid && d->msix_irq[1].valid &&
			d->msix_irq[0].vector == hv0 && d->msix_irq[1].vector == hv1 &&
			d->msix_irq[0].index != d->msix_irq[1].index;
	pr_info("test", "assign: MSI-X entries 0 and 1: host vectors 0x%x and 0x%x, IRTEs %u and %u: %s", hv0,
		hv1, d->msix_irq[0].index, d->msix_irq[1].index, distinct ? "distinct" : "NOT DISTINCT");
	if (paging_map_mmio(ALIGN_DOWN(bar0 + E1000_IVAR, PAGE_SIZE), PAGE_SIZE) != 0)
		return false;
	/* RXQ0 -> entry 1, RXQ1 -> entry 0 (crossed, so that cause number and entry number differ) */
	mmio_write32(bar0 + E1000_IVAR, (IVAR_VALID | 1u) << IVAR_RXQ0_SHIFT | (IVAR_VALID | 0u)
										   << IVAR_RXQ1_SHIFT);
	bool one = only(vm, bar0, E1000_ICR_RXQ0, 1, GV1, GV0);
	bool zero = only(vm, bar0, E1000_ICR_RXQ1, 0, GV0, GV1);
	mmio_write32(bar0 + E1000_IMC, ALL_CAUSES);
	mmio_write32(bar0 + E1000_ICR, ALL_CAUSES);
	mmio_write32(bar0 + E1000_IVAR, 0);

	/* entry 1 masked by the guest: IRTE and host vector freed; an interrupt still in flight on it */
	entry_write(vm, d, 1, VMSIX_CTRL, VMSIX_CTRL_MASKED);
	bool freed = !d->msix_irq[1].valid && !d->msix_bind[1].vector && d->msix_bind[0].vector == hv0;
	bool had;
	take_all(vm, 0, &had);
	u64 stale = irq_vector_stale();
	apic_send_fixed(apic_id(), hv1);
	wait_pending(vm);
	u32 n_stale = take_all(vm, 0, &had);
	bool counted = irq_vector_stale() == stale + 1;
	apic_send_fixed(apic_id(), hv0);
	wait_pending(vm);
	u32 n0 = take_all(vm, GV0, &had);
	pr_info("test",
		"assign: entry 1 masked (IRTE and host vector 0x%x freed): an interrupt in flight on it made "
		"%u guest vector(s) pending (stale: %s); one on entry 0's 0x%x made %u, guest vector 0x%x %s",
		hv1, n_stale, counted ? "counted" : "NOT COUNTED", hv0, n0, GV0,
		had ? "pending" : "NOT pending");
	entry_write(vm, d, 0, VMSIX_CTRL, VMSIX_CTRL_MASKED);
	bool all_free = !d->msix_bind[0].vector;
	return distinct && one && zero && freed && n_stale == 0 && counted && n0 == 1 && had && all_free;
}
