/* vmm/vm_linux.h: a Linux VM: `kernel` (an ELF vmlinux with a PVH entry note), `initrd` and
 * `cmdline` from its config section, started at the PVH entry with an hvm_start_info (memory map,
 * command line, initrd module, ACPI RSDP) and given the platform of vplat.h. */
#ifndef MOAT_VM_LINUX_H
#define MOAT_VM_LINUX_H

#include "vm.h"

/* Creates vm_table[id] from cv (which names `kernel`): refuses with why (one line, naming the file
 * and the sizes) a file that was not loaded, a kernel without a PVH note or cut short, an initrd
 * that does not fit, a CPU without the VMX preemption timer. 0, or -1 with why. */
int vm_linux_create(u32 id, const struct cfg_vm *cv, const struct boot_info *bi, const struct vmx_caps *caps,
		    u32 cpu, char *why, size_t why_size);

/* After vm_destroy on its CPU: a VM that asked for a reset is created again from the same files
 * (its CPU runs it next; "restarting (...; restart K of N)"), unless its `restarts = N` are used up:
 * then it stays stopped ("not restarted: it asked for a reset N+1 times (restarts = N)"). Otherwise
 * nothing. vm_linux_create (the config's start) makes the budget whole again. */
void vm_linux_after_stop(struct vm *vm);

#endif
