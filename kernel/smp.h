/* kernel/smp.h: starting the other CPUs (INIT-SIPI-SIPI) and the per-CPU setup every CPU runs. */
#ifndef MOAT_SMP_H
#define MOAT_SMP_H

#include "types.h"
#include "percpu.h"

/* CR0/CR4/EFER features every CPU runs with: SSE on, write protection, NX. */
void cpu_setup_features(void);
/* Per-CPU stacks (with guard pages) and IST stacks from the frame allocator; 0 or -1. */
int cpu_alloc_stacks(struct percpu *pc);
/* Starts the CPUs whose APIC ids are listed (the boot CPU's own id is skipped) through the
 * trampoline page low_page. Returns how many CPUs are online in all. */
u32 smp_start(const u32 *apic_ids, u32 n, u64 low_page);

#endif
