/* vmm/selftest_smm.c: the "smm" suite (`tests = smm`), with the first VM of the config (small, e.g. 64 KiB
 * and real16.bin): the invariant checker (vmm/smm_check.c) on a clean machine; SMM_CYCLES create/destroy
 * cycles with the checker after every step (every SMM_RUN_EVERY-th VM really runs to its end), then no
 * frame leaked and no frame left with a dead VM's label; and the checker catching what it must catch: a
 * mapping wider than the recorded rights, a Moat frame or the local APIC mapped into a VM, and a frame
 * left with the label of a VM that does not exist. */
#include "selftest.h"
#include "sched.h"
#include "smm.h"
#include "vm.h"
#include "vms.h"
#include "vmx_cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"

#define TEST_VM 0
#define SMM_CYCLES 1000
#define SMM_RUN_EVERY 100
#define PROBE_GPA GiB(1)          /* far above any test VM's RAM */
#define LAPIC_DEFAULT 0xfee00000ULL
#define GHOST_OWNER (OWNER_VM_FIRST + VM_MAX + 1) /* a VM label no VM has */

struct cycle_result {
	u32 done, ran;
	char why[200];
};

/* One create, check, (run or) destroy, check. false with why. */
static bool cycle(const struct kernel_ctx *k, const struct vmx_caps *caps, bool run, struct cycle_result *c)
{
	const struct cfg_vm *cv = &k->cfg->vms[TEST_VM];
	const struct boot_file *f = vms_find_image(k->boot, cv->image);
	struct vm *vm = &vm_table[TEST_VM];
	char why[200];
	if (!f || vm_create(TEST_VM, cv, f, caps, 0, why, sizeof(why)) != 0) {
		snprintf(c->why, sizeof(c->why), "cycle %u: create failed: %s", c->done, f ? why : "no image");
		return false;
	}
	if (smm_check(why, sizeof(why))) {
		snprintf(c->why, sizeof(c->why), "cycle %u, after create: %s", c->done, why);
		return false;
	}
	if (run) {
		sched_run_this_cpu();
		c->ran++;
	} else {
		vm_set_stopped(vm, "create/destroy cycle");
		vm_destroy(vm);
	}
	if (vm->state != VM_STOPPED || smm_check(why, sizeof(why))) {
		snprintf(c->why, sizeof(c->why), "cycle %u, after destroy: %s", c->done,
			 vm->state != VM_STOPPED ? "the VM did not stop" : why);
		return false;
	}
	c->done++;
	return true;
}

static void test_cycles(const struct kernel_ctx *k, const struct vmx_caps *caps, struct selftest_result *r)
{
	struct cycle_result c = {0, 0, ""};
	u64 free_before = frame_free_count(), owned_before = frame_owner_count(OWNER_MOAT);
	log_set_level(LOG_WARN); /* a thousand "created"/"stopped" lines would cost more than the cycles */
	for (u32 i = 0; i < SMM_CYCLES && cycle(k, caps, i % SMM_RUN_EVERY == 0, &c); i++)
		;
	log_set_level(k->cfg->log_level);
	u64 free_after = frame_free_count(), vm_frames = frame_owner_count(OWNER_VM_FIRST + TEST_VM);
	pr_info("smm", "%u create/destroy cycles (%u ran their guest), checker clean after each step; frames free "
		"%llu before, %llu after; Moat frames %llu before, %llu after; frames left with the VM's label: %llu",
		c.done, c.ran, free_before, free_after, owned_before, frame_owner_count(OWNER_MOAT), vm_frames);
	selftest_report(r, "smm-cycles-checker-clean", c.done == SMM_CYCLES, c.why);
	snprintf(c.why, sizeof(c.why), "%lld frames leaked, %llu still carry the VM's label",
		 (long long)(free_before - free_after), vm_frames);
	selftest_report(r, "smm-cycles-no-leak",
			free_after == free_before && !vm_frames && frame_owner_count(OWNER_MOAT) == owned_before, c.why);
}

/* The checker must find each planted violation in a VM that never runs. */
static void test_detects(const struct kernel_ctx *k, const struct vmx_caps *caps, struct selftest_result *r)
{
	const struct cfg_vm *cv = &k->cfg->vms[TEST_VM];
	const struct boot_file *f = vms_find_image(k->boot, cv->image);
	struct vm *vm = &vm_table[TEST_VM];
	char why[200] = "", seen[200] = "";
	bool ok = f && vm_create(TEST_VM, cv, f, caps, 0, why, sizeof(why)) == 0 && smm_check(why, sizeof(why)) == 0;
	if (!ok) {
		selftest_report(r, "smm-checker-detects", false, why[0] ? why : "no clean VM to start from");
		return;
	}
	/* a Moat frame (its own VMCS) and the local APIC mapped into it */
	ok &= ept_map(&vm->ept, PROBE_GPA, vm->vcpu.vmcs, PAGE_SIZE, EPT_R) == 0 && smm_check(seen, sizeof(seen)) > 0;
	pr_info("smm", "planted a Moat frame in the EPT: checker says: %s", seen);
	ok &= ept_map(&vm->ept, PROBE_GPA + PAGE_SIZE, LAPIC_DEFAULT, PAGE_SIZE, EPT_R | EPT_W) == 0 &&
	      smm_check(seen, sizeof(seen)) >= 2;
	vm_set_stopped(vm, "checker test");
	vm_destroy(vm);
	ok &= smm_check(why, sizeof(why)) == 0;

	/* rights narrowed in the table below what EPT grants */
	ok &= vm_create(TEST_VM, cv, f, caps, 0, why, sizeof(why)) == 0;
	ok &= frame_owner_restrict(vm->ram_hpa, 1, vm->owner, FRAME_R) == 0 && smm_check(seen, sizeof(seen)) > 0;
	pr_info("smm", "narrowed a frame's rights below its EPT mapping: checker says: %s", seen);
	vm_set_stopped(vm, "checker test");
	vm_destroy(vm);

	/* a frame left with the label of a VM that does not exist */
	u64 ghost = frame_alloc();
	ok &= ghost && frame_owner_assign(ghost, 1, GHOST_OWNER, FRAME_R) == 0 && smm_check(seen, sizeof(seen)) > 0;
	pr_info("smm", "left a frame with a dead VM's label: checker says: %s", seen);
	if (ghost) {
		frame_owner_mark_scrubbed(ghost, 1, GHOST_OWNER);
		frame_owner_release(ghost, 1, GHOST_OWNER);
		frame_free(ghost);
	}
	ok &= smm_check(why, sizeof(why)) == 0;
	selftest_report(r, "smm-checker-detects", ok, why[0] ? why : "a planted violation went unnoticed");
}

void selftest_smm(const struct kernel_ctx *k, struct selftest_result *r)
{
	const struct vmx_caps *caps = vms_caps();
	char why[200] = "";
	if (!caps || !k->cfg->nvms) {
		selftest_report(r, "smm", false, !caps ? "VMX is unusable" : "the config names no VM");
		return;
	}
	if (vmx_cpu_enable(caps, why, sizeof(why)) != 0) {
		selftest_report(r, "smm", false, why);
		return;
	}
	u32 bad = smm_check(why, sizeof(why));
	selftest_report(r, "smm-checker-clean-at-start", bad == 0, why);
	test_cycles(k, caps, r);
	test_detects(k, caps, r);
}
