/* vmm/exit_msr.c: MSR policy (see exit_msr.h). RDMSR/WRMSR of an MSR outside the allow-list
 * injects #GP, as a CPU without that MSR would. */
#include "exit_msr.h"
#include "vm_exit.h"
#include "vmcs_fields.h"
#include "vplat.h"
#include "../kernel/cpu.h"
#include "../kernel/string.h"

#define MSR_IA32_TSC 0x10
#define MSR_IA32_SYSENTER_CS 0x174
#define MSR_IA32_SYSENTER_ESP 0x175
#define MSR_IA32_SYSENTER_EIP 0x176
#define MSR_IA32_MISC_ENABLE 0x1a0
#define MSR_IA32_MTRRCAP 0xfe
#define MSR_IA32_MTRR_DEF_TYPE 0x2ff
#define MSR_IA32_PLATFORM_ID 0x17
#define MSR_IA32_BIOS_SIGN_ID 0x8b
#define MISC_ENABLE_FAST_STRINGS BIT(0)
#define MISC_ENABLE_BTS_UNAVAILABLE BIT(11)
#define MISC_ENABLE_PEBS_UNAVAILABLE BIT(12)
#define MTRR_DEF_TYPE_ENABLED_WB 0xc06 /* MTRRs on, fixed on, default write-back */

#define BITMAP_READ_LOW 0
#define BITMAP_READ_HIGH 1024
#define BITMAP_WRITE_LOW 2048
#define BITMAP_WRITE_HIGH 3072
#define MSR_HIGH_BASE 0xc0000000U
#define MSR_RANGE 0x2000U

const u32 msr_switched[5] = {MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR, MSR_IA32_FMASK,
			     MSR_IA32_KERNEL_GS_BASE};

/* Passed through for reads and writes: saved per VM by the VMCS or by the VM switch. */
static const u32 pass_rw[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_KERNEL_GS_BASE, MSR_IA32_STAR, MSR_IA32_LSTAR, MSR_IA32_CSTAR,
	MSR_IA32_FMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_EFER,
};

static void allow(u8 *bm, u32 msr, bool read, bool write)
{
	u32 base = msr >= MSR_HIGH_BASE ? msr - MSR_HIGH_BASE : msr;
	u32 rd = msr >= MSR_HIGH_BASE ? BITMAP_READ_HIGH : BITMAP_READ_LOW;
	u32 wr = msr >= MSR_HIGH_BASE ? BITMAP_WRITE_HIGH : BITMAP_WRITE_LOW;
	if (base >= MSR_RANGE)
		return;
	if (read)
		bm[rd + base / 8] &= (u8)~(1U << (base % 8));
	if (write)
		bm[wr + base / 8] &= (u8)~(1U << (base % 8));
}

void msr_bitmap_build(u8 *bm, bool pat_switched)
{
	memset(bm, 0xff, PAGE_SIZE);
	for (u32 i = 0; i < ARRAY_SIZE(pass_rw); i++)
		allow(bm, pass_rw[i], true, true);
	allow(bm, MSR_IA32_TSC, true, false);
	if (pat_switched)
		allow(bm, MSR_IA32_PAT, true, true);
}

/* Emulated reads: fixed values describing a plain CPU. */
static bool emulated_read(u32 msr, u64 *v)
{
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		*v = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE | MISC_ENABLE_PEBS_UNAVAILABLE;
		return true;
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
		*v = 0;
		return true;
	case MSR_IA32_MTRR_DEF_TYPE:
		*v = MTRR_DEF_TYPE_ENABLED_WB;
		return true;
	default:
		return false;
	}
}

enum exit_action exit_rdmsr(struct vm *vm, const struct exit_info *x)
{
	u32 msr = (u32)vm->vcpu.regs.rcx;
	u64 v;
	bool gp = false;
	if (vm->plat && vplat_rdmsr(vm, msr, &v, &gp)) { /* a Linux VM's APIC (vlapic.c) */
		if (gp)
			return exit_inject_gp(vm);
	} else if (!emulated_read(msr, &v)) {
		return exit_inject_gp(vm);
	}
	vm->vcpu.regs.rax = (u32)v;
	vm->vcpu.regs.rdx = v >> 32;
	return exit_skip(x);
}

enum exit_action exit_wrmsr(struct vm *vm, const struct exit_info *x)
{
	u32 msr = (u32)vm->vcpu.regs.rcx;
	struct guest_regs *g = &vm->vcpu.regs;
	bool gp = false;
	if (vm->plat && vplat_wrmsr(vm, msr, ((u64)(u32)g->rdx << 32) | (u32)g->rax, &gp))
		return gp ? exit_inject_gp(vm) : exit_skip(x);
	/* BIOS_SIGN_ID is written before a microcode revision read: accepted and ignored. */
	if (msr == MSR_IA32_BIOS_SIGN_ID)
		return exit_skip(x);
	return exit_inject_gp(vm);
}
