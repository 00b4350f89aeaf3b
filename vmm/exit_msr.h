/* vmm/exit_msr.h: the guest's MSRs: which pass straight through (those the VMCS or the VM
 * switch saves per VM), which Moat emulates, and the default: #GP. */
#ifndef MOAT_EXIT_MSR_H
#define MOAT_EXIT_MSR_H

#include "../kernel/types.h"

/* Fills a 4 KiB MSR bitmap: every MSR exits except the pass-through list. PAT passes
 * through only when the VMCS switches it (pat_switched). */
void msr_bitmap_build(u8 *bitmap, bool pat_switched);

#define MSR_IA32_STAR 0xc0000081
#define MSR_IA32_LSTAR 0xc0000082
#define MSR_IA32_CSTAR 0xc0000083
#define MSR_IA32_FMASK 0xc0000084
#define MSR_IA32_KERNEL_GS_BASE 0xc0000102
/* The MSRs the VM switch saves and restores (struct vcpu msrs[], in this order). */
extern const u32 msr_switched[5];

#endif
