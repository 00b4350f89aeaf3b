/* vmm/mmio_decode.h: decoding the guest instruction behind an MMIO exit (mmio_decode.c): only the
 * 32-bit MOV forms a Linux kernel uses for its local APIC. */
#ifndef MOAT_MMIO_DECODE_H
#define MOAT_MMIO_DECODE_H

#include "vm.h"

struct mmio_insn {
	u32 len;      /* instruction length, to skip it */
	bool write;   /* store to memory */
	bool has_imm; /* the value stored is imm, not register reg */
	u32 reg;      /* general register (0 = RAX ... 15 = R15): source of a store, target of a load */
	u32 imm;
};

/* Decodes the instruction at the guest's rip. false: not a form Moat emulates, or unreadable. */
bool mmio_decode(const struct vm *vm, u64 rip, struct mmio_insn *out);

#endif
