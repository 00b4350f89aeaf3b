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

/* Building blocks shared with smp_broadcast.c. */
/* Resets percpu_area[index] and gives it stacks (guarded) and IST stacks; NULL on failure. */
struct percpu *smp_prepare_cpu(u32 index, u32 apic_id);
/* Copies the trampoline to low_page and makes it executable; NULL when there is none. */
u8 *smp_trampoline_install(u64 low_page);
/* Fills the trampoline's parameters: the stack it switches to, the 64-bit entry and its RDI. */
void smp_trampoline_patch(u8 *page, u64 stack_top, u64 entry, u64 arg);
void smp_trampoline_remove(u64 low_page);
/* The C entry of a started AP: ap_main(struct percpu *) (sets apic_id and online, then idles). */
u64 smp_ap_entry(void);

/* cpu_discovery = broadcast (kernel/smp_broadcast.c): without a MADT, starts every other CPU
 * with an INIT-SIPI-SIPI broadcast and counts those that check in. Returns CPUs online. */
u32 smp_start_broadcast(u64 low_page);

#endif
