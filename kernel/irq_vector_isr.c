/* kernel/irq_vector_isr.c: the machine's pool of run-time host vectors (see irq_vector.h): its IDT
 * handler dispatches to the vector's owner and sends the local APIC its EOI (for an interrupt that
 * found no owner as well: it was accepted by the APIC all the same). */
#include "irq_vector.h"
#include "apic.h"
#include "cpu_work.h"
#include "idt.h"

_Static_assert(IRQ_VECTOR_FIRST >= VEC_FIRST_IRQ, "run-time vectors overlap the exceptions");
_Static_assert(IRQ_VECTOR_LAST < VEC_CPU_WORK && IRQ_VECTOR_LAST < VEC_SPURIOUS,
	       "run-time vectors overlap a fixed kernel vector");

static struct irq_vector_pool pool;

static void on_vector(struct int_frame *f)
{
	irq_pool_dispatch(&pool, (u8)f->vector);
	apic_eoi();
}

void irq_vector_init(void)
{
	irq_pool_init(&pool);
	for (u32 v = IRQ_VECTOR_FIRST; v <= IRQ_VECTOR_LAST; v++)
		idt_set_handler((u8)v, on_vector);
}

int irq_vector_alloc(irq_vector_fn fn, void *ctx)
{
	return irq_pool_alloc(&pool, fn, ctx);
}
int irq_vector_free(u8 vector)
{
	return irq_pool_free(&pool, vector);
}
u32 irq_vector_in_use(void)
{
	return irq_pool_in_use(&pool);
}
u64 irq_vector_stale(void)
{
	return __atomic_load_n(&pool.stale, __ATOMIC_RELAXED);
}
