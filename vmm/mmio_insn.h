/* vmm/mmio_insn.h: the pure decoder behind mmio_decode.c: from the instruction bytes alone, the MOV
 * forms Moat emulates for a guest's MMIO (a Linux VM's xAPIC page, an assigned device's MSI-X pages).
 * Host unit tests in tests/unit/test_mmio_insn.c play the forms Linux's readl/writel compile to. */
#ifndef MOAT_MMIO_INSN_H
#define MOAT_MMIO_INSN_H

#include "../kernel/types.h"

#define MMIO_INSN_MAX 15 /* the architectural limit of an x86 instruction */

struct mmio_insn {
	u32 len;      /* instruction length, to skip it */
	u32 size;     /* operand size in bytes: 4, or 8 with REX.W */
	bool write;   /* store to memory */
	bool has_imm; /* the value stored is imm, not register reg */
	u32 reg;      /* general register (0 = RAX ... 15 = R15): source of a store, target of a load */
	u64 imm;      /* imm32, sign-extended for an 8-byte store */
};

/* Decodes the n bytes at b (n may be short of MMIO_INSN_MAX when the next page is unreadable).
 * false: not a form Moat emulates, or the instruction runs past the n bytes. */
bool mmio_insn_decode(const u8 *b, u32 n, struct mmio_insn *out);

#endif
