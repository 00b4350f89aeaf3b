/* vmm/hypercall.c: VMCALL, Moat's hypercalls (numbers and ABI in hypercall_abi.h). Every
 * pointer a guest passes is checked to lie wholly inside that guest's own RAM before Moat
 * reads or writes through it; a bad one gets -HC_EFAULT and changes nothing. */
#include "vm_exit.h"
#include "hypercall_abi.h"
#include "assign.h"
#include "smm.h"
#include "vuart.h"
#include "../kernel/string.h"

static u64 err(u64 code) { return (u64)-(s64)code; }

static u64 hc_console_write(struct vm *vm, u64 gpa, u64 len)
{
	if (len > HC_CONSOLE_MAX)
		return err(HC_EINVAL);
	if (!vm_gpa_ok(vm, gpa, len))
		return err(HC_EFAULT);
	vuart_output(vm, vm_gpa_ptr(vm, gpa), len);
	return len;
}

static u64 hc_vm_name(struct vm *vm, u64 gpa, u64 size)
{
	u64 n = strlen(vm->name);
	if (size < n + 1)
		return err(HC_EINVAL);
	if (!vm_gpa_ok(vm, gpa, n + 1))
		return err(HC_EFAULT);
	memcpy(vm_gpa_ptr(vm, gpa), vm->name, n + 1);
	return n;
}

enum exit_action exit_vmcall(struct vm *vm, const struct exit_info *x)
{
	struct guest_regs *g = &vm->vcpu.regs;
	enum exit_action a = EXIT_ACTION_RESUME;
	switch (g->rax) {
	case HC_CONSOLE_WRITE:
		g->rax = hc_console_write(vm, g->rdi, g->rsi);
		break;
	case HC_VM_ID:
		g->rax = vm->id;
		break;
	case HC_YIELD:
		g->rax = 0;
		a = EXIT_ACTION_YIELD;
		break;
	case HC_STOP:
		vm->stopped_itself = true;
		vm->stop_code = (s64)g->rdi;
		return exit_stop(vm, "stopped itself (code %lld)", (s64)g->rdi);
	case HC_VM_NAME:
		g->rax = hc_vm_name(vm, g->rdi, g->rsi);
		break;
	case HC_DMA_BASE:
		g->rax = (u64)assign_dma_base(vm);
		break;
	default:
		if (!smm_hypercall(vm, g->rax, g)) /* the control hypercalls (vmm/smm_hc.c) */
			g->rax = err(HC_ENOSYS);
		break;
	}
	exit_skip(x);
	return a;
}
