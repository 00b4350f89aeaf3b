/* vmm/vpci_irq.c: the host vectors of assigned devices' interrupts (see vpci.h). Each live MSI-X
 * entry, and a device's MSI while it is enabled, holds a host vector of its own from the kernel's
 * pool (kernel/irq_vector.h), bound to it by a struct virq_bind (virq_bind.h). The vector's handler
 * runs on whatever CPU the IRTE (or Moat's compatibility message) names and delivers exactly that
 * entry's current guest vector into its VM's pending set (virq_vm.c), judged in the guest's state of
 * the moment (vpci_msi_fired, vpci_msix_fired); no other entry of the device is touched, so a
 * multi-vector device's guest driver sees no interrupt it did not cause. A stale interrupt (its
 * binding cleared, or made for an earlier VM of the slot) reaches no VM. */
#include "vpci.h"
#include "virq_vm.h"
#include "../kernel/irq_vector.h"

static u64 host_irqs[VM_MAX];

static void on_host_vector(void *ctx, u8 vector)
{
	const struct virq_bind *b = ctx;
	if (!virq_bind_accept(b, vector, virq_vm_gens(), VM_MAX))
		return;
	__atomic_fetch_add(&host_irqs[b->slot], 1, __ATOMIC_RELAXED);
	struct vpci_dev *d = b->owner;
	if (b->source == VIRQ_BIND_MSI)
		vpci_msi_fired(b->slot, d);
	else
		vpci_msix_fired(b->slot, d, b->source);
}

int vpci_irq_bind(struct vm *vm, struct vpci_dev *d, struct virq_bind *b, u16 source)
{
	vpci_irq_unbind(b); /* never two vectors for one entry */
	int v = irq_vector_alloc(on_host_vector, b);
	if (v < 0)
		return -1;
	virq_vm_use(vm);
	virq_bind_set(b, d, vm->id, source, virq_vm_gen(vm->id), (u8)v);
	return v;
}

void vpci_irq_unbind(struct virq_bind *b)
{
	u8 v = virq_bind_clear(b);
	if (v)
		irq_vector_free(v);
}

u64 vpci_msi_host_irqs(u32 slot)
{
	return slot < VM_MAX ? __atomic_load_n(&host_irqs[slot], __ATOMIC_RELAXED) : 0;
}
