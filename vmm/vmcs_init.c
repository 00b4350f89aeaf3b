/* vmm/vmcs_init.c: the VMCS contents of a new vCPU (see vmcs_init.h). Everything a guest may
 * touch without an exit is listed here; everything else exits: I/O ports and MSRs deny by
 * default (bitmaps), HLT, MWAIT/MONITOR, RDPMC, CR8, MOV DR, WBINVD, and the CR0/CR4 bits
 * whose values VMX fixes. */
#include "vmcs_init.h"
#include "exit_msr.h"
#include "vmx_controls.h"
#include "vmx_insn.h"
#include "vmcs_fields.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/gdt.h"
#include "../kernel/paging.h"
#include "../kernel/percpu.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define PAT_DEFAULT 0x0007040600070406ULL
#define DR7_DEFAULT 0x400
#define TR_LIMIT 0x67
#define SLICE_MS 10
#define MS_PER_S 1000

extern void vmx_exit_entry(void);

static u64 io_bitmap_a, io_bitmap_b; /* every bit set: every port exits; shared by all VMs */
static u64 cr0_mask, cr4_mask;
static u32 slice;

struct dtr {
	u16 limit;
	u64 base;
} __packed;

u64 vmcs_cr0_mask(void) { return cr0_mask; }
u64 vmcs_cr4_mask(void) { return cr4_mask; }
u32 vmcs_time_slice(void) { return slice; }

static void w(u64 field, u64 v, int *err)
{
	if (vmwrite(field, v) != 0 && !*err)
		*err = (int)field ? (int)field : -1;
}

void vmcs_write_host_state(void)
{
	struct percpu *pc = this_cpu();
	struct dtr idtr;
	int err = 0;
	__asm__ volatile("sidt %0" : "=m"(idtr));
	w(VMCS_HOST_CR0, read_cr0(), &err);
	w(VMCS_HOST_CR3, read_cr3(), &err);
	w(VMCS_HOST_CR4, read_cr4(), &err);
	w(VMCS_HOST_CS_SEL, GDT_SEL_CODE, &err);
	w(VMCS_HOST_SS_SEL, GDT_SEL_DATA, &err);
	w(VMCS_HOST_DS_SEL, GDT_SEL_DATA, &err);
	w(VMCS_HOST_ES_SEL, GDT_SEL_DATA, &err);
	w(VMCS_HOST_FS_SEL, 0, &err);
	w(VMCS_HOST_GS_SEL, 0, &err);
	w(VMCS_HOST_TR_SEL, GDT_SEL_TSS, &err);
	w(VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE), &err);
	w(VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE), &err);
	w(VMCS_HOST_TR_BASE, (u64)(uintptr_t)&pc->tables.tss, &err);
	w(VMCS_HOST_GDTR_BASE, (u64)(uintptr_t)pc->tables.gdt, &err);
	w(VMCS_HOST_IDTR_BASE, idtr.base, &err);
	w(VMCS_HOST_SYSENTER_CS, 0, &err);
	w(VMCS_HOST_SYSENTER_ESP, 0, &err);
	w(VMCS_HOST_SYSENTER_EIP, 0, &err);
	w(VMCS_HOST_EFER, rdmsr(MSR_IA32_EFER), &err);
	w(VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT), &err);
	w(VMCS_HOST_RIP, (u64)(uintptr_t)vmx_exit_entry, &err);
}

struct ctl_plan {
	const char *name;
	u64 cap;
	u32 required, optional;
	u32 *out;
};

