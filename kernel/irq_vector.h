/* kernel/irq_vector.h: host interrupt vectors handed out at run time, each with its own handler and
 * context (irq_vector.c: the pool, pure and host-tested in tests/unit/test_irq_vector.c;
 * irq_vector_isr.c: the machine's pool, its IDT stubs and the local APIC EOI). Knows nothing of VMs.
 *
 * The range IRQ_VECTOR_FIRST..IRQ_VECTOR_LAST is Moat's only dynamically allocated one; every fixed
 * vector lies outside it: exceptions 0-31, the interrupt remapping suite's test vectors 0xc1-0xc5
 * (vmm/selftest_ir.c), the IOMMU fault event 0xe0 (iommu/fault.h), the CPU work IPI 0xf0
 * (kernel/cpu_work.h) and the APIC spurious vector 0xff (kernel/idt.h). Moat uses no APIC timer and
 * no I/O APIC pin. Those files assert it.
 *
 * Dispatch takes no lock: each vector's handler and context are published under a sequence count
 * (odd while they change). An interrupt that arrives while its vector is being allocated or freed,
 * or after it was freed, finds no handler and is only acknowledged (counted as stale). A freed vector
 * is the last to be handed out again (next-fit), so that an interrupt still in flight for it is
 * very unlikely to reach a new owner; owners check their own context as well. */
#ifndef MOAT_IRQ_VECTOR_H
#define MOAT_IRQ_VECTOR_H

#include "spinlock.h"
#include "types.h"

#define IRQ_VECTOR_FIRST 0x30
#define IRQ_VECTOR_LAST 0xbf
#define IRQ_VECTOR_COUNT (IRQ_VECTOR_LAST - IRQ_VECTOR_FIRST + 1)

/* Runs in interrupt context, on any CPU, interrupts off: keep it short, take no lock a non-interrupt
 * path holds with interrupts on, log nothing. */
typedef void (*irq_vector_fn)(void *ctx, u8 vector);

struct irq_vector_slot {
	u32 seq; /* even: stable; odd: being changed */
	bool used;
	irq_vector_fn fn; /* NULL when free */
	void *ctx;
};

struct irq_vector_pool {
	struct spinlock lock; /* writers (alloc, free); dispatch never takes it */
	u32 next;	      /* where the next search starts (next-fit) */
	u32 in_use;
	u64 dispatched, stale;
	struct irq_vector_slot slot[IRQ_VECTOR_COUNT];
};

/* The pool operations (any pool; the tests use their own). */
void irq_pool_init(struct irq_vector_pool *p);
/* A free vector now calling fn(ctx, vector); -1 when every vector of the range is taken or fn is NULL. */
int irq_pool_alloc(struct irq_vector_pool *p, irq_vector_fn fn, void *ctx);
/* The vector no longer calls anything. -1 when it is not an allocated vector of the range. */
int irq_pool_free(struct irq_vector_pool *p, u8 vector);
/* Calls the vector's handler: true, or false (counted stale) when none is bound right now. */
bool irq_pool_dispatch(struct irq_vector_pool *p, u8 vector);
u32 irq_pool_in_use(const struct irq_vector_pool *p);

/* The machine's pool (irq_vector_isr.c). irq_vector_init after idt_init, before any allocation:
 * every vector of the range gets the dispatching handler (which sends the local APIC its EOI, for a
 * stale interrupt too). */
void irq_vector_init(void);
int irq_vector_alloc(irq_vector_fn fn, void *ctx);
int irq_vector_free(u8 vector);
u32 irq_vector_in_use(void);
/* Interrupts that found no handler (arrived after their vector was freed). */
u64 irq_vector_stale(void);

#endif
