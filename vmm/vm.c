/* vmm/vm.c: VM creation and destruction (see vm.h). Guest RAM is one contiguous block from the
 * frame allocator, 2 MiB aligned when it is at least that big so that EPT can use large pages.
 * Its frames are assigned to the VM in the ownership table before they are zeroed and mapped;
 * on destruction they are scrubbed, every cached translation is invalidated (INVEPT, INVVPID,
 * both synchronous), and only then released and freed. */
#include <stdarg.h>
#include "vm.h"
#include "assign.h"
#include "guest_boot.h"
#include "hypercall_abi.h"
#include "smm.h"
#include "vmcs_init.h"
#include "vm_exit.h"
#include "vmx_insn.h"
#include "vuart.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define LARGE_PAGE_FRAMES 512
#define FPU_FCW_OFFSET 0
#define FPU_MXCSR_OFFSET 24
#define FPU_FCW_INIT 0x37f
#define FPU_MXCSR_INIT 0x1f80
#define XCR0_X87 BIT(0)

struct vm vm_table[VM_MAX];
static const struct vmx_caps *caps; /* set by the first vm_create */

/* Fast zeroing of whole pages (REP STOSQ). */
static void zero_pages(u64 phys, u64 pages)
{
	u64 n = pages * (PAGE_SIZE / 8);
	void *p = (void *)(uintptr_t)phys;
	__asm__ volatile("rep stosq" : "+D"(p), "+c"(n) : "a"(0ULL) : "memory");
}

u64 vmm_page_alloc(void)
{
	u64 p = frame_alloc();
	if (!p)
		return 0;
	if (frame_owner_assign(p, 1, OWNER_MOAT, FRAME_R | FRAME_W) != 0) {
		frame_free(p);
		return 0;
	}
	zero_pages(p, 1);
	return p;
}

void vmm_page_free(u64 p)
{
	zero_pages(p, 1);
	frame_owner_release(p, 1, OWNER_MOAT);
	frame_free(p);
}

static u64 ept_alloc(void *ctx __unused) { return vmm_page_alloc(); }
static void ept_free(void *ctx __unused, u64 p) { vmm_page_free(p); }
static void *ept_ptr(void *ctx __unused, u64 p) { return (void *)(uintptr_t)p; }
static const struct ept_ops ept_ops = {ept_alloc, ept_free, ept_ptr, NULL};

bool vm_gpa_ok(const struct vm *vm, u64 gpa, u64 len)
{
	return gpa <= vm->ram_size && len <= vm->ram_size - gpa;
}

void *vm_gpa_ptr(const struct vm *vm, u64 gpa) { return (void *)(uintptr_t)(vm->ram_hpa + gpa); }

static u64 ram_pages(const struct vm *vm) { return vm->ram_size / PAGE_SIZE; }

/* Everything vm_create may have taken, given back in the safe order. */
static void release_all(struct vm *vm)
{
	assign_vm_stop(vm); /* devices: no bus mastering, blocking domain, reset: before any scrub */
	if (vm->vcpu.vmcs) {
		vmclear(vm->vcpu.vmcs);
		vmm_page_free(vm->vcpu.vmcs);
	}
	if (vm->ram_hpa)
		zero_pages(vm->ram_hpa, ram_pages(vm));
	if (vm->eptp)
		invept(caps->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, vm->eptp);
	if (caps->vpid)
		invvpid(caps->invvpid_single ? INVVPID_SINGLE_CONTEXT : INVVPID_ALL_CONTEXT, vm->vpid);
	if (vm->ram_hpa) {
		/* zeroed, INVEPT and INVVPID completed (synchronous): on record before the frames go back */
		frame_owner_mark_scrubbed(vm->ram_hpa, ram_pages(vm), vm->owner);
		if (frame_owner_release(vm->ram_hpa, ram_pages(vm), vm->owner) == 0)
			frame_free_contig(vm->ram_hpa, ram_pages(vm));
		else
			pr_err("vm", "'%s': its RAM is not all its own: frames leaked, not reused", vm->name);
	}
	ept_destroy(&vm->ept);
	if (vm->msr_bitmap)
		vmm_page_free(vm->msr_bitmap);
	if (vm->vcpu.fpu)
		vmm_page_free(vm->vcpu.fpu);
	vm->vcpu.vmcs = vm->msr_bitmap = vm->vcpu.fpu = vm->ram_hpa = vm->eptp = 0;
}

