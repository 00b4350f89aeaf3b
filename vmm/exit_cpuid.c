/* vmm/exit_cpuid.c: CPUID as a guest sees it: the host's answer with what Moat does not
 * virtualize removed (VMX, SMX, APIC and x2APIC, MONITOR, performance monitoring, RDTSCP,
 * INVPCID, XSAVES), the hypervisor bit set, OSXSAVE following the guest's own CR4, and Moat's
 * leaves 0x40000000 (signature) and 0x40000001 (TSC kHz, VM id). */
#include "vm_exit.h"
#include "hypercall_abi.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "vplat.h"
#include "../kernel/cpu.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define LEAF_FEATURES 1
#define LEAF_EXTENDED_FEATURES 7
#define LEAF_PMU 0xa
#define LEAF_XSAVE 0xd
#define LEAF_EXT_FEATURES 0x80000001U
#define HV_LEAF_FIRST 0x40000000U
#define HV_LEAF_LAST 0x400000ffU

#define F1_ECX_MONITOR BIT(3)
#define F1_ECX_DSCPL BIT(4)
#define F1_ECX_VMX BIT(5)
#define F1_ECX_SMX BIT(6)
#define F1_ECX_PDCM BIT(15)
#define F1_ECX_X2APIC BIT(21)
#define F1_ECX_TSC_DEADLINE BIT(24)
#define F1_ECX_XSAVE BIT(26)
#define F1_ECX_OSXSAVE BIT(27)
#define F1_ECX_HYPERVISOR BIT(31)
#define F1_EDX_DS BIT(21)
#define F1_EDX_ACPI BIT(22)
#define F1_EDX_APIC BIT(9)
#define F7_EBX_INVPCID BIT(10)
#define XSAVE1_EAX_XSAVES BIT(3)
#define EXT1_EDX_RDTSCP BIT(27)
#define KHZ_PER_HZ 1000

static const char signature[12] = {'M', 'o', 'a', 't', 'M', 'o', 'a', 't', 'M', 'o', 'a', 't'};

static void hypervisor_leaf(struct vm *vm, u32 leaf, struct cpuid_regs *r)
{
	memset(r, 0, sizeof(*r));
	if (leaf == MOAT_CPUID_SIGNATURE_LEAF) {
		r->eax = MOAT_CPUID_INFO_LEAF;
		memcpy(&r->ebx, signature, 4);
		memcpy(&r->ecx, signature + 4, 4);
		memcpy(&r->edx, signature + 8, 4);
	} else if (leaf == MOAT_CPUID_INFO_LEAF) {
		r->eax = (u32)(tsc_hz() / KHZ_PER_HZ);
		r->ebx = vm->id;
	}
}

enum exit_action exit_cpuid(struct vm *vm, const struct exit_info *x)
{
	struct guest_regs *g = &vm->vcpu.regs;
	u32 leaf = (u32)g->rax, sub = (u32)g->rcx;
	struct cpuid_regs r;

	if (leaf >= HV_LEAF_FIRST && leaf <= HV_LEAF_LAST) {
		hypervisor_leaf(vm, leaf, &r);
	} else {
		r = cpuid(leaf, sub);
		switch (leaf) {
		case LEAF_FEATURES:
			r.ecx &= ~(F1_ECX_MONITOR | F1_ECX_DSCPL | F1_ECX_VMX | F1_ECX_SMX | F1_ECX_PDCM | F1_ECX_X2APIC |
				   F1_ECX_TSC_DEADLINE | F1_ECX_OSXSAVE);
			r.ecx |= F1_ECX_HYPERVISOR;
			if ((r.ecx & F1_ECX_XSAVE) && (vmread(VMCS_GUEST_CR4) & CR4_OSXSAVE))
				r.ecx |= F1_ECX_OSXSAVE;
			r.edx &= ~(F1_EDX_DS | F1_EDX_ACPI | F1_EDX_APIC);
			break;
		case LEAF_EXTENDED_FEATURES:
			if (sub == 0)
				r.ebx &= ~F7_EBX_INVPCID;
			break;
		case LEAF_PMU:
			memset(&r, 0, sizeof(r));
			break;
		case LEAF_XSAVE:
			if (sub == 1)
				r.eax &= ~XSAVE1_EAX_XSAVES;
			break;
		case LEAF_EXT_FEATURES:
			r.edx &= ~EXT1_EDX_RDTSCP;
			break;
		default:
			break;
		}
	}
	if (vm->plat)
		vplat_cpuid(vm, leaf, sub, &r); /* a Linux VM's APIC and TSC rate (vplat_cpuid.c) */
	g->rax = r.eax;
	g->rbx = r.ebx;
	g->rcx = r.ecx;
	g->rdx = r.edx;
	return exit_skip(x);
}
