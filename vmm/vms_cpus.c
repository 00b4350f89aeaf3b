/* vmm/vms_cpus.c: VMs on the APs (see vms_cpus.h). The boot CPU does everything that needs the
 * config and the boot files (VM creation: memory, EPT, a VMCS left VMCLEARed so that any CPU
 * can load it); an AP only runs two jobs, posted through kernel/cpu_work.h: VMX on (the boot CPU
 * waits for it, bounded), and later sched_run_this_cpu over the VMs pinned to it. The boot CPU
 * ends the run (and an emulator_exit run its emulator) only after every AP's run returned.
 * A VM enters on its own CPU only (the boot CPU loads its VMCS at creation but never enters
 * it), so the INVEPT/INVVPID that vm_destroy runs there reach every cached translation. */
#include "vms_cpus.h"
#include "sched.h"
#include "vm.h"
#include "vmx_cpu.h"
#include "../kernel/cpu.h"
#include "../kernel/cpu_work.h"
#include "../kernel/fmt.h"
#include "../kernel/percpu.h"
#include "../kernel/string.h"

#define VMX_ON_WAIT_US 2000000
#define WHY_MAX 160

struct ap_vmm {
	bool tried;   /* VMX on was asked for */
	bool running; /* its run was handed over */
	int rc;       /* the answer, once it came in time */
	int job_rc;   /* job_rc and job_why are written by the AP */
	const struct vmx_caps *caps;
	char why[WHY_MAX];
	char job_why[WHY_MAX];
};

static struct ap_vmm aps[MAX_CPUS];

/* The boot CPU's probe (and every VMCS built from it) stands for all CPUs: an AP whose VMX
 * capabilities differ in any bit is refused rather than trusted. */
static const char *vmx_differs(const struct vmx_caps *c)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX))
		return "it has no VMX";
	struct vmx_msrs mine;
	vmx_caps_read(&mine);
	if (memcmp(&mine, &c->raw, sizeof(mine)) != 0)
		return "its VMX capability MSRs differ from the boot CPU's";
	return NULL;
}

static void job_vmx_on(void *arg)
{
	struct ap_vmm *a = arg;
	const char *bad = vmx_differs(a->caps);
	if (bad) {
		snprintf(a->job_why, sizeof(a->job_why), "%s", bad);
		a->job_rc = -1;
		return;
	}
	a->job_rc = vmx_cpu_enable(a->caps, a->job_why, sizeof(a->job_why));
}

static void job_run(void *arg __unused) { sched_run_this_cpu(); }

int vms_cpu_ready(u32 cpu, const struct vmx_caps *caps, char *why, size_t n)
{
	if (cpu == 0)
		return 0;
	struct ap_vmm *a = &aps[cpu];
	if (!a->tried) {
		a->tried = true;
		a->caps = caps;
		a->rc = -1;
		snprintf(a->why, sizeof(a->why), "cpu %u did not turn VMX on within %u ms", cpu,
			 VMX_ON_WAIT_US / 1000);
		if (cpu_work_post(cpu, job_vmx_on, a) != 0)
			snprintf(a->why, sizeof(a->why), "cpu %u takes no work", cpu);
		else if (cpu_work_wait(cpu, VMX_ON_WAIT_US)) { /* a late answer is ignored */
			a->rc = a->job_rc;
			memcpy(a->why, a->job_why, sizeof(a->why));
		}
	}
	if (a->rc != 0)
		snprintf(why, n, "%s", a->why);
	return a->rc;
}

static bool has_runnable_vm(u32 cpu)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (vm_table[i].state == VM_RUNNABLE && vm_table[i].cpu == cpu)
			return true;
	return false;
}

/* Never loaded anywhere but at creation (VMCLEARed since): safe to destroy from this CPU. */
static void stop_unrun(u32 cpu)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		struct vm *vm = &vm_table[i];
		if (vm->state == VM_RUNNABLE && vm->cpu == cpu) {
			vm_set_stopped(vm, "cpu %u did not take its VMs", cpu);
			vm_destroy(vm);
		}
	}
}

void vms_cpus_start(void)
{
	for (u32 cpu = 1; cpu < cpus_online && cpu < MAX_CPUS; cpu++) {
		if (!has_runnable_vm(cpu))
			continue;
		aps[cpu].running = aps[cpu].tried && aps[cpu].rc == 0 && cpu_work_post(cpu, job_run, NULL) == 0;
		if (!aps[cpu].running)
			stop_unrun(cpu);
	}
}

void vms_cpus_wait(void)
{
	for (u32 cpu = 1; cpu < cpus_online && cpu < MAX_CPUS; cpu++) {
		if (!aps[cpu].running)
			continue;
		cpu_work_wait(cpu, 0);
		aps[cpu].running = false;
	}
}
