/* vmm/virq_bind.h: one guest interrupt source of an assigned device (its MSI, or one MSI-X entry)
 * bound to a host vector of its own (kernel/irq_vector.h), as pure state and the handler's decision
 * (virq_bind.c; host unit tests in tests/unit/test_virq_bind.c; used by vpci_irq.c). The host
 * vector's handler gets the binding as its context and delivers only when the binding is live, holds
 * exactly the vector that fired and was made in the VM slot's current generation (virq_vm.c bumps it
 * when a VM releases its devices): an interrupt still in flight when the entry was torn down, or
 * aimed at a vector the binding no longer holds, reaches no VM. */
#ifndef MOAT_VIRQ_BIND_H
#define MOAT_VIRQ_BIND_H

#include "../kernel/types.h"

#define VIRQ_BIND_MSI 0xffffu /* source: the device's MSI (else an MSI-X entry index) */

struct virq_bind {
	u32 live;    /* set last when bound, cleared first when unbound (atomic) */
	u8 vector;   /* the host vector held; 0 when none */
	u32 slot;    /* the VM slot it delivers to */
	u32 gen;     /* that slot's generation when bound */
	u16 source;  /* VIRQ_BIND_MSI or an MSI-X entry */
	void *owner; /* the device (struct vpci_dev) */
};

/* Fields first, live last (release): a handler that sees it live sees them. */
void virq_bind_set(struct virq_bind *b, void *owner, u32 slot, u16 source, u32 gen, u8 vector);
/* Not live any more; returns the vector it held (0: none), for the caller to free. */
u8 virq_bind_clear(struct virq_bind *b);
bool virq_bind_live(const struct virq_bind *b);
/* The handler of `vector`, any CPU: does this interrupt belong to the binding's VM now? gens[slot] is
 * each slot's current generation (nslots of them). */
bool virq_bind_accept(const struct virq_bind *b, u8 vector, const u32 *gens, u32 nslots);

#endif
