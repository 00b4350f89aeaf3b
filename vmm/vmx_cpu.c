/* vmm/vmx_cpu.c: VMX on for one CPU (see vmx_cpu.h). */
#include "vmx_cpu.h"
#include "vm.h"
#include "vmx_controls.h"
#include "vmx_insn.h"
#include "vmcs_init.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/percpu.h"

#define CPUID_1_ECX_XSAVE BIT(26)
#define CPUID_XSAVE_LEAF 0xd
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))

static u64 vmxon_region[MAX_CPUS];
static bool xsave_ok;
static u64 xcr0_allowed = XCR0_X87 | XCR0_SSE;

static u32 cpu_index(void) { return this_cpu()->index; }

bool vmx_cpu_is_on(void) { return vmxon_region[cpu_index()] != 0; }
bool vmx_cpu_has_xsave(void) { return xsave_ok; }
u64 vmx_cpu_xcr0_allowed(void) { return xcr0_allowed; }

/* XSAVE is used when the CPU has it and its full area fits the one page a vCPU gets. */
static void setup_xsave(void)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_XSAVE))
		return;
	write_cr4(read_cr4() | CR4_OSXSAVE);
	struct cpuid_regs r = cpuid(CPUID_XSAVE_LEAF, 0);
	u64 supported = ((u64)r.edx << 32) | r.eax;
	if (r.ecx > PAGE_SIZE)
		return;
	xsave_ok = true;
	u64 allowed = XCR0_X87 | XCR0_SSE;
	if (supported & XCR0_AVX)
		allowed |= XCR0_AVX;
	if ((supported & XCR0_AVX512) == XCR0_AVX512 && (allowed & XCR0_AVX))
		allowed |= XCR0_AVX512;
	xcr0_allowed = allowed;
}

int vmx_cpu_enable(const struct vmx_caps *caps, char *why, size_t n)
{
	u32 cpu = cpu_index();
	if (vmxon_region[cpu])
		return 0;
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	const char *bad = vmx_feature_control_reason(fc);
	if (bad) {
		snprintf(why, n, "%s", bad);
		return -1;
	}
	if (!(fc & FEATURE_CONTROL_LOCKED))
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc | FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_VMXON_OUTSIDE_SMX);

	const struct vmx_msrs *m = &caps->raw;
	write_cr0(vmx_apply_fixed(read_cr0(), m->cr0_fixed0, m->cr0_fixed1));
	write_cr4(vmx_apply_fixed(read_cr4() | CR4_VMXE, m->cr4_fixed0, m->cr4_fixed1));
	setup_xsave();

	u64 region = vmm_page_alloc();
	if (!region) {
		snprintf(why, n, "out of memory for the VMXON region");
		return -1;
	}
	*(u32 *)(uintptr_t)region = caps->vmcs_revision;
	if (vmxon(region) != 0) {
		vmm_page_free(region);
		snprintf(why, n, "VMXON failed (CR0 0x%llx CR4 0x%llx)", read_cr0(), read_cr4());
		return -1;
	}
	if (caps->invept_all)
		invept(INVEPT_ALL_CONTEXT, 0);
	vmxon_region[cpu] = region;
	return vmcs_shared_init(caps, why, n);
}
