/* vmm/sched.h: running VMs on a CPU: round-robin over the VMs pinned to it, a time slice
 * ending at the VMX preemption timer, a hypercall yield or an idle HLT. A VM that stops is
 * destroyed at once; the others go on. */
#ifndef MOAT_SCHED_H
#define MOAT_SCHED_H

#include "vm.h"

/* Runs every runnable VM whose cpu is the calling CPU until none is left. */
void sched_run_this_cpu(void);

#endif
