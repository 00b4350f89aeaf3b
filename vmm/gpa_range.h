/* vmm/gpa_range.h: guest-physical ranges with holes cut out of them: what is left of a range once
 * every hole (a VM's identity alias, the RMRR ranges its devices' DMA domain maps) is removed, each
 * piece rounded inwards to an alignment. Pure: host unit tests use the same code (vpci_acpi.c builds
 * the PCI host bridge's memory windows with it). */
#ifndef MOAT_GPA_RANGE_H
#define MOAT_GPA_RANGE_H

#include "../kernel/types.h"

struct gpa_range {
	u64 base, end; /* [base, end); empty when end <= base */
};

/* Appends to out[*n] (at most max entries in all) the pieces of r that no hole covers, in address
 * order, each rounded inwards to align (a power of two); pieces that vanish are dropped. Holes may
 * overlap each other, r, or nothing, in any order. Returns how many pieces did not fit (0: all did). */
u32 gpa_range_subtract(struct gpa_range r, const struct gpa_range *holes, u32 nholes, u64 align,
		       struct gpa_range *out, u32 *n, u32 max);

#endif
