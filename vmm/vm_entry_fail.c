/* vmm/vm_entry_fail.c: a VM entry that failed, in words: the VM-instruction error of a
 * VMfailValid (Intel SDM vol. 3, 31.4), or the exit reason and qualification of an entry that
 * failed its guest-state checks, with the first check Moat finds broken. */
#include "vm_exit.h"
#include "exit_reason.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"

#define VMFAIL_INVALID 1
#define QUAL_PDPTE 2
#define QUAL_NMI_INJECTION 3
#define QUAL_LINK_POINTER 4

static const char *const instr_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

enum exit_action exit_vmfail(struct vm *vm, int how)
{
	if (how == VMFAIL_INVALID)
		return exit_stop(vm, "VM entry failed: no valid current VMCS (VMfailInvalid)");
	u64 e = vmread(VMCS_INSTR_ERROR);
	const char *what = e < ARRAY_SIZE(instr_errors) && instr_errors[e] ? instr_errors[e] : "unknown error";
	return exit_stop(vm, "VM entry failed: VM-instruction error %llu (%s)", e, what);
}

/* The first broken guest-state rule among those Moat's own setup could break. */
static const char *guest_state_hint(void)
{
	u64 cr0 = vmread(VMCS_GUEST_CR0), cr4 = vmread(VMCS_GUEST_CR4);
	u64 efer = vmread(VMCS_GUEST_EFER), entry = vmread(VMCS_ENTRY_CTLS);
	u64 cs_ar = vmread(VMCS_GUEST_CS_AR), rflags = vmread(VMCS_GUEST_RFLAGS);
	bool ia32e = entry & ENTRY_IA32E_MODE_GUEST;
	if (!(cr0 & CR0_NE))
		return "CR0.NE is clear";
	if (!(cr4 & CR4_VMXE))
		return "CR4.VMXE is clear";
	if ((cr0 & CR0_PG) && !(cr0 & CR0_PE))
		return "CR0.PG set without CR0.PE";
	if (ia32e != !!(efer & EFER_LMA))
		return "the IA-32e mode entry control and EFER.LMA disagree";
	if (ia32e && (!(cr0 & CR0_PG) || !(cr4 & CR4_PAE)))
		return "IA-32e mode without paging or PAE";
	if (ia32e && (cs_ar & AR_L) && (cs_ar & AR_DB))
		return "64-bit CS with the D bit set";
	if (!(rflags & RFLAGS_FIXED))
		return "RFLAGS bit 1 is clear";
	if ((rflags & RFLAGS_VM) && ia32e)
		return "RFLAGS.VM set in IA-32e mode";
	return "no rule Moat checks is broken";
}

enum exit_action exit_entry_failed(struct vm *vm, u32 raw, u64 qual)
{
	u32 basic = raw & EXIT_REASON_BASIC_MASK;
	const char *q = qual == QUAL_PDPTE ? " (loading PDPTEs)" : qual == QUAL_NMI_INJECTION ? " (NMI injection)" :
			qual == QUAL_LINK_POINTER ? " (VMCS link pointer)" : "";
	if (basic == EXIT_INVALID_GUEST_STATE)
		return exit_stop(vm, "VM entry failed: invalid guest state%s: %s (RIP 0x%llx)", q, guest_state_hint(),
				 vmread(VMCS_GUEST_RIP));
	if (basic == EXIT_MSR_LOADING)
		return exit_stop(vm, "VM entry failed while loading MSR entry %llu", qual);
	return exit_stop(vm, "VM entry failed: %s (exit reason %u)", exit_reason_name(basic), basic);
}
