/* tests/unit/test_vmx_caps.c: the pure VMX capability decode: which MSRs exist, the feature flags
 * Moat needs, the IA32_FEATURE_CONTROL verdict and the reasons VMX is refused. */
#include <string.h>
#include "check.h"
#include "vmm/vmx_caps.h"

#define ALLOWED1(bits) ((u64)(bits) << VMX_CTL_ALLOWED1_SHIFT)

/* A CPU with everything Moat uses (close to Bochs' corei7_skylake_x model). */
static struct vmx_msrs full(void)
{
	struct vmx_msrs r;

	memset(&r, 0, sizeof(r));
	r.basic = VMX_BASIC_TRUE_CTLS | ((u64)VMX_MEMTYPE_WB << VMX_BASIC_MEMTYPE_SHIFT) |
		  (0x1000ULL << VMX_BASIC_VMCS_SIZE_SHIFT) | 0x4;
	r.pinbased =
	    ALLOWED1(PIN_EXTINT_EXITING | PIN_NMI_EXITING | PIN_VIRTUAL_NMIS | PIN_PREEMPTION_TIMER) | 0x16;
	r.procbased = ALLOWED1(0xfff9fffe) | 0x0401e172; /* includes PROC_ACTIVATE_SECONDARY */
	r.procbased2 = ALLOWED1(PROC2_VIRT_APIC_ACCESS | PROC2_ENABLE_EPT | PROC2_ENABLE_RDTSCP |
				PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST);
	r.ept_vpid_cap = EPT_CAP_EXEC_ONLY | EPT_CAP_PWL4 | EPT_CAP_MEMTYPE_UC | EPT_CAP_MEMTYPE_WB |
			 EPT_CAP_PDE_2M | EPT_CAP_PDPTE_1G | EPT_CAP_INVEPT | EPT_CAP_AD |
			 EPT_CAP_INVEPT_SINGLE | EPT_CAP_INVEPT_ALL | VPID_CAP_INVVPID |
			 VPID_CAP_INVVPID_ADDR | VPID_CAP_INVVPID_SINGLE | VPID_CAP_INVVPID_ALL |
			 VPID_CAP_INVVPID_SINGLE_NONGLOBAL;
	r.exit = ALLOWED1(0x3fffff) | 0x36dff;
	r.entry = ALLOWED1(0xffff) | 0x11ff;
	r.misc = 0x5 | VMX_MISC_STORE_LMA | VMX_MISC_ACTIVITY_HLT;
	r.cr0_fixed0 = 0x80000021;
	r.cr0_fixed1 = 0xffffffff;
	r.cr4_fixed0 = 0x2000;
	r.cr4_fixed1 = 0x3727ff;
	return r;
}

static void vmx_decode_full(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	CHECK(vmx_has_procbased2(&r));
	CHECK(vmx_has_ept_vpid_cap(&r));
	vmx_caps_decode(&r, &c);
	CHECK(c.ept);
	CHECK(c.vpid);
	CHECK(c.unrestricted_guest);
	CHECK(c.ept_4level);
	CHECK(c.ept_wb);
	CHECK(c.ept_2m);
	CHECK(c.ept_1g);
	CHECK(c.ept_ad);
	CHECK(c.invept);
	CHECK(c.invept_single);
	CHECK(c.invept_all);
	CHECK(c.invvpid);
	CHECK(c.invvpid_single);
	CHECK(c.invvpid_all);
	CHECK(c.preemption_timer);
	CHECK(c.true_ctls);
	CHECK_EQ(c.preemption_timer_rate, 5);
	CHECK_EQ(c.vmcs_revision, 4);
	CHECK_EQ(c.vmcs_size, 0x1000);
	CHECK_EQ(c.raw.basic, r.basic);
	CHECK_EQ(c.raw.cr4_fixed0, 0x2000);
	CHECK(vmx_caps_missing(&c) == NULL);
}

static void vmx_no_secondary(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.procbased &= ~ALLOWED1(PROC_ACTIVATE_SECONDARY);
	/* Neither 0x48b nor 0x48c may be read; stale values in raw are ignored. */
	CHECK(!vmx_has_procbased2(&r));
	CHECK(!vmx_has_ept_vpid_cap(&r));
	vmx_caps_decode(&r, &c);
	CHECK(!c.ept);
	CHECK(!c.vpid);
	CHECK(!c.unrestricted_guest);
	CHECK(!c.ept_4level);
	CHECK(!c.invvpid);
	CHECK_STR(vmx_caps_missing(&c), "no EPT");
}

static void vmx_no_ept_no_vpid(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.procbased2 = ALLOWED1(PROC2_VIRT_APIC_ACCESS | PROC2_UNRESTRICTED_GUEST);
	CHECK(vmx_has_procbased2(&r));
	CHECK(!vmx_has_ept_vpid_cap(&r)); /* 0x48c exists only with EPT or VPID */
	vmx_caps_decode(&r, &c);
	CHECK(!c.ept);
	CHECK(!c.ept_2m);
	CHECK(!c.invept);
	CHECK_STR(vmx_caps_missing(&c), "no EPT");
}

