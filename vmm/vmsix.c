/* vmm/vmsix.c: shadow MSI-X table and PBA of an assigned device (see vmsix.h). */
#include "vmsix.h"
#include "../iommu/msi.h"

#define DWORD 4u
#define PBA_BITS_PER_QWORD 64u
#define QWORD 8u

int vmsix_init(struct vmsix *x, u32 n, u64 table_off, u64 pba_off)
{
	if (n == 0 || n > VMSIX_MAX_ENTRIES)
		return -1;
	x->n = n;
	x->table_off = table_off;
	x->pba_off = pba_off;
	x->ctrl = 0;
	for (u32 i = 0; i < VMSIX_MAX_ENTRIES; i++)
		x->e[i] = (struct vmsix_entry){0, 0, 0, VMSIX_CTRL_MASKED};
	return 0;
}

static bool addr_ok(const struct vmsix_entry *e)
{
	return (e->addr_lo & MSI_ADDR_WINDOW_MASK) == MSI_ADDR_BASE && !e->addr_hi;
}

static u64 pba_len(const struct vmsix *x) { return (x->n + PBA_BITS_PER_QWORD - 1) / PBA_BITS_PER_QWORD * QWORD; }

static bool inside(u64 off, u32 size, u64 base, u64 len) { return off >= base && off + size <= base + len; }

enum vmsix_region vmsix_classify(const struct vmsix *x, u64 off, u32 size)
{
	if (inside(off, size, x->table_off, (u64)x->n * VMSIX_ENTRY_SIZE))
		return VMSIX_TABLE;
	if (inside(off, size, x->pba_off, pba_len(x)))
		return VMSIX_PBA;
	return VMSIX_OTHER;
}

static u32 *field(struct vmsix *x, u64 off)
{
	u64 rel = off - x->table_off;
	struct vmsix_entry *e = &x->e[rel / VMSIX_ENTRY_SIZE];
	switch (rel % VMSIX_ENTRY_SIZE) {
	case VMSIX_ADDR_LO: return &e->addr_lo;
	case VMSIX_ADDR_HI: return &e->addr_hi;
	case VMSIX_DATA: return &e->data;
	default: return &e->ctrl;
	}
}

u32 vmsix_read(const struct vmsix *x, u64 off)
{
	if (off % DWORD || vmsix_classify(x, off, DWORD) != VMSIX_TABLE)
		return 0;
	return *field((struct vmsix *)x, off);
}

enum vmsix_act vmsix_write(struct vmsix *x, u64 off, u32 size, u32 val, u32 *entry)
{
	if (size != DWORD || off % DWORD)
		return VMSIX_REFUSED;
	enum vmsix_region r = vmsix_classify(x, off, size);
	if (r != VMSIX_TABLE)
		return r == VMSIX_PBA ? VMSIX_NOTHING : VMSIX_REFUSED;
	u32 i = (u32)((off - x->table_off) / VMSIX_ENTRY_SIZE);
	struct vmsix_entry *e = &x->e[i];
	*entry = i;
	u32 *f = field(x, off);
	if (f != &e->ctrl) {
		*f = val; /* takes effect at the next unmask (the guest must mask while changing an entry) */
		return VMSIX_NOTHING;
	}
	bool was = e->ctrl & VMSIX_CTRL_MASKED, now = val & VMSIX_CTRL_MASKED;
	e->ctrl = val & VMSIX_CTRL_MASKED; /* the other bits are reserved */
	if (was && !now) {
		if (!addr_ok(e))
			return VMSIX_REFUSED; /* not an interrupt address: the real entry stays masked */
		return VMSIX_PROGRAM;
	}
	return !was && now ? VMSIX_MASK : VMSIX_NOTHING;
}

void vmsix_set_control(struct vmsix *x, u16 ctrl) { x->ctrl = ctrl & VMSIX_MSGCTL_GUEST; }

bool vmsix_live(const struct vmsix *x, u32 entry)
{
	if (entry >= x->n || (x->ctrl & VMSIX_MSGCTL_GUEST) != VMSIX_MSGCTL_ENABLE)
		return false;
	const struct vmsix_entry *e = &x->e[entry];
	return !(e->ctrl & VMSIX_CTRL_MASKED) && addr_ok(e);
}

enum vmsix_act vmsix_sync(const struct vmsix *x, u32 entry, bool programmed)
{
	bool live = vmsix_live(x, entry);
	if (live && !programmed)
		return VMSIX_PROGRAM;
	return !live && programmed ? VMSIX_MASK : VMSIX_NOTHING;
}

u8 vmsix_vector(const struct vmsix *x, u32 entry)
{
	return entry < x->n ? (u8)(x->e[entry].data & MSI_DATA_VECTOR_MASK) : 0;
}
