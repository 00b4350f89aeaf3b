/* kernel/irq_vector.c: the pool of run-time host vectors (see irq_vector.h): next-fit allocation under
 * the writers' lock, lock-free dispatch through a per-vector sequence count. Pure code: the machine's
 * pool and the IDT glue are in irq_vector_isr.c. */
#include "irq_vector.h"

static bool in_range(u8 v)
{
	return v >= IRQ_VECTOR_FIRST && v <= IRQ_VECTOR_LAST;
}

/* Writer side (lock held): seq odd, fields, seq even. */
static void publish(struct irq_vector_slot *s, bool used, irq_vector_fn fn, void *ctx)
{
	u32 seq = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq + 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	s->used = used;
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELAXED);
	__atomic_store_n(&s->ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&s->seq, seq + 2, __ATOMIC_RELEASE);
}

void irq_pool_init(struct irq_vector_pool *p)
{
	*p = (struct irq_vector_pool){0};
}

int irq_pool_alloc(struct irq_vector_pool *p, irq_vector_fn fn, void *ctx)
{
	if (!fn)
		return -1;
	int got = -1;
	spin_lock(&p->lock);
	for (u32 k = 0; k < IRQ_VECTOR_COUNT; k++) {
		u32 i = (p->next + k) % IRQ_VECTOR_COUNT;
		if (p->slot[i].used)
			continue;
		publish(&p->slot[i], true, fn, ctx);
		p->next = (i + 1) % IRQ_VECTOR_COUNT;
		p->in_use++;
		got = (int)(IRQ_VECTOR_FIRST + i);
		break;
	}
	spin_unlock(&p->lock);
	return got;
}

int irq_pool_free(struct irq_vector_pool *p, u8 vector)
{
	if (!in_range(vector))
		return -1;
	int rc = -1;
	spin_lock(&p->lock);
	struct irq_vector_slot *s = &p->slot[vector - IRQ_VECTOR_FIRST];
	if (s->used) {
		publish(s, false, NULL, NULL);
		p->in_use--;
		rc = 0;
	}
	spin_unlock(&p->lock);
	return rc;
}

bool irq_pool_dispatch(struct irq_vector_pool *p, u8 vector)
{
	if (!in_range(vector)) {
		__atomic_fetch_add(&p->stale, 1, __ATOMIC_RELAXED);
		return false;
	}
	struct irq_vector_slot *s = &p->slot[vector - IRQ_VECTOR_FIRST];
	u32 before = __atomic_load_n(&s->seq, __ATOMIC_ACQUIRE);
	irq_vector_fn fn = __atomic_load_n(&s->fn, __ATOMIC_RELAXED);
	void *ctx = __atomic_load_n(&s->ctx, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	u32 after = __atomic_load_n(&s->seq, __ATOMIC_RELAXED);
	/* odd or changed: the vector is being (re)bound or freed right now, possibly by this very CPU
	 * (so never wait for it); an interrupt meanwhile belongs to no owner that is still there */
	if ((before & 1u) || before != after || !fn) {
		__atomic_fetch_add(&p->stale, 1, __ATOMIC_RELAXED);
		return false;
	}
	fn(ctx, vector);
	__atomic_fetch_add(&p->dispatched, 1, __ATOMIC_RELAXED);
	return true;
}

u32 irq_pool_in_use(const struct irq_vector_pool *p)
{
	return p->in_use;
}
