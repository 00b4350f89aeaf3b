/* vmm/vmx_cpu.h: turning VMX operation on for one CPU: IA32_FEATURE_CONTROL, the CR0/CR4 fixed
 * bits, CR4.OSXSAVE for guest XSAVE state, and the VMXON region. */
#ifndef MOAT_VMX_CPU_H
#define MOAT_VMX_CPU_H

#include "vmx_caps.h"

/* Enables VMX on the calling CPU (idempotent). 0, or -1 with the reason in why. */
int vmx_cpu_enable(const struct vmx_caps *caps, char *why, size_t why_size);
/* True when the calling CPU is in VMX root operation. */
bool vmx_cpu_is_on(void);
/* True when this CPU saves guest FPU state with XSAVE (else FXSAVE). */
bool vmx_cpu_has_xsave(void);
/* XCR0 bits Moat lets a guest enable (x87, SSE, AVX and the AVX-512 group when present). */
u64 vmx_cpu_xcr0_allowed(void);

#endif
