/* vmm/vm_budget.c: the memory check over all VMs of a config (see vm_budget.h). Moat takes
 * every VM's RAM from its own allocator, so VMs cannot overlap in host memory (the ownership
 * table refuses a frame that has an owner) and each guest-physical map is private; what a
 * config can get wrong is the total, and then no VM starts. */
#include "vm_budget.h"
#include "../kernel/fmt.h"

const char *vms_check_memory(const struct moat_config *cfg, u64 free_bytes, char *buf, size_t size)
{
	u64 need = 0;
	for (u32 i = 0; i < cfg->nvms; i++)
		need += cfg->vms[i].memory + VM_OVERHEAD_PAGES * PAGE_SIZE;
	u64 usable = free_bytes > VM_BUDGET_RESERVE ? free_bytes - VM_BUDGET_RESERVE : 0;
	if (need <= usable)
		return NULL;
	size_t n = (size_t)snprintf(buf, size, "the VMs need %llu KiB (", need / KiB(1));
	for (u32 i = 0; i < cfg->nvms && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s'%s' %llu KiB", i ? ", " : "", cfg->vms[i].name,
				      cfg->vms[i].memory / KiB(1));
	if (n < size)
		snprintf(buf + n, size - n, ", plus %llu KiB of VMX tables each) but only %llu KiB are free: no VM started",
			 VM_OVERHEAD_PAGES * PAGE_SIZE / KiB(1), usable / KiB(1));
	return buf;
}

