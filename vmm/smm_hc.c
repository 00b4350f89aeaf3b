/* vmm/smm_hc.c: the control hypercalls (numbers and errors in hypercall_abi.h). Only a VM marked
 * `control = yes` may make them; every id, pointer, length and name is checked before use, and a target
 * must be another live VM on the caller's own CPU (its VMCS is then not loaded anywhere else). */
#include "smm.h"
#include "hypercall_abi.h"
#include "vmx_insn.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

static s64 err(u64 code) { return -(s64)code; }

static bool name_char_ok(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* Copies a VM name [gpa, gpa+len) out of vm's memory: 0, or a hypercall error. */
static s64 copy_name(struct vm *vm, u64 gpa, u64 len, char out[CFG_NAME_MAX + 1])
{
	if (!len || len > CFG_NAME_MAX)
		return err(HC_EINVAL);
	if (!vm_gpa_ok(vm, gpa, len))
		return err(HC_EFAULT);
	memcpy(out, vm_gpa_ptr(vm, gpa), len);
	out[len] = 0;
	for (u64 i = 0; i < len; i++)
		if (!name_char_ok(out[i]))
			return err(HC_EINVAL);
	return 0;
}

static bool live(const struct vm *vm) { return vm->state == VM_RUNNABLE || vm->state == VM_PAUSED; }

static struct vm *find(const char *name)
{
	for (u32 i = 0; i < VM_MAX; i++)
		if (live(&vm_table[i]) && strcmp(vm_table[i].name, name) == 0)
			return &vm_table[i];
	return NULL;
}

/* The target VM id names, or NULL with *e set. */
static struct vm *target(struct vm *self, u64 id, s64 *e)
{
	if (id >= VM_MAX || !live(&vm_table[id])) {
		*e = err(HC_ESRCH);
		return NULL;
	}
	struct vm *t = &vm_table[id];
	if (t == self) {
		*e = err(HC_EPERM);
		return NULL;
	}
	if (t->cpu != self->cpu) {
		*e = err(HC_EXDEV);
		return NULL;
	}
	return t;
}

static void say(const struct vm *self, const char *what, const struct vm *t)
{
	pr_info("smm", "vm '%s' %s by control VM '%s'", t->name, what, self->name);
}

static s64 hc_pause(struct vm *self, u64 id)
{
	s64 e = 0;
	struct vm *t = target(self, id, &e);
	if (!t)
		return e;
	if (t->state != VM_RUNNABLE)
		return err(HC_EBUSY);
	t->state = VM_PAUSED;
	smm_table[t->id].paused_by = self->id + 1;
	say(self, "paused", t);
	return 0;
}

static s64 hc_resume(struct vm *self, u64 id)
{
	s64 e = 0;
	struct vm *t = target(self, id, &e);
	if (!t)
		return e;
	if (t->state != VM_PAUSED)
		return err(HC_EBUSY);
	smm_table[t->id].paused_by = 0;
	t->state = VM_RUNNABLE;
	say(self, "resumed", t);
	return 0;
}

static s64 hc_destroy(struct vm *self, u64 id)
{
	s64 e = 0;
	struct vm *t = target(self, id, &e);
	if (!t)
		return e;
	vm_set_stopped(t, "destroyed by control VM '%s'", self->name);
	vm_destroy(t);
	vmptrld(self->vcpu.vmcs);
	return 0;
}

static s64 hc_export(struct vm *self, u64 id, u64 gpa, u64 len)
{
	s64 e = 0;
	struct vm *t = target(self, id, &e);
	if (!t)
		return e;
	if (t->state != VM_PAUSED)
		return err(HC_EBUSY);
	return smm_export(self, t, gpa, len);
}

static s64 hc_restore(struct vm *self, u64 gpa, u64 len, u64 name_gpa, u64 name_len)
{
	char name[CFG_NAME_MAX + 1];
	s64 e = copy_name(self, name_gpa, name_len, name);
	if (e)
		return e;
	if (find(name))
		return err(HC_EEXIST);
	return smm_restore(self, gpa, len, name);
}

static s64 hc_find(struct vm *self, u64 gpa, u64 len)
{
	char name[CFG_NAME_MAX + 1];
	s64 e = copy_name(self, gpa, len, name);
	if (e)
		return e;
	struct vm *t = find(name);
	return t ? (s64)t->id : err(HC_ESRCH);
}

bool smm_hypercall(struct vm *vm, u64 nr, struct guest_regs *g)
{
	if (nr < HC_VM_PAUSE || nr > HC_VM_FIND)
		return false;
	s64 r;
	if (!smm_table[vm->id].control)
		r = err(HC_EPERM);
	else if (nr == HC_VM_PAUSE)
		r = hc_pause(vm, g->rdi);
	else if (nr == HC_VM_EXPORT)
		r = hc_export(vm, g->rdi, g->rsi, g->rdx);
	else if (nr == HC_VM_RESTORE)
		r = hc_restore(vm, g->rdi, g->rsi, g->rdx, g->rcx);
	else if (nr == HC_VM_RESUME)
		r = hc_resume(vm, g->rdi);
	else if (nr == HC_VM_DESTROY)
		r = hc_destroy(vm, g->rdi);
	else
		r = hc_find(vm, g->rdi, g->rsi);
	g->rax = (u64)r;
	return true;
}
