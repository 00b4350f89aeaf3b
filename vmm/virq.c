/* vmm/virq.c: the pending device-interrupt set of a VM (see virq.h). Bits are set with atomic OR by
 * the host handler (any CPU) and cleared with atomic AND by the VM's CPU. */
#include "virq.h"

bool virq_raise(struct virq *q, u32 vector)
{
	if (vector < VIRQ_FIRST_VALID || vector >= VIRQ_VECTORS) {
		__atomic_fetch_add(&q->refused, 1, __ATOMIC_RELAXED);
		return false;
	}
	__atomic_fetch_or(&q->pending[vector / VIRQ_WORD_BITS], 1ULL << (vector % VIRQ_WORD_BITS), __ATOMIC_RELEASE);
	__atomic_fetch_add(&q->raised, 1, __ATOMIC_RELAXED);
	return true;
}

bool virq_any(const struct virq *q)
{
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		if (__atomic_load_n(&q->pending[w], __ATOMIC_ACQUIRE))
			return true;
	return false;
}

int virq_take(struct virq *q)
{
	for (int w = VIRQ_WORDS - 1; w >= 0; w--) {
		u64 v = __atomic_load_n(&q->pending[w], __ATOMIC_ACQUIRE);
		if (!v)
			continue;
		int bit = VIRQ_WORD_BITS - 1 - __builtin_clzll(v);
		__atomic_fetch_and(&q->pending[w], ~(1ULL << bit), __ATOMIC_ACQ_REL);
		return w * VIRQ_WORD_BITS + bit;
	}
	return -1;
}

void virq_clear(struct virq *q)
{
	for (u32 w = 0; w < VIRQ_WORDS; w++)
		__atomic_store_n(&q->pending[w], 0, __ATOMIC_RELEASE);
	q->raised = q->refused = q->injected = 0;
}

enum virq_gate virq_decide(const struct virq *q, bool event_pending, u64 rflags, u64 interruptibility)
{
	if (!virq_any(q))
		return VIRQ_NONE;
	if (event_pending || !(rflags & VIRQ_IF) || (interruptibility & VIRQ_BLOCKING))
		return VIRQ_WAIT;
	return VIRQ_INJECT;
}
