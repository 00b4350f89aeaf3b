/* vmm/assign_identity.c: `dma = unprotected-identity` (machines without VT-d, and tests). The VM's RAM
 * is one host-contiguous block; besides guest-physical 0 it is also mapped at guest-physical = its
 * host-physical address, so an address the guest gives its device (HC_DMA_BASE + guest-physical) is the
 * host address of the same byte. The alias must not overlap guest-physical [0, RAM size): when the
 * block sits too low, it is moved to a block aligned to its own size (hence above it): copied, remapped,
 * and the old block scrubbed and released the usual way. Nothing confines the device: Moat warns. */
#include "assign.h"
#include "vms.h"
#include "vmx_insn.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/string.h"

static void flush(const struct vm *vm)
{
	const struct vmx_caps *c = vms_caps();
	invept(c && c->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, vm->eptp);
}

static u64 pow2_at_least(u64 v)
{
	u64 p = 1;
	while (p < v)
		p <<= 1;
	return p;
}

static int relocate(struct vm *vm, char *why, size_t n)
{
	u64 pages = vm->ram_size / PAGE_SIZE, old = vm->ram_hpa;
	u64 hpa = frame_alloc_contig(pages, pow2_at_least(pages), 0);
	if (!hpa || hpa < vm->ram_size) {
		if (hpa)
			frame_free_contig(hpa, pages);
		snprintf(why, n, "dma = unprotected-identity: no free block of %llu KiB aligned to its size for its RAM",
			 vm->ram_size / KiB(1));
		return -1;
	}
	if (frame_owner_assign(hpa, pages, vm->owner, FRAME_RWX) != 0) {
		frame_free_contig(hpa, pages);
		snprintf(why, n, "dma = unprotected-identity: the ownership table refused RAM at 0x%llx", hpa);
		return -1;
	}
	memcpy((void *)(uintptr_t)hpa, (const void *)(uintptr_t)old, vm->ram_size);
	if (ept_unmap(&vm->ept, 0, vm->ram_size) != 0 || ept_map(&vm->ept, 0, hpa, vm->ram_size, EPT_RWX) != 0) {
		snprintf(why, n, "dma = unprotected-identity: its RAM could not be remapped");
		ept_unmap(&vm->ept, 0, vm->ram_size);
		flush(vm); /* the VM never ran; the invalidation is completed before the frames go back anyway */
		memset((void *)(uintptr_t)hpa, 0, pages * PAGE_SIZE);
		frame_owner_mark_scrubbed(hpa, pages, vm->owner);
		if (frame_owner_release(hpa, pages, vm->owner) == 0)
			frame_free_contig(hpa, pages);
		return -1; /* the VM is released: vm.c scrubs ram_hpa (still the old block) */
	}
	flush(vm);
	vm->ram_hpa = hpa;
	memset((void *)(uintptr_t)old, 0, pages * PAGE_SIZE);
	frame_owner_mark_scrubbed(old, pages, vm->owner);
	if (frame_owner_release(old, pages, vm->owner) == 0)
		frame_free_contig(old, pages);
	return 0;
}

int assign_identity_map(struct vm *vm, char *why, size_t n)
{
	if (vm->ram_hpa < vm->ram_size && relocate(vm, why, n) != 0)
		return -1;
	if (ept_map(&vm->ept, vm->ram_hpa, vm->ram_hpa, vm->ram_size, EPT_RWX) != 0) {
		snprintf(why, n, "dma = unprotected-identity: the identity alias could not be mapped");
		return -1;
	}
	flush(vm);
	return 0;
}
