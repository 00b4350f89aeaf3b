/* kernel/spinlock.h: a test-and-set spinlock for the few structures CPUs share. */
#ifndef MOAT_SPINLOCK_H
#define MOAT_SPINLOCK_H

#include "types.h"

struct spinlock {
	volatile u32 locked;
};

static inline void spin_lock(struct spinlock *l)
{
	while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
		while (l->locked)
			__asm__ volatile("pause");
}

static inline void spin_unlock(struct spinlock *l) { __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE); }

#endif
