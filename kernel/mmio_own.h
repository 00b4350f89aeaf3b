/* kernel/mmio_own.h: the physical MMIO ranges Moat itself drives (PCI configuration windows, IOMMU
 * registers, ...), recorded as they are set up, so that nothing Moat hands out (a device BAR mapped
 * into a guest) can reach them. Knows nothing of VMs or devices: ranges and a name each. */
#ifndef MOAT_MMIO_OWN_H
#define MOAT_MMIO_OWN_H

#include "types.h"

#define MMIO_OWN_MAX 32
#define MMIO_OWN_NAME_MAX 48

/* Records [base, base + size) as Moat's, named `what` (copied, e.g. "VT-d unit 0 registers").
 * 0, or -1 when size is 0, the range wraps, or the table is full (one error line each): a caller
 * then treats the range as unusable by anyone else. */
int mmio_own_add(u64 base, u64 size, const char *what);

/* The first recorded range overlapping [base, base + size): its name and, in *own_base and
 * *own_size, its extent; NULL when none does. A wrapping query range overlaps everything. */
const char *mmio_own_overlap(u64 base, u64 size, u64 *own_base, u64 *own_size);

/* Forgets every range (tests only). */
void mmio_own_reset(void);

#endif
