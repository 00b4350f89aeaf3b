/* vmm/vmx_caps.h: what this CPU's VMX can do: the VMX capability MSRs (Intel SDM vol. 3, appendix A),
 * their decode into the features Moat needs, and the boot-time probe. */
#ifndef MOAT_VMX_CAPS_H
#define MOAT_VMX_CAPS_H

#include "../kernel/types.h"

/* VMX capability MSRs. */
#define MSR_IA32_VMX_BASIC 0x480
#define MSR_IA32_VMX_PINBASED_CTLS 0x481
#define MSR_IA32_VMX_PROCBASED_CTLS 0x482
#define MSR_IA32_VMX_EXIT_CTLS 0x483
#define MSR_IA32_VMX_ENTRY_CTLS 0x484
#define MSR_IA32_VMX_MISC 0x485
#define MSR_IA32_VMX_CR0_FIXED0 0x486
#define MSR_IA32_VMX_CR0_FIXED1 0x487
#define MSR_IA32_VMX_CR4_FIXED0 0x488
#define MSR_IA32_VMX_CR4_FIXED1 0x489
#define MSR_IA32_VMX_VMCS_ENUM 0x48a
#define MSR_IA32_VMX_PROCBASED_CTLS2 0x48b
#define MSR_IA32_VMX_EPT_VPID_CAP 0x48c
#define MSR_IA32_VMX_TRUE_PINBASED_CTLS 0x48d
#define MSR_IA32_VMX_TRUE_PROCBASED_CTLS 0x48e
#define MSR_IA32_VMX_TRUE_EXIT_CTLS 0x48f
#define MSR_IA32_VMX_TRUE_ENTRY_CTLS 0x490
#define MSR_IA32_VMX_VMFUNC 0x491

/* CPUID.1:ECX */
#define CPUID_1_ECX_VMX BIT(5)

/* IA32_FEATURE_CONTROL (MSR 0x3a) */
#define FEATURE_CONTROL_LOCKED BIT(0)
#define FEATURE_CONTROL_VMXON_IN_SMX BIT(1)
#define FEATURE_CONTROL_VMXON_OUTSIDE_SMX BIT(2)

/* IA32_VMX_BASIC */
#define VMX_BASIC_REVISION_MASK 0x7fffffffULL /* bits 30:0 */
#define VMX_BASIC_VMCS_SIZE_SHIFT 32	      /* bits 44:32 */
#define VMX_BASIC_VMCS_SIZE_MASK 0x1fffULL
#define VMX_BASIC_32BIT_ADDR BIT(48)
#define VMX_BASIC_DUAL_MONITOR BIT(49)
#define VMX_BASIC_MEMTYPE_SHIFT 50 /* bits 53:50 */
#define VMX_BASIC_MEMTYPE_MASK 0xfULL
#define VMX_BASIC_INOUT_INFO BIT(54)
#define VMX_BASIC_TRUE_CTLS BIT(55)
#define VMX_MEMTYPE_WB 6

/* Control capability MSRs: bits 31:0 allowed-0 settings, bits 63:32 allowed-1 settings. */
#define VMX_CTL_ALLOWED1_SHIFT 32
static inline u32 vmx_ctl_allowed0(u64 msr)
{
	return (u32)msr;
}
static inline u32 vmx_ctl_allowed1(u64 msr)
{
	return (u32)(msr >> VMX_CTL_ALLOWED1_SHIFT);
}

/* Pin-based controls */
#define PIN_EXTINT_EXITING BIT(0)
#define PIN_NMI_EXITING BIT(3)
#define PIN_VIRTUAL_NMIS BIT(5)
#define PIN_PREEMPTION_TIMER BIT(6)
#define PIN_POSTED_INTR BIT(7)

/* Primary processor-based controls */
#define PROC_HLT_EXITING BIT(7)
#define PROC_USE_IO_BITMAPS BIT(25)
#define PROC_USE_MSR_BITMAPS BIT(28)
#define PROC_ACTIVATE_SECONDARY BIT(31)

