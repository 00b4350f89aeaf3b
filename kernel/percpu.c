/* kernel/percpu.c: the per-CPU areas and their installation (FS/GS base, stack canary). */
#include "percpu.h"
#include "cpu.h"

struct percpu percpu_area[MAX_CPUS] __attribute__((aligned(64)));
u32 cpus_online;

#define CPUID1_ECX_RDRAND BIT(30)

static u64 canary_seed(void)
{
	u64 v = 0;
	if (cpuid(1, 0).ecx & CPUID1_ECX_RDRAND) {
		for (int i = 0; i < 10; i++) {
			u8 ok;
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
			if (ok)
				break;
		}
	}
	return v ^ (rdtsc() * 0x9e3779b97f4a7c15ULL);
}

__attribute__((no_stack_protector)) void percpu_install(struct percpu *pc)
{
	pc->self = pc;
	pc->canary = canary_seed() & ~0xffULL; /* low byte 0 stops string-copy overflows */
	wrmsr(MSR_FS_BASE, (u64)(uintptr_t)pc);
	wrmsr(MSR_GS_BASE, (u64)(uintptr_t)pc);
}
