/* vmm/exit_cpuid.c: CPUID as a guest sees it: the host's answer with what Moat does not
 * virtualize removed (VMX, SMX, APIC and x2APIC, MONITOR, performance monitoring, RDTSCP,
 * INVPCID, XSAVES), the hypervisor bit set, OSXSAVE following the guest's own CR4, and Moat's
 * leaves 0x40000000 (signature) and 0x40000001 (TSC kHz, VM id). Leaf 0xD offers only the XCR0
 * components Moat allows (vmx_cpu.c), with sizes computed for them (the standard-format maximum
 * for the allowed set; the compacted size of the guest's XCR0 in sub-leaf 1), and neither XSAVEC
 * nor XSAVES: guests use the standard format, whose size Linux checks against sub-leaf 0. */
#include "vm_exit.h"
#include "hypercall_abi.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "vmx_cpu.h"
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
#define XSAVE1_EAX_XSAVEC BIT(1)
#define XSAVE1_EAX_XSAVES BIT(3)
#define XSAVE_SUB_MAIN 0          /* sub-leaf 0: supported XCR0 bits and sizes */
#define XSAVE_SUB_EXT 1           /* sub-leaf 1: XSAVEOPT/XSAVEC/XSAVES and the compacted size */
#define XSAVE_FIRST_COMPONENT 2   /* components 0 (x87) and 1 (SSE) live in the legacy area */
#define XSAVE_LAST_COMPONENT 63
#define XSAVE_LEGACY_AND_HEADER 576 /* 512-byte legacy area + 64-byte header */
#define XSAVE_COMP_ALIGN64 BIT(1) /* sub-leaf i ECX: aligned to 64 bytes in the compacted format */
#define XSAVE_ALIGN 64
#define EXT1_EDX_RDTSCP BIT(27)
#define KHZ_PER_HZ 1000

/* Size of an XSAVE area for the components in mask: standard format (each at its offset) or
 * compacted (one after the other, some aligned to 64 bytes). */
static u32 xsave_size(u64 mask, bool compacted)
{
	u32 size = XSAVE_LEGACY_AND_HEADER;
	for (u32 i = XSAVE_FIRST_COMPONENT; i <= XSAVE_LAST_COMPONENT; i++) {
		if (!(mask & BIT(i)))
			continue;
		struct cpuid_regs c = cpuid(LEAF_XSAVE, i);
		if (compacted) {
			if (c.ecx & XSAVE_COMP_ALIGN64)
				size = (u32)ALIGN_UP(size, XSAVE_ALIGN);
			size += c.eax;
		} else if (c.ebx + c.eax > size) {
			size = c.ebx + c.eax;
		}
	}
	return size;
}

/* Leaf 0xD as the guest sees it: only what Moat allows in XCR0 (exit_cr.c checks XSETBV). */
static void xsave_leaf(const struct vm *vm, u32 sub, struct cpuid_regs *r)
{
	u64 allowed = vmx_cpu_xcr0_allowed();
	if (sub == XSAVE_SUB_MAIN) {
		r->eax &= (u32)allowed;
		r->edx &= (u32)(allowed >> 32);
		r->ecx = xsave_size(allowed, false);
	} else if (sub == XSAVE_SUB_EXT) {
		/* Guests save in the standard format: the compacted one is left to XSAVES, which Moat
		 * does not offer (and Bochs' own sub-leaf 1 EBX gives the standard size, not this). */
		r->eax &= ~(XSAVE1_EAX_XSAVEC | XSAVE1_EAX_XSAVES);
		r->ebx = xsave_size(vm->vcpu.xcr0 & allowed, true); /* no IA32_XSS without XSAVES */
	} else if (sub <= XSAVE_LAST_COMPONENT && !(allowed & BIT(sub))) {
		memset(r, 0, sizeof(*r));
	}
}

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
			xsave_leaf(vm, sub, &r);
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