static int take_ram(struct vm *vm, u64 bytes, char *why, size_t n)
{
	u64 pages = bytes / PAGE_SIZE;
	u64 hpa = 0;
	if (pages >= LARGE_PAGE_FRAMES)
		hpa = frame_alloc_contig(pages, LARGE_PAGE_FRAMES, 0);
	if (!hpa)
		hpa = frame_alloc_contig(pages, 1, 0);
	if (!hpa) {
		snprintf(why, n, "no free contiguous block of %llu KiB for its memory", bytes / KiB(1));
		return -1;
	}
	if (frame_owner_assign(hpa, pages, vm->owner, FRAME_RWX) != 0) {
		frame_free_contig(hpa, pages);
		snprintf(why, n, "the ownership table refused its memory at 0x%llx (frames already owned)", hpa);
		return -1;
	}
	vm->ram_hpa = hpa;
	vm->ram_size = bytes;
	zero_pages(hpa, pages);
	return 0;
}

static int load_image(struct vm *vm, const struct guest_image *img, const struct boot_file *f, u64 limit,
		      char *why, size_t n)
{
	if (img->highest > limit) {
		snprintf(why, n, "image %s needs memory up to 0x%llx but only 0x%llx is free below Moat's boot area",
			 f->name, img->highest, limit);
		return -1;
	}
	const u8 *data = (const u8 *)(uintptr_t)f->addr;
	for (u32 i = 0; i < img->nsegs; i++) {
		const struct image_segment *s = &img->segs[i];
		memcpy(vm_gpa_ptr(vm, s->gpa), data + s->offset, s->filesz);
	}
	return 0;
}

static int map_ram(struct vm *vm, char *why, size_t n)
{
	if (!frame_owner_allows(vm->ram_hpa, ram_pages(vm), vm->owner, FRAME_RWX)) {
		snprintf(why, n, "its memory is not recorded as its own");
		return -1;
	}
	if (ept_init(&vm->ept, &ept_ops, caps->ept_2m, caps->ept_1g) != 0 ||
	    ept_map(&vm->ept, 0, vm->ram_hpa, vm->ram_size, EPT_RWX) != 0) {
		snprintf(why, n, "out of memory for its EPT tables");
		return -1;
	}
	vm->eptp = ept_pointer(&vm->ept, caps->ept_ad);
	return 0;
}

static int alloc_vcpu(struct vm *vm, char *why, size_t n)
{
	vm->msr_bitmap = vmm_page_alloc();
	vm->vcpu.vmcs = vmm_page_alloc();
	vm->vcpu.fpu = vmm_page_alloc();
	if (!vm->msr_bitmap || !vm->vcpu.vmcs || !vm->vcpu.fpu) {
		snprintf(why, n, "out of memory for its VMCS and bitmaps");
		return -1;
	}
	u8 *fpu = (u8 *)(uintptr_t)vm->vcpu.fpu;
	*(u16 *)(fpu + FPU_FCW_OFFSET) = FPU_FCW_INIT;
	*(u32 *)(fpu + FPU_MXCSR_OFFSET) = FPU_MXCSR_INIT;
	vm->vcpu.xcr0 = XCR0_X87;
	return 0;
}

static struct vm *vm_reset(u32 id, const char *name, u32 cpu)
{
	struct vm *vm = &vm_table[id];
	memset(vm, 0, sizeof(*vm));
	strlcpy(vm->name, name, sizeof(vm->name));
	vm->id = id;
	vm->owner = (u16)(OWNER_VM_FIRST + id);
	vm->vpid = (u16)(id + 1);
	vm->cpu = cpu;
	return vm;
}

/* Everything after the RAM is taken and loaded: EPT, vCPU, boot area and VMCS. */
static int finish(struct vm *vm, const struct guest_image *img, enum vm_mode mode, char *why, size_t n)
{
	struct guest_entry entry;
	if (map_ram(vm, why, n) || alloc_vcpu(vm, why, n))
		return -1;
	guest_boot_prepare(vm, img, mode, &entry);
	vm->vcpu.regs.rdi = entry.rdi;
	vm->vcpu.regs.rsi = entry.rsi;
	if (vmcs_init(vm, caps, &entry, why, n) != 0)
		return -1;
	vmclear(vm->vcpu.vmcs); /* its CPU loads it on first entry */
	return 0;
}

