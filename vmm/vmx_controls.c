/* vmm/vmx_controls.c: control and CR fixed-bit adjustment (see vmx_controls.h). */
#include "vmx_controls.h"
#include "vmx_caps.h"

struct vmx_ctl_result vmx_adjust_controls(u64 cap, u32 required, u32 optional)
{
	u32 must = vmx_ctl_allowed0(cap), may = vmx_ctl_allowed1(cap);
	struct vmx_ctl_result r;

	r.missing = required & ~may;
	r.value = (((required | optional) & may) | must);
	return r;
}

u64 vmx_apply_fixed(u64 value, u64 fixed0, u64 fixed1) { return (value | fixed0) & fixed1; }

u64 vmx_fixed_mask(u64 fixed0, u64 fixed1, u64 exempt) { return (fixed0 | ~fixed1) & ~exempt; }
