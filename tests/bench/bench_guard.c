/* tests/bench/bench_guard.c: crypto_enter/crypto_leave for the host benchmark: the same RFLAGS save
 * and FXSAVE/FXRSTOR as kernel/crypto_guard.c, minus cli/sti (not allowed in user mode). */
#include "kernel/crypto_guard.h"

void crypto_enter(struct crypto_guard *g)
{
	__asm__ volatile("pushfq; popq %0" : "=r"(g->rflags)::"memory");
	__asm__ volatile("fxsave64 %0" : "=m"(g->fx)::"memory");
}

void crypto_leave(struct crypto_guard *g) { __asm__ volatile("fxrstor64 %0" ::"m"(g->fx) : "memory"); }