static int adjust_all(const struct vmx_caps *c, u32 *pin, u32 *proc, u32 *proc2, u32 *exit, u32 *entry,
		      char *why, size_t n)
{
	const struct vmx_msrs *m = &c->raw;
	struct ctl_plan plan[] = {
		{"pin-based", m->pinbased, PIN_EXTINT_EXITING | PIN_NMI_EXITING, PIN_PREEMPTION_TIMER, pin},
		{"processor-based", m->procbased,
		 PROC_HLT_EXITING | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS | PROC_ACTIVATE_SECONDARY |
			 PROC_CR8_LOAD_EXITING | PROC_CR8_STORE_EXITING | PROC_MOV_DR_EXITING | PROC_RDPMC_EXITING |
			 PROC_MWAIT_EXITING | PROC_MONITOR_EXITING,
		 0, proc},
		{"secondary", m->procbased2, PROC2_ENABLE_EPT | PROC2_UNRESTRICTED_GUEST,
		 PROC2_ENABLE_VPID | PROC2_WBINVD_EXITING, proc2},
		{"exit", m->exit, EXIT_HOST_ADDR_SPACE_SIZE | EXIT_LOAD_EFER | EXIT_SAVE_EFER,
		 EXIT_LOAD_PAT | EXIT_SAVE_PAT | EXIT_SAVE_PREEMPTION_TIMER | EXIT_SAVE_DEBUG_CTLS, exit},
		{"entry", m->entry, ENTRY_LOAD_EFER, ENTRY_LOAD_PAT | ENTRY_LOAD_DEBUG_CTLS, entry},
	};
	for (u32 i = 0; i < ARRAY_SIZE(plan); i++) {
		struct vmx_ctl_result r = vmx_adjust_controls(plan[i].cap, plan[i].required, plan[i].optional);
		if (r.missing) {
			snprintf(why, n, "the CPU cannot set %s controls 0x%x", plan[i].name, r.missing);
			return -1;
		}
		*plan[i].out = r.value;
	}
	/* Moat handles no CR3 exit: with EPT the guest owns CR3. */
	if (*proc & (PROC_CR3_LOAD_EXITING | PROC_CR3_STORE_EXITING)) {
		snprintf(why, n, "the CPU forces CR3 exits");
		return -1;
	}
	if (!c->vpid)
		*proc2 &= ~PROC2_ENABLE_VPID;
	return 0;
}

int vmcs_shared_init(const struct vmx_caps *c, char *why, size_t n)
{
	if (io_bitmap_a)
		return 0;
	u64 a = vmm_page_alloc(), b = vmm_page_alloc();
	if (!a || !b) {
		if (a)
			vmm_page_free(a);
		if (b)
			vmm_page_free(b);
		snprintf(why, n, "out of memory for the I/O bitmaps");
		return -1;
	}
	memset((void *)(uintptr_t)a, 0xff, PAGE_SIZE);
	memset((void *)(uintptr_t)b, 0xff, PAGE_SIZE);
	io_bitmap_a = a;
	io_bitmap_b = b;
	const struct vmx_msrs *m = &c->raw;
	cr0_mask = vmx_fixed_mask(m->cr0_fixed0, m->cr0_fixed1, CR0_PE | CR0_PG);
	cr4_mask = vmx_fixed_mask(m->cr4_fixed0, m->cr4_fixed1, 0);
	if (c->preemption_timer) {
		u64 ticks = (tsc_hz() / (MS_PER_S / SLICE_MS)) >> c->preemption_timer_rate;
		slice = ticks > 0xffffffffULL ? 0xffffffffU : ticks ? (u32)ticks : 1;
	}
	return 0;
}

static void write_segments(const struct guest_entry *e, int *err)
{
	static const u64 data_sel[] = {VMCS_GUEST_ES_SEL, VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL, VMCS_GUEST_FS_SEL,
				       VMCS_GUEST_GS_SEL};
	/* selector, limit, AR and base fields of one segment register are 2 apart in each group */
	for (u32 i = 0; i < ARRAY_SIZE(data_sel); i++) {
		u64 off = data_sel[i] - VMCS_GUEST_ES_SEL;
		w(data_sel[i], e->data_sel, err);
		w(VMCS_GUEST_ES_LIMIT + off, e->seg_limit, err);
		w(VMCS_GUEST_ES_AR + off, e->data_ar, err);
		w(VMCS_GUEST_ES_BASE + off, e->seg_base, err);
	}
	w(VMCS_GUEST_CS_SEL, e->code_sel, err);
	w(VMCS_GUEST_CS_LIMIT, e->seg_limit, err);
	w(VMCS_GUEST_CS_AR, e->code_ar, err);
	w(VMCS_GUEST_CS_BASE, e->seg_base, err);
	w(VMCS_GUEST_LDTR_SEL, 0, err);
	w(VMCS_GUEST_LDTR_LIMIT, 0, err);
	w(VMCS_GUEST_LDTR_AR, AR_UNUSABLE, err);
	w(VMCS_GUEST_LDTR_BASE, 0, err);
	w(VMCS_GUEST_TR_SEL, 0, err);
	w(VMCS_GUEST_TR_LIMIT, TR_LIMIT, err);
	w(VMCS_GUEST_TR_AR, AR_TYPE_TSS_BUSY | AR_P, err);
	w(VMCS_GUEST_TR_BASE, 0, err);
	w(VMCS_GUEST_GDTR_BASE, e->gdt_base, err);
	w(VMCS_GUEST_GDTR_LIMIT, e->gdt_limit, err);
	w(VMCS_GUEST_IDTR_BASE, e->idt_base, err);
	w(VMCS_GUEST_IDTR_LIMIT, e->idt_limit, err);
}

