/* vmm/smm.h: secure memory management (DESIGN.md "Where the idea comes from", SMM): the per-VM side of
 * the page permission table (kernel/frame_owner.h) and of the key table (vmm/keys.h), the hooks that run
 * when a VM is created, scheduled and destroyed (smm_hooks.c), the invariant checker (smm_check.c), and
 * the control VM's pause/export/restore/destroy (smm_image.c, smm_hc.c). */
#ifndef MOAT_SMM_H
#define MOAT_SMM_H

#include "vm.h"
#include "../kernel/crypto.h"

struct smm_vm {
	bool control;                        /* control = yes: may use the control hypercalls */
	char key_name[CFG_NAME_MAX + 1];     /* its key is keys_vm_key(key_name): its own name, or the
					      * exported VM's for a restored one */
	u8 measurement[SHA256_LEN];          /* of the image it was created from (carried by restores) */
	u32 paused_by;                       /* id + 1 of the control VM that paused it; 0: none */
	u64 released_hpa, released_pages;    /* the RAM its last destruction gave back (for the checker) */
};

extern struct smm_vm smm_table[VM_MAX];

/* Hooks (smm_hooks.c). Created: the VM's frames are recorded as its own with RWX, zeroed and mapped,
 * its EPT checked against the table; 0, or -1 with why. */
int smm_vm_created(struct vm *vm, bool control, const struct boot_file *image, char *why, size_t n);
/* The CPU now runs next (its VMCS is loaded): the switch is recorded, the EPT pointer checked, the key
 * context (whose key an export on this CPU would use) switched. */
void smm_vm_scheduled(u32 cpu, const struct vm *prev, const struct vm *next);
/* After vm_destroy scrubbed, invalidated and released its RAM [hpa, +pages): the table entries are gone;
 * VMs it had paused are resumed. */
void smm_vm_destroyed(struct vm *vm, u64 hpa, u64 pages);
/* VM switches recorded on cpu, and the id + 1 of the VM whose key context is loaded there (0: none). */
u64 smm_switches(u32 cpu);
u32 smm_key_context(u32 cpu);

/* The invariant checker (smm_check.c): walks every live VM's EPT and every DMA domain and checks
 * invariants 1-4 of DESIGN.md. Returns the number of violations (0: all hold); the first is described in
 * why. Prints nothing. */
u32 smm_check(char *why, size_t n);

/* Export and restore (smm_image.c); results are hypercall results (>= 0, or -HC_E...). */
s64 smm_export(struct vm *caller, struct vm *target, u64 gpa, u64 len);
s64 smm_restore(struct vm *caller, u64 gpa, u64 len, const char *new_name);

/* The control hypercalls (smm_hc.c): false if nr is not one of them. */
bool smm_hypercall(struct vm *vm, u64 nr, struct guest_regs *g);

#endif
