/* vmm/mmio_decode.h: decoding the guest instruction behind an MMIO exit (mmio_decode.c): only the
 * MOV forms a Linux kernel uses for its local APIC (32-bit) and for device MMIO (32- or 64-bit). */
#ifndef MOAT_MMIO_DECODE_H
#define MOAT_MMIO_DECODE_H

#include "vm.h"

struct mmio_insn {
	u32 len;      /* instruction length, to skip it */
	u32 size;     /* operand size in bytes: 4, or 8 with REX.W */
	bool write;   /* store to memory */
	bool has_imm; /* the value stored is imm, not register reg */
	u32 reg;      /* general register (0 = RAX ... 15 = R15): source of a store, target of a load */
	u64 imm;      /* imm32, sign-extended for an 8-byte store */
};

/* Decodes the instruction at the guest's rip. false: not a form Moat emulates, or unreadable. */
bool mmio_decode(const struct vm *vm, u64 rip, struct mmio_insn *out);

#endif
