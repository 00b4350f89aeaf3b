/* kernel/cpu_work.h: handing a function to another CPU. Each CPU has one work slot; an AP's
 * idle loop runs what is posted there, woken by an IPI (VEC_CPU_WORK), and the poster is woken
 * by the same IPI when it is done. The boot CPU posts; APs run. */
#ifndef MOAT_CPU_WORK_H
#define MOAT_CPU_WORK_H

#include "types.h"

/* The IPI vector that wakes a CPU for work and its poster when the work is done. */
#define VEC_CPU_WORK 0xf0

typedef void (*cpu_work_fn)(void *arg);

/* Posts fn(arg) to CPU cpu (per-CPU index, not 0, online, its slot free). 0, or -1. */
int cpu_work_post(u32 cpu, cpu_work_fn fn, void *arg);
/* True once the work posted last to cpu has returned. */
bool cpu_work_done(u32 cpu);
/* Waits for cpu's work: at most timeout_us (spinning), or with timeout_us 0 as long as it takes
 * (halting between wake-ups). True when the work is done. */
bool cpu_work_wait(u32 cpu, u64 timeout_us);
/* The idle loop of an AP: runs posted work, halts in between. */
void cpu_work_idle(void) __noreturn;

#endif
