/* vmm/vplat_exit.c: how a Linux VM's interrupts and time meet the exit path and the scheduler.
 * - Before every VM entry: the APIC timer is checked against the TSC; the highest deliverable
 *   vector is injected as an external interrupt when the guest can take one (RFLAGS.IF set, no
 *   STI/MOV SS blocking, no other event being injected); otherwise interrupt-window exiting is on
 *   until it can. The VMX preemption timer is set to whichever comes first: the end of the time
 *   slice or the APIC timer's deadline. A preemption-timer exit before the slice's end resumes the
 *   guest (the entry path then delivers the tick); at the end it yields.
 * - After every exit: an event whose delivery the exit interrupted (IDT-vectoring information) is
 *   injected again, as the SDM requires.
 * - HLT with interrupts on: the vCPU is "halted": the scheduler passes it over until an interrupt is
 *   due, and idles (polling the UART) when every VM on its CPU is halted. HLT with interrupts off
 *   can never wake: the VM is stopped, as for any VM. */
#include "vplat.h"
#include "virq_vm.h"
#include "vmcs_fields.h"
#include "vmcs_init.h"
#include "vmx_insn.h"

#define PROC_INTR_WINDOW_EXITING BIT(2)
#define INTERRUPTIBILITY_BLOCKING (BIT(0) | BIT(1)) /* blocking by STI, by MOV SS */
#define VECTORING_KEEP (INTR_INFO_VECTOR_MASK | (INTR_TYPE_MASK << INTR_TYPE_SHIFT) | INTR_INFO_DELIVER_CODE | INTR_INFO_VALID)
#define PREEMPTION_TIMER_MAX 0xffffffffULL

void vplat_slice_start(struct vm *vm)
{
	vm->plat->slice_end = rdtsc() + ((u64)vmcs_time_slice() << vm->plat->timer_rate);
}

static void set_window_exiting(bool on)
{
	u64 proc = vmread(VMCS_PROC_CTLS);
	u64 want = on ? proc | PROC_INTR_WINDOW_EXITING : proc & ~PROC_INTR_WINDOW_EXITING;
	if (want != proc)
		vmwrite(VMCS_PROC_CTLS, want);
}

static bool can_inject(void)
{
	return !(vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) && (vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF) &&
	       !(vmread(VMCS_GUEST_INTERRUPTIBILITY) & INTERRUPTIBILITY_BLOCKING);
}

static void inject_pending(struct vm *vm)
{
	struct vlapic *l = &vm->plat->lapic;
	int v = vlapic_deliverable(l);
	if (v < 0) {
		set_window_exiting(false);
		return;
	}
	if (!can_inject()) {
		set_window_exiting(true);
		return;
	}
	vmwrite(VMCS_ENTRY_INTR_INFO, (u32)v | (INTR_TYPE_EXT_INT << INTR_TYPE_SHIFT) | INTR_INFO_VALID);
	vlapic_accept(l, v);
	set_window_exiting(vlapic_deliverable(l) >= 0);
}

void vplat_before_entry(struct vm *vm)
{
	struct vplat *p = vm->plat;
	u64 now = rdtsc();
	vlapic_tick(vm, now);
	virq_vm_plat_drain(vm); /* assigned devices' interrupts (MSI) */
	inject_pending(vm);
	u64 end = p->slice_end;
	if (p->lapic.deadline && p->lapic.deadline < end)
		end = p->lapic.deadline;
	u64 ticks = end > now ? (end - now) >> p->timer_rate : 0;
	vmwrite(VMCS_PREEMPTION_TIMER, ticks > PREEMPTION_TIMER_MAX ? PREEMPTION_TIMER_MAX : ticks);
}

void vplat_after_exit(struct vm *vm __unused)
{
	u64 idt = vmread(VMCS_IDT_VECTORING_INFO);
	if (!(idt & INTR_INFO_VALID))
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, idt & VECTORING_KEEP);
	if (idt & INTR_INFO_DELIVER_CODE)
		vmwrite(VMCS_ENTRY_EXCEPTION_ERR, vmread(VMCS_IDT_VECTORING_ERR));
	vmwrite(VMCS_ENTRY_INSTR_LEN, vmread(VMCS_EXIT_INSTR_LEN));
}

enum exit_action vplat_hlt(struct vm *vm, const struct exit_info *x)
{
	if (!(vmread(VMCS_GUEST_RFLAGS) & RFLAGS_IF))
		return exit_stop(vm, "halted with interrupts disabled at RIP 0x%llx", x->rip);
	exit_skip(x);
	vlapic_tick(vm, rdtsc());
	if (vlapic_deliverable(&vm->plat->lapic) >= 0)
		return EXIT_ACTION_RESUME;
	vm->plat->halted = true;
	return EXIT_ACTION_YIELD;
}

enum exit_action vplat_preemption_timer(struct vm *vm)
{
	return rdtsc() >= vm->plat->slice_end ? EXIT_ACTION_YIELD : EXIT_ACTION_RESUME;
}

enum exit_action vplat_intr_window(struct vm *vm __unused, const struct exit_info *x __unused)
{
	return EXIT_ACTION_RESUME; /* vplat_before_entry injects */
}

bool vplat_ready(struct vm *vm)
{
	struct vplat *p = vm->plat;
	if (!p || !p->halted)
		return true;
	vlapic_tick(vm, rdtsc());
	if (vlapic_deliverable(&p->lapic) < 0 && !virq_any(virq_of(vm)))
		return false;
	p->halted = false;
	return true;
}

bool vplat_rdmsr(struct vm *vm, u32 msr, u64 *v, bool *gp)
{
	vm->plat->exits_msr++;
	return vlapic_rdmsr(vm, msr, v, gp);
}

/* MTRR_DEF_TYPE reads "MTRRs on, write-back" (exit_msr.c) with no ranges: Linux writes it back
 * while it sets up PAT; the write is accepted and changes nothing (EPT decides the memory types). */
#define MSR_MTRR_DEF_TYPE 0x2ff

bool vplat_wrmsr(struct vm *vm, u32 msr, u64 v, bool *gp)
{
	vm->plat->exits_msr++;
	*gp = false;
	if (msr == MSR_MTRR_DEF_TYPE)
		return true;
	return vlapic_wrmsr(vm, msr, v, gp);
}
