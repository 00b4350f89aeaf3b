/* vmm/sched.c: the per-CPU round-robin loop (see sched.h) and the VM switch. What VMX does not
 * switch between guests is switched here: the FPU/SSE/AVX state (XSAVE, or FXSAVE), XCR0, the
 * SYSCALL MSRs and KERNEL_GS_BASE. XSAVE runs with XCR0 set to every component Moat allows, so
 * that SSE registers are saved even for a guest that left XCR0 at 1. An incoming VM gets every XSAVE component restored (or reset
 * to its initial state), so no register state of another VM survives into it. */
#include "sched.h"
#include "smm.h"
#include "exit_msr.h"
#include "vm_exit.h"
#include "vmcs_fields.h"
#include "vmcs_init.h"
#include "vmx_cpu.h"
#include "vmx_insn.h"
#include "vm_linux.h"
#include "vplat.h"
#include "virq_vm.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/percpu.h"

int vmx_enter(struct guest_regs *regs, int launched);

static struct vm *current[MAX_CPUS];
static u32 next_index[MAX_CPUS];

static void xsetbv0(u64 v) { __asm__ volatile("xsetbv" ::"c"(0), "a"((u32)v), "d"((u32)(v >> 32))); }

static void save_state(struct vm *vm)
{
	void *area = (void *)(uintptr_t)vm->vcpu.fpu;
	if (vmx_cpu_has_xsave()) {
		/* Every component, whatever the guest's XCR0: SSE state exists even when XCR0 is 1. */
		u64 all = vmx_cpu_xcr0_allowed();
		xsetbv0(all);
		__asm__ volatile("xsave64 (%0)" ::"r"(area), "a"((u32)all), "d"((u32)(all >> 32)) : "memory");
	} else {
		__asm__ volatile("fxsave64 (%0)" ::"r"(area) : "memory");
	}
	for (u32 i = 0; i < ARRAY_SIZE(msr_switched); i++)
		vm->vcpu.msrs[i] = rdmsr(msr_switched[i]);
}

static void restore_state(struct vm *vm)
{
	void *area = (void *)(uintptr_t)vm->vcpu.fpu;
	if (vmx_cpu_has_xsave()) {
		u64 all = vmx_cpu_xcr0_allowed();
		xsetbv0(all); /* every component: those the VM never used are reset */
		__asm__ volatile("xrstor64 (%0)" ::"r"(area), "a"((u32)all), "d"((u32)(all >> 32)) : "memory");
		xsetbv0(vm->vcpu.xcr0);
	} else {
		__asm__ volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
	}
	for (u32 i = 0; i < ARRAY_SIZE(msr_switched); i++)
		wrmsr(msr_switched[i], vm->vcpu.msrs[i]);
}

/* Read from this CPU's own APIC at the first entry: where the VM really runs. */
static void log_first_entry(const struct vm *vm)
{
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	pr_info(sub, "running on cpu %u (apic id %u)", this_cpu()->index, apic_id());
}

static void switch_to(u32 cpu, struct vm *vm)
{
	struct vm *prev = current[cpu];
	if (prev != vm) {
		if (prev)
			save_state(prev);
		vmptrld(vm->vcpu.vmcs);
		if (!vm->vcpu.launched) {
			vmcs_write_host_state(); /* this CPU's GDT, TSS, per-CPU area */
			log_first_entry(vm);
		}
		restore_state(vm);
		current[cpu] = vm;
		smm_vm_scheduled(cpu, prev, vm); /* SMM hook: switch recorded, EPT and key context checked */
	}
	if (vmread(VMCS_PIN_CTLS) & PIN_PREEMPTION_TIMER)
		vmwrite(VMCS_PREEMPTION_TIMER, vmcs_time_slice());
}

static struct vm *pick_next(u32 cpu)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		u32 k = (next_index[cpu] + i) % VM_MAX;
		struct vm *vm = &vm_table[k];
		if (vm->state == VM_RUNNABLE && vm->cpu == cpu && vplat_ready(vm)) {
			next_index[cpu] = (k + 1) % VM_MAX;
			return vm;
		}
	}
	return NULL;
}

/* A VM on cpu that is runnable, though perhaps halted (vplat_ready). */
static bool any_runnable(u32 cpu)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_table[i].state == VM_RUNNABLE && vm_table[i].cpu == cpu)
			return true;
	return false;
}

static enum exit_action run_slice(struct vm *vm)
{
	if (vm->plat)
		vplat_slice_start(vm);
	for (;;) {
		if (vm->plat)
			vplat_before_entry(vm); /* APIC timer, interrupt injection, preemption timer */
		else
			virq_vm_image_before_entry(vm); /* an assigned device's interrupt (MSI) */
		if (!vm->vcpu.launched && !vm->vcpu.first_entry_tsc)
			vm->vcpu.first_entry_tsc = rdtsc(); /* reported when it stops (exit_stats.c) */
		int r = vmx_enter(&vm->vcpu.regs, vm->vcpu.launched);
		if (r != 0)
			return exit_vmfail(vm, r);
		vm->vcpu.launched = true;
		enum exit_action a = vm_exit_handle(vm);
		if (a != EXIT_ACTION_RESUME)
			return a;
	}
}

void sched_run_this_cpu(void)
{
	u32 cpu = this_cpu()->index;
	irq_disable();
	for (;;) {
		vuart_input_poll(); /* the console's input, for a Linux VM on this CPU */
		struct vm *vm = pick_next(cpu);
		if (!vm) {
			if (!any_runnable(cpu))
				break;
			cpu_relax(); /* every VM here is halted until its next interrupt */
			continue;
		}
		switch_to(cpu, vm);
		if (run_slice(vm) == EXIT_ACTION_STOP) {
			vm_destroy(vm);
			current[cpu] = NULL;
			vm_linux_after_stop(vm); /* a Linux VM that asked for a reset starts again */
		}
	}
}
