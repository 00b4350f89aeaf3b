/* vmm/vmx_caps.c: VMX detection: CPUID and IA32_FEATURE_CONTROL checks, the capability MSR reads
 * (only those that exist on this CPU), and their decode into struct vmx_caps. */
#include "vmx_caps.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define CPUID_VENDOR_LEAF 0
#define CPUID_FEATURE_LEAF 1
#define CPUID_VENDOR_LEN 12

bool vmx_has_procbased2(const struct vmx_msrs *raw)
{
	return vmx_ctl_allowed1(raw->procbased) & PROC_ACTIVATE_SECONDARY;
}

bool vmx_has_ept_vpid_cap(const struct vmx_msrs *raw)
{
	return vmx_has_procbased2(raw) &&
	       (vmx_ctl_allowed1(raw->procbased2) & (PROC2_ENABLE_EPT | PROC2_ENABLE_VPID));
}

void vmx_caps_decode(const struct vmx_msrs *raw, struct vmx_caps *out)
{
	u32 proc2 = vmx_has_procbased2(raw) ? vmx_ctl_allowed1(raw->procbased2) : 0;
	u64 ev = vmx_has_ept_vpid_cap(raw) ? raw->ept_vpid_cap : 0;

	memset(out, 0, sizeof(*out));
	out->raw = *raw;
	out->true_ctls = raw->basic & VMX_BASIC_TRUE_CTLS;
	out->vmcs_revision = (u32)(raw->basic & VMX_BASIC_REVISION_MASK);
	out->vmcs_size = (u32)((raw->basic >> VMX_BASIC_VMCS_SIZE_SHIFT) & VMX_BASIC_VMCS_SIZE_MASK);

	out->ept = proc2 & PROC2_ENABLE_EPT;
	out->vpid = proc2 & PROC2_ENABLE_VPID;
	out->unrestricted_guest = proc2 & PROC2_UNRESTRICTED_GUEST;

	if (out->ept) {
		out->ept_4level = ev & EPT_CAP_PWL4;
		out->ept_wb = ev & EPT_CAP_MEMTYPE_WB;
		out->ept_2m = ev & EPT_CAP_PDE_2M;
		out->ept_1g = ev & EPT_CAP_PDPTE_1G;
		out->ept_ad = ev & EPT_CAP_AD;
		out->invept = ev & EPT_CAP_INVEPT;
		out->invept_single = out->invept && (ev & EPT_CAP_INVEPT_SINGLE);
		out->invept_all = out->invept && (ev & EPT_CAP_INVEPT_ALL);
	}
	if (out->vpid) {
		out->invvpid = ev & VPID_CAP_INVVPID;
		out->invvpid_single = out->invvpid && (ev & VPID_CAP_INVVPID_SINGLE);
		out->invvpid_all = out->invvpid && (ev & VPID_CAP_INVVPID_ALL);
	}

	out->preemption_timer = vmx_ctl_allowed1(raw->pinbased) & PIN_PREEMPTION_TIMER;
	out->preemption_timer_rate = (u32)(raw->misc & VMX_MISC_PREEMPT_RATE_MASK);
}

const char *vmx_feature_control_reason(u64 fc)
{
	if ((fc & FEATURE_CONTROL_LOCKED) && !(fc & FEATURE_CONTROL_VMXON_OUTSIDE_SMX))
		return "disabled by firmware (IA32_FEATURE_CONTROL locked)";
	return NULL;
}

const char *vmx_caps_missing(const struct vmx_caps *c)
{
	if (!c->ept)
		return "no EPT";
	if (!c->unrestricted_guest)
		return "no unrestricted guest";
	if (!c->ept_4level)
		return "no 4-level EPT";
	if (!c->ept_wb)
		return "no write-back EPT memory type";
	return NULL;
}

static void cpu_vendor(char out[CPUID_VENDOR_LEN + 1])
{
	struct cpuid_regs r = cpuid(CPUID_VENDOR_LEAF, 0);

	memcpy(out, &r.ebx, 4);
	memcpy(out + 4, &r.edx, 4);
	memcpy(out + 8, &r.ecx, 4);
	out[CPUID_VENDOR_LEN] = '\0';
}

