/* vmm/virq_vm.c: device interrupts into VMs (see virq.h): one pending set per VM slot, filled by the
 * per-entry host vector handlers of vpci_irq.c, emptied on the VM's CPU before each entry. A VM with a platform
 * gets them in its virtual local APIC (vplat_exit.c then injects, with interrupt-window exiting); an
 * image VM gets an external-interrupt event when it can take one, else at a later entry. */
#include "virq_vm.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "vplat.h"

static struct virq virqs[VM_MAX];
static bool used[VM_MAX]; /* a device of the VM had its interrupt set up */
static u32 gens[VM_MAX];  /* bumped when the slot's VM releases its devices (virq_bind.h) */

struct virq *virq_of(const struct vm *vm) { return &virqs[vm->id]; }

void virq_vm_raise(u32 slot, u32 vector)
{
	if (slot < VM_MAX)
		virq_raise(&virqs[slot], vector);
}

void virq_vm_use(const struct vm *vm) { used[vm->id] = true; }
bool virq_vm_used(const struct vm *vm) { return used[vm->id]; }

void virq_vm_reset(const struct vm *vm)
{
	virq_clear(&virqs[vm->id]);
	used[vm->id] = false;
	__atomic_fetch_add(&gens[vm->id], 1, __ATOMIC_ACQ_REL);
}

u32 virq_vm_gen(u32 slot) { return slot < VM_MAX ? __atomic_load_n(&gens[slot], __ATOMIC_ACQUIRE) : 0; }
const u32 *virq_vm_gens(void) { return gens; }

void virq_vm_plat_drain(struct vm *vm)
{
	struct virq *q = &virqs[vm->id];
	for (int v = virq_take(q); v >= 0; v = virq_take(q)) {
		vlapic_raise(vm, (u32)v);
		q->injected++;
	}
}

void virq_vm_image_before_entry(struct vm *vm)
{
	struct virq *q = &virqs[vm->id];
	if (!used[vm->id])
		return;
	bool busy = vmread(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID;
	if (virq_decide(q, busy, vmread(VMCS_GUEST_RFLAGS), vmread(VMCS_GUEST_INTERRUPTIBILITY)) != VIRQ_INJECT)
		return;
	int v = virq_take(q);
	if (v < 0)
		return;
	vmwrite(VMCS_ENTRY_INTR_INFO, (u32)v | (INTR_TYPE_EXT_INT << INTR_TYPE_SHIFT) | INTR_INFO_VALID);
	q->injected++;
}
