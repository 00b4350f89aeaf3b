/* vmm/smm_hooks.c: the SMM hooks (see smm.h): what the page permission table and key table learn when
 * a VM is created, scheduled and destroyed. The frames themselves are recorded, zeroed, scrubbed,
 * invalidated and released by vm.c in that order; these hooks check the result and keep the per-VM
 * records (control flag, key name, measurement, who paused it). */
#include "smm.h"
#include "keys.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/panic.h"
#include "../kernel/percpu.h"
#include "../kernel/string.h"

struct smm_vm smm_table[VM_MAX];

struct smm_cpu {
	u64 switches;
	u32 key_context; /* id + 1 of the VM whose key context is loaded */
};
static struct smm_cpu cpus[MAX_CPUS];

int smm_vm_created(struct vm *vm, bool control, const struct boot_file *image, char *why, size_t n)
{
	struct smm_vm *s = &smm_table[vm->id];
	memset(s, 0, sizeof(*s));
	s->control = control;
	strlcpy(s->key_name, vm->name, sizeof(s->key_name));
	sha256((const void *)(uintptr_t)image->addr, image->size, s->measurement);
	if (!frame_owner_allows(vm->ram_hpa, vm->ram_size / PAGE_SIZE, vm->owner, FRAME_RWX)) {
		snprintf(why, n, "its RAM is not recorded as its own in the page permission table");
		return -1;
	}
	u64 hpa, perms;
	if (!ept_translate(&vm->ept, 0, &hpa, &perms) || hpa != vm->ram_hpa ||
	    ept_translate(&vm->ept, vm->ram_size, &hpa, &perms)) {
		snprintf(why, n, "its EPT does not map exactly its RAM");
		return -1;
	}
	if (control) {
		char sub[CFG_NAME_MAX + 8];
		snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
		pr_info(sub, "control VM: may pause, export, restore and destroy other VMs");
	}
	return 0;
}

void smm_vm_scheduled(u32 cpu, const struct vm *prev __unused, const struct vm *next)
{
	struct smm_cpu *c = &cpus[cpu % MAX_CPUS];
	c->switches++;
	c->key_context = next->id + 1;
	if (vmread(VMCS_EPT_POINTER) != next->eptp || vmread(VMCS_VPID) != next->vpid)
		panic("smm: vm '%s' scheduled on cpu %u with another VM's EPT or VPID", next->name, cpu);
}

void smm_vm_destroyed(struct vm *vm, u64 hpa, u64 pages)
{
	struct smm_vm *s = &smm_table[vm->id];
	s->released_hpa = hpa;
	s->released_pages = pages;
	s->control = false;
	s->paused_by = 0;
	for (u32 i = 0; i < MAX_CPUS; i++)
		if (cpus[i].key_context == vm->id + 1)
			cpus[i].key_context = 0;
	/* what it paused runs again: a control VM that dies does not take its targets with it */
	for (u32 i = 0; i < VM_MAX; i++) {
		if (vm_table[i].state == VM_PAUSED && smm_table[i].paused_by == vm->id + 1) {
			smm_table[i].paused_by = 0;
			vm_table[i].state = VM_RUNNABLE;
			pr_info("smm", "vm '%s' resumed: vm '%s', which paused it, has stopped", vm_table[i].name,
				vm->name);
		}
	}
}

u64 smm_switches(u32 cpu) { return cpus[cpu % MAX_CPUS].switches; }
u32 smm_key_context(u32 cpu) { return cpus[cpu % MAX_CPUS].key_context; }
