/* vmm/vmsix.h: the MSI-X table and PBA an assigned device's guest sees (issue 8), as pure state and
 * decisions (vmsix.c; host unit tests in tests/unit/test_vmsix.c). The guest's entries (address, data,
 * vector control) live in a shadow table and never reach the device; an access to the trapped page(s)
 * is classified as table, PBA or "other register on the same page" (to be forwarded to the device
 * with the same size). The guest's Message Control (enable, function mask) is kept here too: an entry
 * is live when MSI-X is enabled, the function is not masked, the entry is unmasked and its address
 * is in the interrupt window. A live entry wants its real entry programmed with Moat's remappable
 * message (one IRTE per vector, vmsix_sync says when); any other state wants it masked, so that the
 * device keeps a message it would send in its own pending bit and sends it once the entry is
 * programmed again (the PBA the guest reads is the device's). Wired into the EPT-violation path by
 * vpci_msix.c; host tests in tests/unit/test_vmsix.c replay Linux's sequences. */
#ifndef MOAT_VMSIX_H
#define MOAT_VMSIX_H

#include "../kernel/types.h"

#define VMSIX_ENTRY_SIZE 16
#define VMSIX_ADDR_LO 0
#define VMSIX_ADDR_HI 4
#define VMSIX_DATA 8
#define VMSIX_CTRL 12
#define VMSIX_CTRL_MASKED BIT(0)
#define VMSIX_MSGCTL_FMASK BIT(14) /* Message Control: function mask */
#define VMSIX_MSGCTL_ENABLE BIT(15)
#define VMSIX_MSGCTL_GUEST (VMSIX_MSGCTL_FMASK | VMSIX_MSGCTL_ENABLE)
#define VMSIX_MAX_ENTRIES 64 /* entries Moat emulates per device; a larger table is refused */

struct vmsix_entry {
	u32 addr_lo, addr_hi, data, ctrl;
};

struct vmsix {
	u32 n;                  /* entries */
	u64 table_off, pba_off; /* offsets in their BARs (same BAR assumed by the caller per region) */
	u16 ctrl;               /* the guest's Message Control: VMSIX_MSGCTL_GUEST bits only */
	struct vmsix_entry e[VMSIX_MAX_ENTRIES];
};

enum vmsix_region { VMSIX_TABLE, VMSIX_PBA, VMSIX_OTHER };
enum vmsix_act { VMSIX_NOTHING, VMSIX_PROGRAM, VMSIX_MASK, VMSIX_REFUSED };

/* Every entry masked, addresses and data zero, MSI-X off (the state after reset). -1 if n is too
 * large. */
int vmsix_init(struct vmsix *x, u32 n, u64 table_off, u64 pba_off);
enum vmsix_region vmsix_classify(const struct vmsix *x, u64 off, u32 size);
/* Table or PBA read (4-byte aligned dword): the shadow entry; the PBA reads 0 here (vpci_msix.c
 * reads the device's PBA instead). */
u32 vmsix_read(const struct vmsix *x, u64 off);
/* Table or PBA write of one aligned dword. *entry is the entry the action is for. The vector-control
 * dword answers the entry's mask transition: VMSIX_PROGRAM on unmask (VMSIX_REFUSED when the address
 * is not an interrupt address), VMSIX_MASK on mask. Address and data writes answer VMSIX_NOTHING:
 * the caller asks vmsix_sync for an entry it has programmed (Linux masks an entry around such writes;
 * another guest may not). The PBA is read-only (the write is ignored); misaligned or non-dword
 * accesses are VMSIX_REFUSED. */
enum vmsix_act vmsix_write(struct vmsix *x, u64 off, u32 size, u32 val, u32 *entry);
/* The guest vector of an entry (its data's low byte). */
u8 vmsix_vector(const struct vmsix *x, u32 entry);
/* The guest wrote Message Control: keeps its enable and function mask (the size is the device's). */
void vmsix_set_control(struct vmsix *x, u16 ctrl);
/* Should a message of this entry reach the guest now (see above)? */
bool vmsix_live(const struct vmsix *x, u32 entry);
/* What the real entry needs after a guest write, given whether Moat has it programmed: VMSIX_PROGRAM
 * (live, not programmed), VMSIX_MASK (programmed, no longer live) or VMSIX_NOTHING. */
enum vmsix_act vmsix_sync(const struct vmsix *x, u32 entry, bool programmed);

#endif
