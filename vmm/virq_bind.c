/* vmm/virq_bind.c: a device interrupt source bound to its own host vector (see virq_bind.h). */
#include "virq_bind.h"

void virq_bind_set(struct virq_bind *b, void *owner, u32 slot, u16 source, u32 gen, u8 vector)
{
	__atomic_store_n(&b->live, 0, __ATOMIC_RELEASE);
	b->owner = owner;
	b->slot = slot;
	b->source = source;
	b->gen = gen;
	__atomic_store_n(&b->vector, vector, __ATOMIC_RELAXED);
	__atomic_store_n(&b->live, 1, __ATOMIC_RELEASE);
}

u8 virq_bind_clear(struct virq_bind *b)
{
	__atomic_store_n(&b->live, 0, __ATOMIC_RELEASE);
	return __atomic_exchange_n(&b->vector, 0, __ATOMIC_ACQ_REL);
}

bool virq_bind_live(const struct virq_bind *b)
{
	return __atomic_load_n(&b->live, __ATOMIC_ACQUIRE) != 0;
}

bool virq_bind_accept(const struct virq_bind *b, u8 vector, const u32 *gens, u32 nslots)
{
	if (!virq_bind_live(b))
		return false;
	u8 held = __atomic_load_n(&b->vector, __ATOMIC_RELAXED);
	if (!held || held != vector || b->slot >= nslots)
		return false;
	return __atomic_load_n(&gens[b->slot], __ATOMIC_ACQUIRE) == b->gen;
}
