/* kernel/crypto_guard.c: makes hosted BearSSL code safe to call from Moat.
 * BearSSL (Debian's libbearssl.a) was compiled for user space: it keeps locals in the 128-byte red
 * zone below RSP and uses SSE registers. Moat's interrupt handlers push onto the interrupted stack
 * (which would overwrite a red zone), and whoever owns the XMM registers at the time (a guest whose
 * FPU state is still live, or the firmware before ExitBootServices) must get them back intact.
 * So every crypto call runs between crypto_enter() and crypto_leave():
 *   - RFLAGS is saved and interrupts are disabled (NMI, #MC and #DF use IST stacks, so they never
 *     touch the red zone either);
 *   - the XMM/MXCSR state is saved with FXSAVE and restored with FXRSTOR.
 * SSE itself must be enabled (CR4.OSFXSR, done by cpu_setup_features; UEFI enables it too), and
 * %fs:0x28 must hold a stack canary (kernel/percpu.c; boot/measure.c sets one up before exit). */
#include "crypto_guard.h"

#define RFLAGS_IF (1ULL << 9)

void crypto_enter(struct crypto_guard *g)
{
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(g->rflags)::"memory");
	__asm__ volatile("fxsave64 %0" : "=m"(g->fx)::"memory");
}

void crypto_leave(struct crypto_guard *g)
{
	__asm__ volatile("fxrstor64 %0" ::"m"(g->fx) : "memory");
	if (g->rflags & RFLAGS_IF)
		__asm__ volatile("sti" ::: "memory");
}