void vmx_caps_read(struct vmx_msrs *raw)
{
	memset(raw, 0, sizeof(*raw));
	raw->basic = rdmsr(MSR_IA32_VMX_BASIC);
	bool true_ctls = raw->basic & VMX_BASIC_TRUE_CTLS;
	raw->pinbased = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	raw->procbased = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	raw->exit = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	raw->entry = rdmsr(true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	raw->misc = rdmsr(MSR_IA32_VMX_MISC);
	raw->cr0_fixed0 = rdmsr(MSR_IA32_VMX_CR0_FIXED0);
	raw->cr0_fixed1 = rdmsr(MSR_IA32_VMX_CR0_FIXED1);
	raw->cr4_fixed0 = rdmsr(MSR_IA32_VMX_CR4_FIXED0);
	raw->cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	/* These two exist only when the controls that they describe can be turned on. */
	if (vmx_has_procbased2(raw))
		raw->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
	if (vmx_has_ept_vpid_cap(raw))
		raw->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
}

static void log_details(const struct vmx_caps *c)
{
	pr_debug("vmx", "ept:%s%s%s%s%s%s%s%s, vpid:%s%s%s", c->ept_4level ? " 4-level" : "",
		 c->ept_wb ? " wb" : "", c->ept_2m ? " 2m" : "", c->ept_1g ? " 1g" : "",
		 c->ept_ad ? " ad" : "", c->invept ? " invept" : "", c->invept_single ? " single" : "",
		 c->invept_all ? " all" : "", c->invvpid ? " invvpid" : "",
		 c->invvpid_single ? " single" : "", c->invvpid_all ? " all" : "");
	pr_debug("vmx", "preemption-timer %s (rate 2^%u), true-ctls %s, vmcs rev 0x%x size %u",
		 c->preemption_timer ? "yes" : "no", c->preemption_timer_rate, c->true_ctls ? "yes" : "no",
		 c->vmcs_revision, c->vmcs_size);
	pr_debug("vmx", "basic 0x%016llx pin 0x%016llx proc 0x%016llx proc2 0x%016llx",
		 (unsigned long long)c->raw.basic, (unsigned long long)c->raw.pinbased,
		 (unsigned long long)c->raw.procbased, (unsigned long long)c->raw.procbased2);
	pr_debug("vmx", "exit 0x%016llx entry 0x%016llx misc 0x%016llx ept/vpid 0x%016llx",
		 (unsigned long long)c->raw.exit, (unsigned long long)c->raw.entry,
		 (unsigned long long)c->raw.misc, (unsigned long long)c->raw.ept_vpid_cap);
	pr_debug("vmx", "cr0 fixed 0x%llx/0x%llx cr4 fixed 0x%llx/0x%llx",
		 (unsigned long long)c->raw.cr0_fixed0, (unsigned long long)c->raw.cr0_fixed1,
		 (unsigned long long)c->raw.cr4_fixed0, (unsigned long long)c->raw.cr4_fixed1);
}

bool vmx_probe(struct vmx_caps *out)
{
	struct vmx_msrs raw;

	memset(out, 0, sizeof(*out));
	if (!(cpuid(CPUID_FEATURE_LEAF, 0).ecx & CPUID_1_ECX_VMX)) {
		char vendor[CPUID_VENDOR_LEN + 1];
		cpu_vendor(vendor);
		/* No VMX MSR may be read here: on such a CPU each read raises #GP. */
		pr_info("vmx", "unavailable: cpu has no VMX (vendor %s)", vendor);
		return false;
	}

	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	const char *why = vmx_feature_control_reason(fc);
	if (why) {
		pr_info("vmx", "unavailable: %s", why);
		return false;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		pr_debug("vmx", "IA32_FEATURE_CONTROL 0x%llx is unlocked", (unsigned long long)fc);

	vmx_caps_read(&raw);
	vmx_caps_decode(&raw, out);
	log_details(out);
	why = vmx_caps_missing(out);
	if (why) {
		pr_info("vmx", "unavailable: %s", why);
		return false;
	}
	pr_info("vmx", "available:%s%s%s", out->ept ? " ept" : "", out->vpid ? " vpid" : "",
		out->unrestricted_guest ? " unrestricted-guest" : "");
	return true;
}
