/* vmm/vlapic_mmio.c: a Linux VM's xAPIC page at 0xFEE00000. It is never mapped in the VM's EPT
 * (nothing of the real APIC is ever reachable): each access is an EPT violation, which lands here
 * once the guest has put its APIC in xAPIC mode. The instruction is decoded (mmio_decode.c: 32-bit
 * MOV only), the register read or written in vlapic.c, and the instruction skipped. In any other
 * mode, and for any other form, the access stops the VM with the EPT-violation report, as before. */
#include "vplat.h"
#include "mmio_decode.h"

#define EPTV_WRITE BIT(1)
#define XAPIC_REG_ALIGN 16U

bool vplat_mmio(struct vm *vm, u64 gpa, const struct exit_info *x, enum exit_action *a)
{
	struct vlapic *l = &vm->plat->lapic;
	if (gpa < VLAPIC_XAPIC_GPA || gpa >= VLAPIC_XAPIC_GPA + PAGE_SIZE || !vlapic_xapic_mode(l))
		return false;
	struct mmio_insn in;
	if (!mmio_decode(vm, x->rip, &in) || in.size != sizeof(u32) || in.write != !!(x->qual & EPTV_WRITE))
		return false;
	u32 off = (u32)(gpa - VLAPIC_XAPIC_GPA);
	bool aligned = off % XAPIC_REG_ALIGN == 0;
	if (in.write) {
		u32 v = in.has_imm ? (u32)in.imm : (u32)exit_get_gpr(vm, in.reg);
		if (aligned)
			vlapic_mmio_write(l, off, v);
	} else {
		exit_set_gpr(vm, in.reg, aligned ? vlapic_mmio_read(l, off) : 0); /* 32-bit load: zero-extended */
	}
	vm->plat->exits_mmio++;
	struct exit_info done = *x;
	done.len = in.len;
	*a = exit_skip(&done);
	return true;
}
