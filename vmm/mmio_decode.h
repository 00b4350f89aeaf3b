/* vmm/mmio_decode.h: decoding the guest instruction behind an MMIO exit (mmio_decode.c): only the
 * MOV forms a Linux kernel uses for its local APIC (32-bit) and for device MMIO (32- or 64-bit). */
#ifndef MOAT_MMIO_DECODE_H
#define MOAT_MMIO_DECODE_H

#include "mmio_insn.h"
#include "vm.h"

/* Decodes the instruction at the guest's rip. false: not a form Moat emulates, or unreadable. */
bool mmio_decode(const struct vm *vm, u64 rip, struct mmio_insn *out);

#endif
