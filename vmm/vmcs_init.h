/* vmm/vmcs_init.h: filling a new vCPU's VMCS: execution, exit and entry controls adjusted to
 * the CPU, host state (this CPU's GDT, TSS, IDT, page tables, per-CPU FS/GS base) and the
 * guest's first state. */
#ifndef MOAT_VMCS_INIT_H
#define MOAT_VMCS_INIT_H

#include "vm.h"
#include "guest_boot.h"

/* What all VMCSs share (I/O bitmaps, CR masks, time slice); made once. 0, or -1 with why. */
int vmcs_shared_init(const struct vmx_caps *caps, char *why, size_t n);
/* VMCLEARs and loads vm's VMCS and writes every field. 0, or -1 with why. */
int vmcs_init(struct vm *vm, const struct vmx_caps *caps, const struct guest_entry *e, char *why, size_t n);
/* Rewrites the host-state fields that differ per CPU (after a VMPTRLD on another CPU). */
void vmcs_write_host_state(void);
/* The guest CR0/CR4 bits Moat owns (guest/host masks), for the CR-access handler. */
u64 vmcs_cr0_mask(void);
u64 vmcs_cr4_mask(void);
/* The preemption-timer value of one time slice (0 when the CPU has no preemption timer). */
u32 vmcs_time_slice(void);

#endif
