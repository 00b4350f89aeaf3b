/* vmm/vmsix.h: the MSI-X table and PBA an assigned device's guest sees (issue 8), as pure state and
 * decisions (vmsix.c; host unit tests in tests/unit/test_vmsix.c). The guest's entries (address, data,
 * vector control) live in a shadow table and never reach the device; an access to the trapped page(s)
 * is classified as table, PBA or "other register on the same page" (to be forwarded to the device
 * with the same size). A write that unmasks an entry whose address is in the interrupt window asks
 * for the real entry to be programmed with Moat's remappable message (one IRTE per vector); masking
 * asks for the real entry to be masked. Wired into the EPT-violation path by vpci_msix.c. */
#ifndef MOAT_VMSIX_H
#define MOAT_VMSIX_H

#include "../kernel/types.h"

#define VMSIX_ENTRY_SIZE 16
#define VMSIX_ADDR_LO 0
#define VMSIX_ADDR_HI 4
#define VMSIX_DATA 8
#define VMSIX_CTRL 12
#define VMSIX_CTRL_MASKED BIT(0)
#define VMSIX_MAX_ENTRIES 64 /* entries Moat emulates per device; a larger table is refused */

struct vmsix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

struct vmsix {
	u32 n;                  /* entries */
	u64 table_off, pba_off; /* offsets in their BARs (same BAR assumed by the caller per region) */
	struct vmsix_entry e[VMSIX_MAX_ENTRIES];
};

enum vmsix_region { VMSIX_TABLE, VMSIX_PBA, VMSIX_OTHER };
enum vmsix_act { VMSIX_NOTHING, VMSIX_PROGRAM, VMSIX_MASK, VMSIX_REFUSED };

/* Every entry masked, addresses and data zero (the state after reset). -1 if n is too large. */
int vmsix_init(struct vmsix *x, u32 n, u64 table_off, u64 pba_off);
enum vmsix_region vmsix_classify(const struct vmsix *x, u64 off, u32 size);
/* Table or PBA read (4-byte aligned dword): the shadow entry; the PBA reads 0 (nothing pending). */
u32 vmsix_read(const struct vmsix *x, u64 off);
/* Table or PBA write of one aligned dword. *entry is the entry the action is for. The PBA is read-only
 * (the write is ignored); misaligned or non-dword accesses are VMSIX_REFUSED. */
enum vmsix_act vmsix_write(struct vmsix *x, u64 off, u32 size, u32 val, u32 *entry);
/* The guest vector of an entry (its data's low byte). */
u8 vmsix_vector(const struct vmsix *x, u32 entry);

#endif
