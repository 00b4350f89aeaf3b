/* vmm/vm_exit.c: the exit table (one handler per basic exit reason), the handlers small
 * enough to live here, and the helpers shared by all handlers. A reason without a handler
 * stops the VM with its name: nothing unexpected is ever resumed. */
#include <stdarg.h>
#include "vm_exit.h"
#include "exit_reason.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "vplat.h"
#include "virq_vm.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/idt.h"
#include "../kernel/panic.h"

#define INTERRUPTIBILITY_STI_MOVSS (BIT(0) | BIT(1))

/* General-purpose registers by their encoding in exit qualifications (RSP is in the VMCS). */
static u64 *gpr_slot(struct vm *vm, u32 n)
{
	struct guest_regs *r = &vm->vcpu.regs;
	u64 *const slots[16] = {&r->rax, &r->rcx, &r->rdx, &r->rbx, NULL,    &r->rbp, &r->rsi, &r->rdi,
				&r->r8,  &r->r9,  &r->r10, &r->r11, &r->r12, &r->r13, &r->r14, &r->r15};
	return slots[n & 15];
}

u64 exit_get_gpr(struct vm *vm, u32 n)
{
	u64 *p = gpr_slot(vm, n);
	return p ? *p : vmread(VMCS_GUEST_RSP);
}

void exit_set_gpr(struct vm *vm, u32 n, u64 v)
{
	u64 *p = gpr_slot(vm, n);
	if (p)
		*p = v;
	else
		vmwrite(VMCS_GUEST_RSP, v);
}

enum exit_action exit_skip(const struct exit_info *x)
{
	vmwrite(VMCS_GUEST_RIP, x->rip + x->len);
	u64 intr = vmread(VMCS_GUEST_INTERRUPTIBILITY);
	if (intr & INTERRUPTIBILITY_STI_MOVSS)
		vmwrite(VMCS_GUEST_INTERRUPTIBILITY, intr & ~INTERRUPTIBILITY_STI_MOVSS);
	return EXIT_ACTION_RESUME;
}

enum exit_action exit_inject(struct vm *vm __unused, u32 vector, bool has_code, u32 code)
{
	u64 info = (vector & INTR_INFO_VECTOR_MASK) | (INTR_TYPE_HW_EXCEPTION << INTR_TYPE_SHIFT) | INTR_INFO_VALID;
	/* no error code is pushed in real mode */
	if (has_code && (vmread(VMCS_GUEST_CR0) & CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE;
		vmwrite(VMCS_ENTRY_EXCEPTION_ERR, code);
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, info);
	return EXIT_ACTION_RESUME;
}

enum exit_action exit_inject_gp(struct vm *vm) { return exit_inject(vm, VEC_GP, true, 0); }
enum exit_action exit_inject_ud(struct vm *vm) { return exit_inject(vm, VEC_UD, false, 0); }

enum exit_action exit_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
	return EXIT_ACTION_STOP;
}

static enum exit_action on_exception_nmi(struct vm *vm, const struct exit_info *x __unused)
{
	u32 info = (u32)vmread(VMCS_EXIT_INTR_INFO);
	if (((info >> INTR_TYPE_SHIFT) & INTR_TYPE_MASK) == INTR_TYPE_NMI) {
		if (panic_in_progress())
			panic_park_cpu();
		return EXIT_ACTION_RESUME; /* an NMI for Moat: nothing else uses NMIs */
	}
	return exit_stop(vm, "unexpected exception exit (vector %u)", info & INTR_INFO_VECTOR_MASK);
}

/* With "acknowledge interrupt on exit" off the interrupt is still pending: let Moat take it. */
static enum exit_action on_external_interrupt(struct vm *vm __unused, const struct exit_info *x __unused)
{
	__asm__ volatile("sti; nop; cli" ::: "memory");
	return EXIT_ACTION_RESUME;
}

static enum exit_action on_triple_fault(struct vm *vm, const struct exit_info *x __unused)
{
	return exit_stop(vm, "triple fault at RIP 0x%llx (CR2 0x%llx)", vmread(VMCS_GUEST_RIP), vm->vcpu.regs.cr2);
}

static enum exit_action on_init(struct vm *vm, const struct exit_info *x __unused)
{
	return exit_stop(vm, "INIT signal received (a one-CPU VM cannot be reset by INIT)");
}

/* A SIPI only reaches a vCPU waiting for one; Moat never puts a vCPU in that state. */
static enum exit_action on_sipi(struct vm *vm __unused, const struct exit_info *x __unused)
{
	return EXIT_ACTION_RESUME;
}

/* HLT: Moat delivers no interrupts to guests yet. With IF=1 the guest waits for one: it
 * yields, and continues after HLT on its next slice. With IF=0 it can never wake: stopped. */