int vm_create_blank(u32 id, const char *name, u64 memory, enum vm_mode mode, const struct vmx_caps *c, u32 cpu,
		    char *why, size_t n)
{
	caps = c;
	struct vm *vm = vm_reset(id, name, cpu);
	struct guest_image img;
	memset(&img, 0, sizeof(img));
	if (memory <= guest_boot_area_size(mode, memory)) {
		snprintf(why, n, "%llu KiB of memory is too small", memory / KiB(1));
		return -1;
	}
	if (take_ram(vm, memory, why, n) || finish(vm, &img, mode, why, n)) {
		release_all(vm);
		vm->state = VM_FREE;
		return -1;
	}
	vm->state = VM_PAUSED;
	return 0;
}

int vm_create(u32 id, const struct cfg_vm *cv, const struct boot_file *f, const struct vmx_caps *c, u32 cpu,
	      char *why, size_t n)
{
	caps = c;
	struct vm *vm = vm_reset(id, cv->name, cpu);
	struct guest_image img;
	char perr[120];
	if (guest_image_parse((const u8 *)(uintptr_t)f->addr, f->size, MOAT_FLAT_LOAD_GPA, &img, perr,
			      sizeof(perr)) != 0) {
		snprintf(why, n, "image %s: %s", f->name, perr);
		return -1;
	}
	enum vm_mode mode = cv->entry == CFG_ENTRY_AUTO ? guest_boot_default_mode(img.kind) : (enum vm_mode)cv->entry;
	u64 area = guest_boot_area_size(mode, cv->memory);
	if (cv->memory <= area) {
		snprintf(why, n, "%llu KiB of memory is too small", cv->memory / KiB(1));
		return -1;
	}
	if (take_ram(vm, cv->memory, why, n) || load_image(vm, &img, f, cv->memory - area, why, n) ||
	    finish(vm, &img, mode, why, n) || assign_vm_start(vm, cv, why, n) ||
	    smm_vm_created(vm, cv->control, f, why, n))
		goto fail;
	vm->state = VM_RUNNABLE;
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	pr_info(sub, "created: %s image %s, %u-bit entry at 0x%llx, %llu KiB of RAM at 0x%llx, cpu %u",
		guest_image_kind_name(img.kind), f->name, (u32)mode, img.entry, vm->ram_size / KiB(1), vm->ram_hpa, cpu);
	return 0;
fail:
	release_all(vm);
	vm->state = VM_FREE;
	return -1;
}

int vm_create_loaded(u32 id, const struct cfg_vm *cv, const struct boot_file *f, const struct guest_entry *entry,
		     vm_loader_fn load, void *ctx, const struct vmx_caps *c, u32 cpu, char *why, size_t n)
{
	caps = c;
	struct vm *vm = vm_reset(id, cv->name, cpu);
	vm->mode = entry->mode;
	if (take_ram(vm, cv->memory, why, n) || load(vm, ctx, why, n) || map_ram(vm, why, n) ||
	    alloc_vcpu(vm, why, n) || vmcs_init(vm, caps, entry, why, n))
		goto fail;
	vmclear(vm->vcpu.vmcs); /* its CPU loads it on first entry */
	if (assign_vm_start(vm, cv, why, n) || smm_vm_created(vm, cv->control, f, why, n))
		goto fail;
	vm->state = VM_RUNNABLE;
	return 0;
fail:
	release_all(vm);
	vm->state = VM_FREE;
	return -1;
}

void vm_set_stopped(struct vm *vm, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(vm->stop_reason, sizeof(vm->stop_reason), fmt, ap);
	va_end(ap);
}

void vm_destroy(struct vm *vm)
{
	u64 kib = vm->ram_size / KiB(1);
	vuart_flush(vm);
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	pr_info(sub, "stopped: %s", vm->stop_reason[0] ? vm->stop_reason : "no reason recorded");
	exit_stats_report(vm, sub);
	u64 hpa = vm->ram_hpa;
	release_all(vm);
	vm->state = VM_STOPPED;
	smm_vm_destroyed(vm, hpa, vm->ram_size / PAGE_SIZE);
	pr_debug(sub, "%llu KiB scrubbed, translations invalidated, frames released (%llu exits)", kib,
		 vm->vcpu.exits);
}
