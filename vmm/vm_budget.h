/* vmm/vm_budget.h: does a config's set of VMs fit the free memory? Pure: host unit tests run it. */
#ifndef MOAT_VM_BUDGET_H
#define MOAT_VM_BUDGET_H

#include "../kernel/config.h"

/* Frames a VM needs besides its RAM: VMCS, MSR bitmap, FPU area, EPT tables (upper bound). */
#define VM_OVERHEAD_PAGES 16
/* Kept free for Moat's own later allocations. */
#define VM_BUDGET_RESERVE MiB(1)

/* NULL when every VM of cfg fits in free_bytes, else the refusal message (in buf). */
const char *vms_check_memory(const struct moat_config *cfg, u64 free_bytes, char *buf, size_t size);

#endif
