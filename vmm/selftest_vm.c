/* vmm/selftest_vm.c: the "vm" suite: a VM's whole life, twice, with the first VM of the config
 * (a guest that checks its RAM came zeroed, then dirties it all and stops itself with code 0,
 * such as guests/hello). Checks that the first run is clean, that destruction scrubs every
 * frame and releases it, that nothing leaks, that a live VM's frames cannot be given to
 * another owner, and that a VM created again in the same frames finds only zeros. The SMM invariant
 * checker (smm_check.c) runs after every step: start, create, run and destroy, twice. */
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

struct run_record {
	u64 ram, pages;
};

/* The SMM invariant checker after every lifecycle step: its violations, and the first one. */
static u32 invariant_violations;
static char invariant_why[200];

static void check_invariants(const char *step)
{
	char why[160];
	if (smm_check(why, sizeof(why)) && !invariant_violations++)
		snprintf(invariant_why, sizeof(invariant_why), "after %s: %s", step, why);
}

/* Creates VM 0 from the config, runs it to its end. false with why on any failure. */
static bool life(const struct kernel_ctx *k, const struct vmx_caps *caps, struct run_record *rec, char *why,
		 size_t n)
{
	const struct cfg_vm *cv = &k->cfg->vms[TEST_VM];
	const struct boot_file *f = vms_find_image(k->boot, cv->image);
	struct vm *vm = &vm_table[TEST_VM];
	if (!f) {
		snprintf(why, n, "image %s is not loaded", cv->image);
		return false;
	}
	if (vm_create(TEST_VM, cv, f, caps, 0, why, n) != 0)
		return false;
	rec->ram = vm->ram_hpa;
	rec->pages = vm->ram_size / PAGE_SIZE;
	/* While it lives, no other owner can be given one of its frames. */
	if (frame_owner_assign(rec->ram + PAGE_SIZE, 1, OWNER_VM_FIRST + TEST_VM + 1, FRAME_R) == 0) {
		snprintf(why, n, "a frame of a live VM was assigned to a second owner");
		return false;
	}
	check_invariants("create");
	sched_run_this_cpu(); /* runs it, then destroys it */
	check_invariants("run and destroy");
	if (vm->state != VM_STOPPED || !vm->stopped_itself || vm->stop_code != 0) {
		snprintf(why, n, "the guest did not stop itself with code 0 (%s)", vm->stop_reason);
		return false;
	}
	return true;
}

/* Every frame of the dead VM is zero and unowned. */
static bool scrubbed(const struct run_record *rec, char *why, size_t n)
{
	for (u64 p = 0; p < rec->pages; p++) {
		u64 phys = rec->ram + p * PAGE_SIZE;
		if (frame_owner_of(phys) != OWNER_NONE) {
			snprintf(why, n, "frame 0x%llx still has owner %u", phys, frame_owner_of(phys));
			return false;
		}
		const volatile u64 *w = (const u64 *)(uintptr_t)phys;
		for (u64 i = 0; i < PAGE_SIZE / 8; i++)
			if (w[i]) {
				snprintf(why, n, "frame 0x%llx holds data after the VM was destroyed", phys);
				return false;
			}
	}
	return true;
}

static u64 overlap_pages(const struct run_record *a, const struct run_record *b)
{
	u64 lo = MAX(a->ram, b->ram), hi = MIN(a->ram + a->pages * PAGE_SIZE, b->ram + b->pages * PAGE_SIZE);
	return hi > lo ? (hi - lo) / PAGE_SIZE : 0;
}

void selftest_vm(const struct kernel_ctx *k, struct selftest_result *r)
{
	const struct vmx_caps *caps = vms_caps();
	char why[200] = "";
	struct run_record first, second;

	if (!caps || !k->cfg->nvms) {
		selftest_report(r, "vm-lifecycle", false, !caps ? "VMX is unusable" : "the config names no VM");
		return;
	}
	if (vmx_cpu_enable(caps, why, sizeof(why)) != 0) {
		selftest_report(r, "vm-lifecycle", false, why);
		return;
	}
	check_invariants("start");
	u64 free_before = frame_free_count();
	bool ok = life(k, caps, &first, why, sizeof(why));
	selftest_report(r, "vm-first-run", ok, why);
	if (!ok)
		return;
	selftest_report(r, "vm-destroy-scrubs", scrubbed(&first, why, sizeof(why)), why);
	snprintf(why, sizeof(why), "%llu frames free before, %llu after", free_before, frame_free_count());
	selftest_report(r, "vm-destroy-releases", frame_free_count() == free_before, why);

	ok = life(k, caps, &second, why, sizeof(why));
	u64 reused = overlap_pages(&first, &second);
	pr_info("vm", "'%s' created again: %llu of its %llu frames belonged to the destroyed VM", k->cfg->vms[0].name,
		reused, second.pages);
	selftest_report(r, "vm-recreated-reads-zero", ok, why);
	snprintf(why, sizeof(why), "the new VM got none of the old frames: nothing proven");
	selftest_report(r, "vm-recreated-same-frames", reused > 0, why);
	selftest_report(r, "vm-second-destroy-scrubs", scrubbed(&second, why, sizeof(why)), why);
	selftest_report(r, "vm-invariants-every-step", invariant_violations == 0, invariant_why);
}
