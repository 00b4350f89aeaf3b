/* vmm/vmx_controls.h: turning the controls Moat wants into values the CPU accepts, from the
 * capability MSRs (allowed-0 bits forced on, allowed-1 bits the only ones possible), and the
 * CR0/CR4 fixed-bit rules. Pure functions: host unit tests cover them. */
#ifndef MOAT_VMX_CONTROLS_H
#define MOAT_VMX_CONTROLS_H

#include "../kernel/types.h"

struct vmx_ctl_result {
	u32 value;   /* what to write into the VMCS */
	u32 missing; /* required bits the CPU cannot set (0: usable) */
};

/* cap: a (TRUE_)*_CTLS MSR. required bits must be settable; optional bits are set where allowed. */
struct vmx_ctl_result vmx_adjust_controls(u64 cap, u32 required, u32 optional);

/* value with the fixed-1 bits set and the fixed-0 bits cleared (IA32_VMX_CRx_FIXED0/1). */
u64 vmx_apply_fixed(u64 value, u64 fixed0, u64 fixed1);
/* The CR bits a guest may not choose freely: those fixed to 1 or to 0, minus `exempt`
 * (PE and PG for CR0 under unrestricted guest). They go into the CR0/CR4 guest/host mask. */
u64 vmx_fixed_mask(u64 fixed0, u64 fixed1, u64 exempt);

#endif
