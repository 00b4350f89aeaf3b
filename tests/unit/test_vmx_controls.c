/* tests/unit/test_vmx_controls.c: control adjustment from the capability MSRs (allowed-0 bits
 * forced, required bits refused when not allowed-1, optional bits dropped) and the CR0/CR4
 * fixed-bit helpers, with Bochs' corei7_skylake_x values. */
#include "check.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_controls.h"

#define CAP(allowed0, allowed1) (((u64)(allowed1) << VMX_CTL_ALLOWED1_SHIFT) | (u32)(allowed0))
/* Bochs corei7_skylake_x: TRUE_PINBASED and TRUE_PROCBASED */
#define BOCHS_PIN 0x0000007f00000016ULL
#define BOCHS_PROC 0xf7f9fffe04006172ULL

static void ctl_required_and_default1(void)
{
	struct vmx_ctl_result r = vmx_adjust_controls(BOCHS_PIN, PIN_EXTINT_EXITING | PIN_NMI_EXITING, 0);
	CHECK_EQ(r.missing, 0);
	CHECK_EQ(r.value, 0x16 | PIN_EXTINT_EXITING | PIN_NMI_EXITING);
}

static void ctl_optional_set_when_allowed(void)
{
	struct vmx_ctl_result r = vmx_adjust_controls(BOCHS_PIN, PIN_EXTINT_EXITING, PIN_PREEMPTION_TIMER);
	CHECK_EQ(r.missing, 0);
	CHECK(r.value & PIN_PREEMPTION_TIMER);
	/* a CPU without the timer: the optional bit silently stays clear */
	r = vmx_adjust_controls(CAP(0x16, 0x3f), PIN_EXTINT_EXITING, PIN_PREEMPTION_TIMER);
	CHECK_EQ(r.missing, 0);
	CHECK(!(r.value & PIN_PREEMPTION_TIMER));
	CHECK(r.value & PIN_EXTINT_EXITING);
}

static void ctl_required_missing_reported(void)
{
	struct vmx_ctl_result r = vmx_adjust_controls(CAP(0x16, 0x3f), PIN_PREEMPTION_TIMER | PIN_NMI_EXITING, 0);
	CHECK_EQ(r.missing, PIN_PREEMPTION_TIMER);
}

static void ctl_allowed0_forced_on(void)
{
	/* bits 1, 4-6, 8, 13, 14, 26 of Bochs' true procbased controls must be 1 */
	struct vmx_ctl_result r = vmx_adjust_controls(BOCHS_PROC, PROC_HLT_EXITING, 0);
	CHECK_EQ(r.missing, 0);
	CHECK_EQ(r.value & 0x04006172, 0x04006172);
	CHECK(r.value & PROC_HLT_EXITING);
	CHECK(!(r.value & PROC_USE_IO_BITMAPS));
}

static void ctl_all_zero_cap(void)
{
	struct vmx_ctl_result r = vmx_adjust_controls(0, 0, 0xffffffffU);
	CHECK_EQ(r.value, 0);
	CHECK_EQ(r.missing, 0);
	r = vmx_adjust_controls(0, 1, 0);
	CHECK_EQ(r.missing, 1);
}

static void cr_fixed_bits(void)
{
	/* CR4: VMXE fixed to 1, bits outside 0x3727ff fixed to 0 */
	CHECK_EQ(vmx_apply_fixed(0x20, 0x2000, 0x3727ff), 0x2020);
	CHECK_EQ(vmx_apply_fixed(0x4020, 0x2000, 0x3727ff), 0x2020); /* SMXE (bit 14) cannot be 1 */
	/* CR0: PG, NE, PE fixed to 1 */
	CHECK_EQ(vmx_apply_fixed(0x10, 0x80000021, 0xffffffff), 0x80000031);
}

static void cr_fixed_mask(void)
{
	/* CR0 under unrestricted guest: PE and PG exempt, NE owned by Moat */
	u64 m0 = vmx_fixed_mask(0x80000021, 0xffffffff, 0x80000001);
	CHECK_EQ(m0 & 0xffffffffULL, 0x20);
	CHECK_EQ(m0 >> 32, 0xffffffffULL); /* bits above 31 cannot be 1 */
	/* CR4: VMXE and every bit the CPU cannot set */
	u64 m4 = vmx_fixed_mask(0x2000, 0x3727ff, 0);
	CHECK(m4 & 0x2000);
	CHECK(m4 & 0x4000);
	CHECK(!(m4 & 0x20)); /* PAE is the guest's */
	CHECK(!(m4 & 0x40000)); /* OSXSAVE is the guest's */
}

static const struct unit_test vmx_controls_tests[] = {
	UNIT_TEST(ctl_required_and_default1), UNIT_TEST(ctl_optional_set_when_allowed),
	UNIT_TEST(ctl_required_missing_reported), UNIT_TEST(ctl_allowed0_forced_on),
	UNIT_TEST(ctl_all_zero_cap), UNIT_TEST(cr_fixed_bits), UNIT_TEST(cr_fixed_mask),
};
UNIT_SUITE(vmx_controls_suite, vmx_controls_tests);
