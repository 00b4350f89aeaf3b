/* vmm/vplat_cpuid.c: what CPUID adds for a Linux VM, on top of exit_cpuid.c's filtered answer:
 * - leaf 1: APIC, x2APIC and TSC-deadline present (vlapic.c), initial APIC ID 0; MCE/MCA hidden
 *   (no machine-check MSRs are offered);
 * - leaf 6: only ARAT (the APIC timer runs in every idle state, so Linux needs no broadcast timer);
 *   the thermal, HWP, APERF/MPERF and energy-bias features it would otherwise report have MSRs
 *   that are not offered;
 * - leaf 7: TSC_ADJUST, RDPID and ARCH_CAPABILITIES hidden (neither MSR nor RDPID is virtualized);
 * - leaves 0xB and 0x1F: x2APIC ID 0 in EDX, whatever CPU the VM is pinned to;
 * - leaf 0x15: "TSC = crystal x 1/1, crystal = Moat's TSC rate" and leaf 0x16: base and maximum
 *   frequency in MHz: Linux takes tsc_khz (and the APIC timer period) from them and calibrates
 *   nothing, which matters in Bochs, whose TSC runs at the emulated instruction rate (50 MHz),
 *   far from the nominal GHz its CPU models claim. The basic leaf count is raised to 0x16 if the
 *   CPU reports fewer; leaves it does not have read as zeros. */
#include "vplat.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define LEAF_MAX_BASIC 0
#define LEAF_FEATURES 1
#define LEAF_THERMAL_POWER 6
#define LEAF_EXTENDED_FEATURES 7
#define LEAF_TOPOLOGY 0xb
#define LEAF_TSC_CRYSTAL 0x15
#define LEAF_FREQUENCY 0x16
#define LEAF_TOPOLOGY_V2 0x1f
#define HV_LEAF_FIRST 0x40000000U

#define F1_EBX_APIC_ID_MASK 0x00ffffffU /* bits 31:24: initial APIC ID */
#define F1_ECX_X2APIC BIT(21)
#define F1_ECX_TSC_DEADLINE BIT(24)
#define F1_EDX_MCE BIT(7)
#define F1_EDX_APIC BIT(9)
#define F1_EDX_MCA BIT(14)
#define F6_EAX_ARAT BIT(2)
#define F7_EBX_TSC_ADJUST BIT(1)
#define F7_ECX_RDPID BIT(22)
#define F7_EDX_ARCH_CAPABILITIES BIT(29)
#define U32_LIMIT 0xffffffffULL
#define HZ_PER_MHZ 1000000ULL

void vplat_cpuid(struct vm *vm __unused, u32 leaf, u32 sub, struct cpuid_regs *r)
{
	u32 host_max = cpuid(LEAF_MAX_BASIC, 0).eax;
	if (leaf < HV_LEAF_FIRST && leaf > host_max && leaf <= LEAF_FREQUENCY)
		memset(r, 0, sizeof(*r)); /* the CPU would repeat its highest leaf: not ours to show */
	switch (leaf) {
	case LEAF_MAX_BASIC:
		if (r->eax < LEAF_FREQUENCY)
			r->eax = LEAF_FREQUENCY;
		break;
	case LEAF_FEATURES:
		r->ebx &= F1_EBX_APIC_ID_MASK;
		r->ecx |= F1_ECX_X2APIC | F1_ECX_TSC_DEADLINE;
		r->edx |= F1_EDX_APIC;
		r->edx &= ~(F1_EDX_MCE | F1_EDX_MCA);
		break;
	case LEAF_THERMAL_POWER: /* no thermal, HWP, APERF/MPERF or energy-bias MSRs: only ARAT */
		memset(r, 0, sizeof(*r));
		r->eax = F6_EAX_ARAT;
		break;
	case LEAF_EXTENDED_FEATURES:
		if (sub == 0) {
			r->ebx &= ~F7_EBX_TSC_ADJUST;
			r->ecx &= ~F7_ECX_RDPID;
			r->edx &= ~F7_EDX_ARCH_CAPABILITIES;
		}
		break;
	case LEAF_TOPOLOGY:
	case LEAF_TOPOLOGY_V2:
		r->edx = 0;
		break;
	case LEAF_TSC_CRYSTAL: { /* TSC = ECX x EBX / EAX; ECX halved until it fits 32 bits */
		u64 crystal = tsc_hz(), mul = 1;
		while (crystal > U32_LIMIT) {
			crystal /= 2;
			mul *= 2;
		}
		r->eax = 1;
		r->ebx = (u32)mul;
		r->ecx = (u32)crystal;
		r->edx = 0;
		break;
	}
	case LEAF_FREQUENCY: {
		u32 mhz = (u32)((tsc_hz() + HZ_PER_MHZ / 2) / HZ_PER_MHZ);
		r->eax = r->ebx = r->ecx = mhz;
		r->edx = 0;
		break;
	}
	default:
		break;
	}
}
