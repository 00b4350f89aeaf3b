/* vmm/selftest_vmrec.c: VM records without a vCPU for the assignment suites, and their shared checks
 * (see selftest_vmrec.h). */
#include "selftest_vmrec.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/string.h"

static u8 *ptr(u64 hpa)
{
	return (u8 *)(uintptr_t)hpa;
}

struct vm *selftest_vm_make(u32 slot, const char *name, u64 ram_bytes)
{
	struct vm *vm = &vm_table[slot];
	memset(vm, 0, sizeof(*vm));
	strlcpy(vm->name, name, sizeof(vm->name));
	vm->id = slot;
	vm->owner = (u16)(OWNER_VM_FIRST + slot);
	u64 pages = ram_bytes / PAGE_SIZE;
	vm->ram_hpa = frame_alloc_contig(pages, 1, 0);
	if (!vm->ram_hpa)
		return NULL;
	if (frame_owner_assign(vm->ram_hpa, pages, vm->owner, FRAME_RWX) != 0) {
		frame_free_contig(vm->ram_hpa, pages);
		vm->ram_hpa = 0;
		return NULL;
	}
	vm->ram_size = ram_bytes;
	memset(ptr(vm->ram_hpa), 0, ram_bytes);
	vm->state = VM_PAUSED;
	return vm;
}

void selftest_vm_drop(struct vm *vm)
{
	if (!vm || !vm->ram_hpa)
		return;
	u64 pages = vm->ram_size / PAGE_SIZE;
	memset(ptr(vm->ram_hpa), 0, vm->ram_size);
	frame_owner_mark_scrubbed(vm->ram_hpa, pages, vm->owner);
	if (frame_owner_release(vm->ram_hpa, pages, vm->owner) == 0)
		frame_free_contig(vm->ram_hpa, pages);
	vm->ram_hpa = 0;
	vm->state = VM_FREE;
}

bool selftest_contains(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncmp(s, w, n) == 0)
			return true;
	return false;
}

bool selftest_all_bytes(u64 hpa, u8 v, u32 len)
{
	for (u32 i = 0; i < len; i++)
		if (ptr(hpa)[i] != v)
			return false;
	return true;
}
