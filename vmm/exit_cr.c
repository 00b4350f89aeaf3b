/* vmm/exit_cr.c: control-register and XCR0 exits. MOV to CR0/CR4 exits only when it changes a
 * bit Moat owns (the VMX fixed bits): CR4.VMXE (VMX is hidden) and bits the CPU cannot hold
 * inject #GP, as on a CPU without them; CR0.NE stays set underneath. CR8 is virtual (a
 * per-vCPU TPR that touches no real APIC). XSETBV accepts only XCR0 values the CPU and Moat
 * support and that are architecturally valid; anything else is #GP. */
#include "vm_exit.h"
#include "vmcs_init.h"
#include "vmcs_fields.h"
#include "vmx_cpu.h"
#include "vmx_insn.h"
#include "../kernel/cpu.h"

#define CR_NUM_MASK 0xf
#define CR_TYPE_SHIFT 4
#define CR_TYPE_MASK 3
#define CR_TYPE_TO_CR 0
#define CR_TYPE_FROM_CR 1
#define CR_TYPE_CLTS 2
#define CR_TYPE_LMSW 3
#define CR_GPR_SHIFT 8
#define CR_GPR_MASK 0xf
#define LMSW_SRC_SHIFT 16
#define LMSW_BITS 0xfULL /* PE, MP, EM, TS */
#define CR8_TPR_MASK 0xfULL
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))
#define ENTRY_CTLS_IA32E ENTRY_IA32E_MODE_GUEST

static enum exit_action guest_write_cr0(struct vm *vm, u64 v)
{
	u64 old = vmread(VMCS_CR0_SHADOW);
	u64 owned = vmcs_cr0_mask();
	u64 real = (v | (vmread(VMCS_GUEST_CR0) & owned)) | CR0_NE;
	if ((v & CR0_PG) && !(v & CR0_PE))
		return exit_inject_gp(vm);
	/* Paging switched on or off with EFER.LME: long mode follows, as the CPU would do. */
	u64 efer = vmread(VMCS_GUEST_EFER);
	if (!(old & CR0_PG) && (v & CR0_PG) && (efer & EFER_LME)) {
		vmwrite(VMCS_GUEST_EFER, efer | EFER_LMA);
		vmwrite(VMCS_ENTRY_CTLS, vmread(VMCS_ENTRY_CTLS) | ENTRY_CTLS_IA32E);
	} else if ((old & CR0_PG) && !(v & CR0_PG) && (efer & EFER_LMA)) {
		vmwrite(VMCS_GUEST_EFER, efer & ~EFER_LMA);
		vmwrite(VMCS_ENTRY_CTLS, vmread(VMCS_ENTRY_CTLS) & ~ENTRY_CTLS_IA32E);
	}
	vmwrite(VMCS_CR0_SHADOW, v);
	vmwrite(VMCS_GUEST_CR0, real);
	(void)vm;
	return EXIT_ACTION_RESUME;
}

static enum exit_action guest_write_cr4(struct vm *vm, u64 v)
{
	u64 owned = vmcs_cr4_mask();
	u64 now = vmread(VMCS_GUEST_CR4);
	/* A guest may not change a bit that Moat owns: VMXE, or one this CPU cannot set. */
	if ((v ^ vmread(VMCS_CR4_SHADOW)) & owned)
		return exit_inject_gp(vm);
	vmwrite(VMCS_CR4_SHADOW, v);
	vmwrite(VMCS_GUEST_CR4, (v & ~owned) | (now & owned));
	return EXIT_ACTION_RESUME;
}

enum exit_action exit_cr_access(struct vm *vm, const struct exit_info *x)
{
	u32 cr = x->qual & CR_NUM_MASK;
	u32 type = (x->qual >> CR_TYPE_SHIFT) & CR_TYPE_MASK;
	u32 reg = (x->qual >> CR_GPR_SHIFT) & CR_GPR_MASK;
	enum exit_action a = EXIT_ACTION_RESUME;

	switch (type) {
	case CR_TYPE_TO_CR: {
		u64 v = exit_get_gpr(vm, reg);
		if (cr == 0)
			a = guest_write_cr0(vm, v);
		else if (cr == 4)
			a = guest_write_cr4(vm, v);
		else if (cr == 8) {
			if (v & ~CR8_TPR_MASK)
				return exit_inject_gp(vm);
			vm->vcpu.cr8 = v;
		} else
			return exit_stop(vm, "unexpected MOV to CR%u at RIP 0x%llx", cr, x->rip);
		break;
	}
	case CR_TYPE_FROM_CR:
		if (cr != 8)
			return exit_stop(vm, "unexpected MOV from CR%u at RIP 0x%llx", cr, x->rip);
		exit_set_gpr(vm, reg, vm->vcpu.cr8);
		break;
	case CR_TYPE_CLTS:
		a = guest_write_cr0(vm, vmread(VMCS_CR0_SHADOW) & ~CR0_TS);
		break;
	default: { /* LMSW: sets PE, MP, EM, TS from bits 3:0; cannot clear PE */
		u64 src = (x->qual >> LMSW_SRC_SHIFT) & LMSW_BITS;
		u64 old = vmread(VMCS_CR0_SHADOW);
		a = guest_write_cr0(vm, (old & ~(LMSW_BITS & ~CR0_PE)) | src);
		break;
	}
	}
	if (a != EXIT_ACTION_RESUME || vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID)
		return a;
	return exit_skip(x);
}

static bool xcr0_valid(u64 v)
{
	if (!(v & XCR0_X87) || (v & ~vmx_cpu_xcr0_allowed()))
		return false;
	if ((v & XCR0_AVX) && !(v & XCR0_SSE))
		return false;
	if ((v & XCR0_AVX512) && ((v & XCR0_AVX512) != XCR0_AVX512 || !(v & XCR0_AVX)))
		return false;
	return true;
}

enum exit_action exit_xsetbv(struct vm *vm, const struct exit_info *x)
{
	struct guest_regs *g = &vm->vcpu.regs;
	u64 v = ((g->rdx & 0xffffffffULL) << 32) | (g->rax & 0xffffffffULL);
	if (!(vmread(VMCS_GUEST_CR4) & CR4_OSXSAVE) || !vmx_cpu_has_xsave())
		return exit_inject_ud(vm);
	if ((u32)g->rcx != 0 || !xcr0_valid(v))
		return exit_inject_gp(vm);
	vm->vcpu.xcr0 = v;
	__asm__ volatile("xsetbv" ::"c"(0), "a"((u32)v), "d"((u32)(v >> 32)));
	return exit_skip(x);
}
