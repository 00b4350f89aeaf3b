/* vmm/virq_vm.h: device interrupts into VMs, per VM slot (virq_vm.c; the state is virq.h's). */
#ifndef MOAT_VIRQ_VM_H
#define MOAT_VIRQ_VM_H

#include "virq.h"
#include "vm.h"

struct virq *virq_of(const struct vm *vm);
/* Host handler, any CPU: the guest vector of a device of VM slot `slot` fired. */
void virq_vm_raise(u32 slot, u32 vector);
/* The VM has a device interrupt set up: image VMs then take part in injection and re-injection. */
void virq_vm_use(const struct vm *vm);
bool virq_vm_used(const struct vm *vm);
/* Nothing pending, counters zero, the slot's generation bumped (a VM released its devices). */
void virq_vm_reset(const struct vm *vm);
/* The slot's generation (virq_bind.h), and all of them (VM_MAX). */
u32 virq_vm_gen(u32 slot);
const u32 *virq_vm_gens(void);
/* A VM with a platform, on its CPU before entry: pending vectors go to its virtual local APIC. */
void virq_vm_plat_drain(struct vm *vm);
/* An image VM, on its CPU before entry: the highest pending vector is injected if it can be taken. */
void virq_vm_image_before_entry(struct vm *vm);

#endif