static void vmx_vpid_only(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.procbased2 = ALLOWED1(PROC2_ENABLE_VPID);
	CHECK(vmx_has_ept_vpid_cap(&r));
	vmx_caps_decode(&r, &c);
	CHECK(!c.ept);
	CHECK(c.vpid);
	CHECK(c.invvpid);
	CHECK(!c.ept_4level); /* EPT bits mean nothing without EPT */
	CHECK(!c.invept);
	CHECK_STR(vmx_caps_missing(&c), "no EPT");
}

static void vmx_no_unrestricted_guest(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.procbased2 &= ~ALLOWED1(PROC2_UNRESTRICTED_GUEST | PROC2_ENABLE_VPID);
	vmx_caps_decode(&r, &c);
	CHECK(c.ept);
	CHECK(!c.vpid);
	CHECK(!c.invvpid);
	CHECK(!c.unrestricted_guest);
	CHECK_STR(vmx_caps_missing(&c), "no unrestricted guest");
}

static void vmx_ept_caps_required(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.ept_vpid_cap &= ~EPT_CAP_PWL4;
	vmx_caps_decode(&r, &c);
	CHECK_STR(vmx_caps_missing(&c), "no 4-level EPT");

	r = full();
	r.ept_vpid_cap &= ~EPT_CAP_MEMTYPE_WB;
	vmx_caps_decode(&r, &c);
	CHECK_STR(vmx_caps_missing(&c), "no write-back EPT memory type");

	/* Large pages and A/D are optional. */
	r = full();
	r.ept_vpid_cap &= ~(EPT_CAP_PDE_2M | EPT_CAP_PDPTE_1G | EPT_CAP_AD | EPT_CAP_INVEPT_SINGLE);
	vmx_caps_decode(&r, &c);
	CHECK(!c.ept_2m && !c.ept_1g && !c.ept_ad && !c.invept_single && c.invept_all);
	CHECK(vmx_caps_missing(&c) == NULL);
}

static void vmx_misc_and_pin(void)
{
	struct vmx_msrs r = full();
	struct vmx_caps c;

	r.pinbased &= ~ALLOWED1(PIN_PREEMPTION_TIMER);
	r.basic &= ~VMX_BASIC_TRUE_CTLS;
	r.misc = 0x1f | VMX_MISC_STORE_LMA;
	vmx_caps_decode(&r, &c);
	CHECK(!c.preemption_timer);
	CHECK(!c.true_ctls);
	CHECK_EQ(c.preemption_timer_rate, 0x1f);
	/* Allowed-0/allowed-1 halves. */
	CHECK_EQ(vmx_ctl_allowed0(r.procbased), 0x0401e172);
	CHECK_EQ(vmx_ctl_allowed1(r.procbased), 0xfff9fffe);
}

static void vmx_feature_control(void)
{
	CHECK(vmx_feature_control_reason(0) == NULL); /* unlocked: Moat sets it later */
	CHECK(vmx_feature_control_reason(FEATURE_CONTROL_VMXON_OUTSIDE_SMX) == NULL);
	CHECK(vmx_feature_control_reason(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX) == NULL);
	CHECK(vmx_feature_control_reason(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_IN_SMX |
					 FEATURE_CONTROL_VMXON_OUTSIDE_SMX) == NULL);
	CHECK_STR(vmx_feature_control_reason(FEATURE_CONTROL_LOCKED),
		  "disabled by firmware (IA32_FEATURE_CONTROL locked)");
	CHECK_STR(vmx_feature_control_reason(FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_IN_SMX),
		  "disabled by firmware (IA32_FEATURE_CONTROL locked)");
}

static void vmx_msr_numbers(void)
{
	CHECK_EQ(MSR_IA32_VMX_BASIC, 0x480);
	CHECK_EQ(MSR_IA32_VMX_PROCBASED_CTLS2, 0x48b);
	CHECK_EQ(MSR_IA32_VMX_EPT_VPID_CAP, 0x48c);
	CHECK_EQ(MSR_IA32_VMX_TRUE_PINBASED_CTLS, 0x48d);
	CHECK_EQ(MSR_IA32_VMX_TRUE_ENTRY_CTLS, 0x490);
	CHECK_EQ(MSR_IA32_VMX_VMFUNC, 0x491);
	CHECK_EQ(VMX_BASIC_TRUE_CTLS, 1ULL << 55);
}

static const struct unit_test vmx_caps_tests[] = {
    UNIT_TEST(vmx_decode_full),	 UNIT_TEST(vmx_no_secondary),	       UNIT_TEST(vmx_no_ept_no_vpid),
    UNIT_TEST(vmx_vpid_only),	 UNIT_TEST(vmx_no_unrestricted_guest), UNIT_TEST(vmx_ept_caps_required),
    UNIT_TEST(vmx_misc_and_pin), UNIT_TEST(vmx_feature_control),       UNIT_TEST(vmx_msr_numbers),
};
UNIT_SUITE(vmx_caps_suite, vmx_caps_tests);