static void write_guest_state(const struct vmx_caps *c, const struct guest_entry *e, int *err)
{
	const struct vmx_msrs *m = &c->raw;
	u64 cr0 = e->cr0 | (m->cr0_fixed0 & ~(CR0_PE | CR0_PG));
	u64 cr4 = vmx_apply_fixed(e->cr4, m->cr4_fixed0, m->cr4_fixed1);
	write_segments(e, err);
	w(VMCS_GUEST_CR0, cr0, err);
	w(VMCS_CR0_SHADOW, e->cr0, err);
	w(VMCS_CR0_MASK, cr0_mask, err);
	w(VMCS_GUEST_CR4, cr4, err);
	w(VMCS_CR4_SHADOW, e->cr4, err);
	w(VMCS_CR4_MASK, cr4_mask, err);
	w(VMCS_GUEST_CR3, e->cr3, err);
	w(VMCS_GUEST_EFER, e->efer, err);
	w(VMCS_GUEST_PAT, PAT_DEFAULT, err);
	w(VMCS_GUEST_DEBUGCTL, 0, err);
	w(VMCS_GUEST_DR7, DR7_DEFAULT, err);
	w(VMCS_GUEST_RIP, e->rip, err);
	w(VMCS_GUEST_RSP, e->rsp, err);
	w(VMCS_GUEST_RFLAGS, RFLAGS_FIXED, err);
	w(VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE, err);
	w(VMCS_GUEST_INTERRUPTIBILITY, 0, err);
	w(VMCS_GUEST_PENDING_DBG, 0, err);
	w(VMCS_GUEST_SYSENTER_CS, 0, err);
	w(VMCS_GUEST_SYSENTER_ESP, 0, err);
	w(VMCS_GUEST_SYSENTER_EIP, 0, err);
	w(VMCS_LINK_POINTER, VMCS_LINK_NONE, err);
}

int vmcs_init(struct vm *vm, const struct vmx_caps *c, const struct guest_entry *e, char *why, size_t n)
{
	u32 pin, proc, proc2, exit, entry;
	if (vmcs_shared_init(c, why, n) || adjust_all(c, &pin, &proc, &proc2, &exit, &entry, why, n))
		return -1;
	if (e->mode == VM_MODE_LONG64)
		entry |= ENTRY_IA32E_MODE_GUEST;
	*(u32 *)(uintptr_t)vm->vcpu.vmcs = c->vmcs_revision;
	if (vmclear(vm->vcpu.vmcs) || vmptrld(vm->vcpu.vmcs)) {
		snprintf(why, n, "VMCLEAR/VMPTRLD of the new VMCS failed");
		return -1;
	}
	int err = 0;
	w(VMCS_PIN_CTLS, pin, &err);
	w(VMCS_PROC_CTLS, proc, &err);
	w(VMCS_PROC2_CTLS, proc2, &err);
	w(VMCS_EXIT_CTLS, exit, &err);
	w(VMCS_ENTRY_CTLS, entry, &err);
	w(VMCS_EXCEPTION_BITMAP, 0, &err);
	w(VMCS_PF_ERR_MASK, 0, &err);
	w(VMCS_PF_ERR_MATCH, 0, &err);
	w(VMCS_CR3_TARGET_COUNT, 0, &err);
	w(VMCS_EXIT_MSR_STORE_COUNT, 0, &err);
	w(VMCS_EXIT_MSR_LOAD_COUNT, 0, &err);
	w(VMCS_ENTRY_MSR_LOAD_COUNT, 0, &err);
	w(VMCS_ENTRY_INTR_INFO, 0, &err);
	w(VMCS_IO_BITMAP_A, io_bitmap_a, &err);
	w(VMCS_IO_BITMAP_B, io_bitmap_b, &err);
	w(VMCS_MSR_BITMAP, vm->msr_bitmap, &err);
	w(VMCS_EPT_POINTER, vm->eptp, &err);
	if (proc2 & PROC2_ENABLE_VPID)
		w(VMCS_VPID, vm->vpid, &err);
	w(VMCS_TSC_OFFSET, 0, &err);
	if (pin & PIN_PREEMPTION_TIMER)
		w(VMCS_PREEMPTION_TIMER, slice, &err);
	msr_bitmap_build((u8 *)(uintptr_t)vm->msr_bitmap, (exit & EXIT_SAVE_PAT) && (entry & ENTRY_LOAD_PAT));
	vmcs_write_host_state();
	write_guest_state(c, e, &err);
	if (err) {
		snprintf(why, n, "VMWRITE of field 0x%x failed (VM-instruction error %llu)", err,
			 vmread(VMCS_INSTR_ERROR));
		return -1;
	}
	return 0;
}