static enum exit_action on_hlt(struct vm *vm, const struct exit_info *x)
{
	if (vm->plat)
		return vplat_hlt(vm, x); /* a Linux VM sleeps until its APIC has an interrupt for it */
	if (!(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
		return exit_stop(vm, "halted with interrupts disabled at RIP 0x%llx", x->rip);
	exit_skip(x);
	return EXIT_ACTION_YIELD;
}

static enum exit_action on_preemption_timer(struct vm *vm, const struct exit_info *x __unused)
{
	return vm->plat ? vplat_preemption_timer(vm) : EXIT_ACTION_YIELD;
}

/* Only a Linux VM asks for interrupt-window exits (vplat_exit.c). */
static enum exit_action on_interrupt_window(struct vm *vm, const struct exit_info *x)
{
	if (!vm->plat)
		return exit_stop(vm, "unexpected interrupt-window exit at RIP 0x%llx", x->rip);
	return vplat_intr_window(vm, x);
}

/* Instructions a CPU without them would refuse: VMX (hidden by CPUID), MONITOR/MWAIT (not
 * offered), GETSEC. */
static enum exit_action on_undefined(struct vm *vm, const struct exit_info *x __unused)
{
	return exit_inject_ud(vm);
}

/* RDPMC: no performance counters are offered. */
static enum exit_action on_rdpmc(struct vm *vm, const struct exit_info *x __unused) { return exit_inject_gp(vm); }

/* INVD/WBINVD: caches are Moat's business; the guest's request is ignored. */
static enum exit_action on_ignored(struct vm *vm __unused, const struct exit_info *x) { return exit_skip(x); }

/* MOV DR: guests get no hardware debugging; reads give the reset values, writes are ignored. */
static enum exit_action on_dr_access(struct vm *vm, const struct exit_info *x)
{
	const u64 dr6_reset = 0xffff0ff0, dr7_reset = 0x400;
	u32 dr = x->qual & 7, reg = (x->qual >> 8) & 15;
	bool from_dr = x->qual & BIT(4);
	if (from_dr)
		exit_set_gpr(vm, reg, dr == 6 ? dr6_reset : dr == 7 ? dr7_reset : 0);
	return exit_skip(x);
}

static const exit_handler_fn handlers[EXIT_REASON_COUNT] = {
	[EXIT_EXCEPTION_NMI] = on_exception_nmi,
	[EXIT_EXTERNAL_INTERRUPT] = on_external_interrupt,
	[EXIT_TRIPLE_FAULT] = on_triple_fault,
	[EXIT_INTERRUPT_WINDOW] = on_interrupt_window,
	[EXIT_INIT] = on_init,
	[EXIT_SIPI] = on_sipi,
	[EXIT_CPUID] = exit_cpuid,
	[EXIT_GETSEC] = on_undefined,
	[EXIT_HLT] = on_hlt,
	[EXIT_INVD] = on_ignored,
	[EXIT_RDPMC] = on_rdpmc,
	[EXIT_VMCALL] = exit_vmcall,
	[EXIT_VMCLEAR] = on_undefined,
	[EXIT_VMLAUNCH] = on_undefined,
	[EXIT_VMPTRLD] = on_undefined,
	[EXIT_VMPTRST] = on_undefined,
	[EXIT_VMREAD] = on_undefined,
	[EXIT_VMRESUME] = on_undefined,
	[EXIT_VMWRITE] = on_undefined,
	[EXIT_VMXOFF] = on_undefined,
	[EXIT_VMXON] = on_undefined,
	[EXIT_CR_ACCESS] = exit_cr_access,
	[EXIT_DR_ACCESS] = on_dr_access,
	[EXIT_IO] = exit_io,
	[EXIT_RDMSR] = exit_rdmsr,
	[EXIT_WRMSR] = exit_wrmsr,
	[EXIT_MWAIT] = on_undefined,
	[EXIT_MONITOR] = on_undefined,
	[EXIT_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_INVEPT] = on_undefined,
	[EXIT_PREEMPTION_TIMER] = on_preemption_timer,
	[EXIT_INVVPID] = on_undefined,
	[EXIT_WBINVD] = on_ignored,
	[EXIT_XSETBV] = exit_xsetbv,
	[EXIT_VMFUNC] = on_undefined,
};

enum exit_action vm_exit_handle(struct vm *vm)
{
	u32 raw = (u32)vmread(VMCS_EXIT_REASON);
	struct exit_info x = {
		.reason = raw & EXIT_REASON_BASIC_MASK,
		.qual = vmread(VMCS_EXIT_QUALIFICATION),
		.rip = vmread(VMCS_GUEST_RIP),
		.len = (u32)vmread(VMCS_EXIT_INSTR_LEN),
	};
	vm->vcpu.exits++;
	if (x.reason < EXIT_REASON_COUNT)
		vm->vcpu.exits_by_reason[x.reason]++;
	if (raw & EXIT_REASON_ENTRY_FAILED)
		return exit_entry_failed(vm, raw, x.qual);
	if (vm->plat || virq_vm_used(vm))
		vplat_after_exit(vm); /* re-inject an event the exit interrupted */
	exit_handler_fn h = x.reason < EXIT_REASON_COUNT ? handlers[x.reason] : NULL;
	if (!h)
		return exit_stop(vm, "unhandled VM exit %u (%s) at RIP 0x%llx", x.reason, exit_reason_name(x.reason),
				 x.rip);
	return h(vm, &x);
}