/* Secondary processor-based controls */
#define PROC2_VIRT_APIC_ACCESS BIT(0)
#define PROC2_ENABLE_EPT BIT(1)
#define PROC2_ENABLE_RDTSCP BIT(3)
#define PROC2_ENABLE_VPID BIT(5)
#define PROC2_UNRESTRICTED_GUEST BIT(7)
#define PROC2_ENABLE_INVPCID BIT(12)
#define PROC2_ENABLE_XSAVES BIT(20)

/* VM-exit / VM-entry controls used in the decode */
#define EXIT_HOST_ADDR_SPACE_SIZE BIT(9)
#define EXIT_SAVE_PREEMPTION_TIMER BIT(22)
#define ENTRY_IA32E_MODE_GUEST BIT(9)

/* IA32_VMX_MISC */
#define VMX_MISC_PREEMPT_RATE_MASK 0x1fULL /* timer counts down once every 2^rate TSC ticks */
#define VMX_MISC_STORE_LMA BIT(5)
#define VMX_MISC_ACTIVITY_HLT BIT(6)
#define VMX_MISC_ACTIVITY_SHUTDOWN BIT(7)
#define VMX_MISC_ACTIVITY_WAIT_SIPI BIT(8)

/* IA32_VMX_EPT_VPID_CAP */
#define EPT_CAP_EXEC_ONLY BIT(0)
#define EPT_CAP_PWL4 BIT(6) /* page-walk length 4 */
#define EPT_CAP_PWL5 BIT(7)
#define EPT_CAP_MEMTYPE_UC BIT(8)
#define EPT_CAP_MEMTYPE_WB BIT(14)
#define EPT_CAP_PDE_2M BIT(16)
#define EPT_CAP_PDPTE_1G BIT(17)
#define EPT_CAP_INVEPT BIT(20)
#define EPT_CAP_AD BIT(21)
#define EPT_CAP_INVEPT_SINGLE BIT(25)
#define EPT_CAP_INVEPT_ALL BIT(26)
#define VPID_CAP_INVVPID BIT(32)
#define VPID_CAP_INVVPID_ADDR BIT(40)
#define VPID_CAP_INVVPID_SINGLE BIT(41)
#define VPID_CAP_INVVPID_ALL BIT(42)
#define VPID_CAP_INVVPID_SINGLE_NONGLOBAL BIT(43)

/* The raw MSR values, as the probe read them. Control MSRs hold the TRUE_* variant when
 * IA32_VMX_BASIC bit 55 is set. procbased2 and ept_vpid_cap are 0 when they were not readable. */
struct vmx_msrs {
	u64 basic;
	u64 pinbased, procbased, exit, entry;
	u64 procbased2;
	u64 ept_vpid_cap;
	u64 misc;
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
};

struct vmx_caps {
	bool ept, vpid, unrestricted_guest;
	bool ept_4level, ept_wb, ept_2m, ept_1g, ept_ad;
	bool invept, invept_single, invept_all;
	bool invvpid, invvpid_single, invvpid_all;
	bool preemption_timer;
	bool true_ctls;
	u32 vmcs_revision;
	u32 vmcs_size;
	u32 preemption_timer_rate; /* IA32_VMX_MISC bits 4:0 */
	struct vmx_msrs raw;
};

/* Which MSRs may be read given the ones read so far (reading others would #GP). */
bool vmx_has_procbased2(const struct vmx_msrs *raw);
bool vmx_has_ept_vpid_cap(const struct vmx_msrs *raw);
/* Reads the calling CPU's VMX capability MSRs (only when CPUID says VMX exists). */
void vmx_caps_read(struct vmx_msrs *raw);
/* Pure decode of raw into out (out->raw becomes a copy of *raw). */
void vmx_caps_decode(const struct vmx_msrs *raw, struct vmx_caps *out);
/* NULL when IA32_FEATURE_CONTROL lets VMXON run outside SMX (or is unlocked), else the reason. */
const char *vmx_feature_control_reason(u64 feature_control);
/* NULL when Moat can run on these capabilities, else why not ("no EPT", ...). */
const char *vmx_caps_missing(const struct vmx_caps *c);

/* Detects VMX on the running CPU, fills out and logs "moat: vmx: available: ..." or
 * "moat: vmx: unavailable: <reason>". Returns true if Moat can use VMX. Reads MSRs only when
 * CPUID says VMX exists. */
bool vmx_probe(struct vmx_caps *out);

#endif
