/* vmm/exit_ept.c: EPT exits. A guest access to a guest-physical address outside its RAM (or
 * beyond the rights its pages have) is an EPT violation: the VM is stopped with a report of
 * the access, the address and the guest RIP: continuing would hide the bug or the attack. The only
 * MMIO Moat emulates is a Linux VM's xAPIC page and assigned devices' MSI-X table/PBA pages. An EPT misconfiguration is Moat's own
 * bug and stops the VM the same way. */
#include "vm_exit.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "vplat.h"
#include "vpci.h"

#define EPTV_READ BIT(0)
#define EPTV_WRITE BIT(1)
#define EPTV_FETCH BIT(2)
#define EPTV_LINEAR_VALID BIT(7)

static const char *access_name(u64 q)
{
	return q & EPTV_FETCH ? "instruction fetch" : q & EPTV_WRITE ? "write" : "read";
}

enum exit_action exit_ept_violation(struct vm *vm, const struct exit_info *x)
{
	u64 gpa = vmread(VMCS_GUEST_PHYS_ADDR);
	enum exit_action a;
	if (vm->plat && vplat_mmio(vm, gpa, x, &a)) /* a Linux VM's xAPIC page (vlapic_mmio.c) */
		return a;
	if (vpci_msix_exit(vm, gpa, x, &a)) /* an assigned device's MSI-X table/PBA page (vpci_msix.c) */
		return a;
	const char *where = gpa < vm->ram_size ? "not permitted there" : "outside its memory";
	if (x->qual & EPTV_LINEAR_VALID)
		return exit_stop(vm, "EPT violation: %s of GPA 0x%llx (%s) at RIP 0x%llx, linear address 0x%llx",
				 access_name(x->qual), gpa, where, x->rip, vmread(VMCS_GUEST_LINEAR_ADDR));
	return exit_stop(vm, "EPT violation: %s of GPA 0x%llx (%s) at RIP 0x%llx", access_name(x->qual), gpa, where,
			 x->rip);
}

enum exit_action exit_ept_misconfig(struct vm *vm, const struct exit_info *x)
{
	return exit_stop(vm, "EPT misconfiguration at GPA 0x%llx (RIP 0x%llx): a Moat bug, please report it",
			 vmread(VMCS_GUEST_PHYS_ADDR), x->rip);
}
