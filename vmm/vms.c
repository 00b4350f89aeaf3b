/* vmm/vms.c: the VMs of moat.cfg (see vms.h). Each runs on the CPU its `cpu = N` names (the boot
 * CPU by default); the APs get theirs through vms_cpus.c. Guest memory always comes from Moat's frame
 * allocator: VMs cannot overlap in host memory by construction (the ownership table refuses a
 * frame that has an owner), and their guest-physical maps are private (each starts at 0). What
 * a config can get wrong is the total: if the VMs together need more than is free, none is
 * started and the message names every VM's share (vm_budget.c). */
#include "vms.h"
#include "vm_budget.h"
#include "sched.h"
#include "vm.h"
#include "vms_cpus.h"
#include "vm_linux.h"
#include "vmx_cpu.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

const struct boot_file *vms_find_image(const struct boot_info *bi, const char *name)
{
	for (u32 i = 0; i < bi->nfiles; i++)
		if (strcmp(bi->files[i].name, name) == 0)
			return &bi->files[i];
	return NULL;
}

static void not_started(const char *name, const char *why)
{
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", name);
	pr_info(sub, "not started: %s", why);
}

static const char *no_vmx_reason(const struct vmx_caps *caps)
{
	if (!(cpuid(1, 0).ecx & CPUID_1_ECX_VMX))
		return "this CPU has no VMX";
	const char *m = caps ? vmx_caps_missing(caps) : NULL;
	if (m)
		return m;
	return "VMX cannot be used on this CPU (see 'moat: vmx:' above)";
}

static const struct vmx_caps *vmx_caps_ok;

void vms_set_caps(const struct vmx_caps *caps) { vmx_caps_ok = caps; }
const struct vmx_caps *vms_caps(void) { return vmx_caps_ok; }

bool vms_run(const struct kernel_ctx *k)
{
	const struct moat_config *cfg = k->cfg;
	const struct vmx_caps *caps = vmx_caps_ok;
	char why[256];
	if (!cfg->nvms)
		return true;
	if (vms_check_memory(cfg, frame_free_count() * PAGE_SIZE, why, sizeof(why))) {
		pr_err("vm", "config refused: %s", why);
		return false;
	}
	if (!caps) {
		for (u32 i = 0; i < cfg->nvms; i++)
			not_started(cfg->vms[i].name, no_vmx_reason(caps));
		return true;
	}
	if (vmx_cpu_enable(caps, why, sizeof(why)) != 0) {
		pr_err("vmx", "cannot enable VMX: %s", why);
		for (u32 i = 0; i < cfg->nvms; i++)
			not_started(cfg->vms[i].name, "VMX could not be enabled");
		return true;
	}
	u32 started = 0;
	for (u32 i = 0; i < cfg->nvms; i++) {
		const struct cfg_vm *cv = &cfg->vms[i];
		const struct boot_file *f = cv->kernel[0] ? NULL : vms_find_image(k->boot, cv->image);
		if (!f && !cv->kernel[0]) {
			snprintf(why, sizeof(why), "image %s was not loaded from the boot volume", cv->image);
			not_started(cv->name, why);
			continue;
		}
		if (cv->cpus != 1) {
			snprintf(why, sizeof(why), "cpus = %u: Moat gives each VM one virtual CPU for now", cv->cpus);
			not_started(cv->name, why);
			continue;
		}
		if (cv->cpu >= k->cpus_online) {
			snprintf(why, sizeof(why), "cpu = %u: no such CPU is online", cv->cpu);
			not_started(cv->name, why);
			continue;
		}
		char cpu_why[160];
		if (vms_cpu_ready(cv->cpu, caps, cpu_why, sizeof(cpu_why)) != 0) {
			snprintf(why, sizeof(why), "cpu = %u: VMX could not be enabled there: %s", cv->cpu, cpu_why);
			not_started(cv->name, why);
			continue;
		}
		if (cv->kernel[0] ? vm_linux_create(i, cv, k->boot, caps, cv->cpu, why, sizeof(why)) != 0
				  : vm_create(i, cv, f, caps, cv->cpu, why, sizeof(why)) != 0) {
			not_started(cv->name, why);
			continue;
		}
		started++;
	}
	if (started) {
		vms_cpus_start();
		sched_run_this_cpu();
		vms_cpus_wait();
	}
	pr_info("vm", "%u of %u VMs ran; all have stopped", started, cfg->nvms);
	return true;
}
