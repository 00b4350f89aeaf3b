/* vmm/vms_cpus.h: VMs on the application processors: VMX turned on by each AP that the config
 * pins a VM to, the handoff of its VMs once the boot CPU has created them, and the wait for the
 * end of the run on every CPU. */
#ifndef MOAT_VMS_CPUS_H
#define MOAT_VMS_CPUS_H

#include "vmx_caps.h"

/* Makes CPU cpu (per-CPU index) ready to run VMs: VMX on, done once by that CPU itself (the boot
 * CPU's is done by vms_run). 0, or -1 with the reason in why. */
int vms_cpu_ready(u32 cpu, const struct vmx_caps *caps, char *why, size_t why_size);
/* Hands every AP that has runnable VMs its run: it schedules them until all have stopped. */
void vms_cpus_start(void);
/* Returns once the run on every AP started by vms_cpus_start has ended. */
void vms_cpus_wait(void);

#endif
