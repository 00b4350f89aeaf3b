/* kernel/frame_owner.c: the frame ownership table (see frame_owner.h). */
#include "frame_owner.h"
#include "frame_alloc.h"
#include "log.h"
#include "spinlock.h"
#include "string.h"

static struct frame_record *table;
static u64 nframes;
static struct spinlock lock;

void frame_owner_init_with(struct frame_record *t, u64 n)
{
	table = t;
	nframes = n;
	memset(table, 0, n * sizeof(*table));
}

int frame_owner_init(u64 max_phys)
{
	u64 n = ALIGN_UP(max_phys, PAGE_SIZE) / PAGE_SIZE;
	u64 pages = ALIGN_UP(n * sizeof(struct frame_record), PAGE_SIZE) / PAGE_SIZE;
	u64 t = frame_alloc_contig(pages, 1, 0);
	if (!t) {
		pr_err("mem", "out of memory for the frame ownership table (%llu pages)", pages);
		return -1;
	}
	frame_owner_init_with((struct frame_record *)(uintptr_t)t, n);
	/* the table is Moat's own memory */
	for (u64 i = 0; i < pages; i++)
		table[t / PAGE_SIZE + i].owner = OWNER_MOAT;
	return 0;
}

static bool in_range(u64 phys, u64 pages)
{
	u64 first = phys / PAGE_SIZE;
	return table && phys % PAGE_SIZE == 0 && pages && first + pages >= first && first + pages <= nframes;
}

int frame_owner_assign(u64 phys, u64 pages, u16 owner, u8 perms)
{
	if (!in_range(phys, pages) || owner == OWNER_NONE) {
		pr_err("mem", "ownership: range 0x%llx +%llu pages is outside the table", phys, pages);
		return -1;
	}
	u64 first = phys / PAGE_SIZE;
	spin_lock(&lock);
	for (u64 i = 0; i < pages; i++) {
		if (table[first + i].owner != OWNER_NONE) {
			u16 cur = table[first + i].owner;
			spin_unlock(&lock);
			pr_err("mem", "ownership: frame 0x%llx already belongs to owner %u", (first + i) * PAGE_SIZE, cur);
			return -1;
		}
	}
	for (u64 i = 0; i < pages; i++)
		table[first + i] = (struct frame_record){.owner = owner, .perms = perms, .flags = 0};
	spin_unlock(&lock);
	return 0;
}

int frame_owner_mark_scrubbed(u64 phys, u64 pages, u16 owner)
{
	if (!frame_owner_allows(phys, pages, owner, 0))
		return -1;
	u64 first = phys / PAGE_SIZE;
	spin_lock(&lock);
	for (u64 i = 0; i < pages; i++)
		table[first + i].flags |= FRAME_REC_SCRUBBED;
	spin_unlock(&lock);
	return 0;
}

int frame_owner_release(u64 phys, u64 pages, u16 owner)
{
	if (!in_range(phys, pages))
		return -1;
	u64 first = phys / PAGE_SIZE;
	spin_lock(&lock);
	for (u64 i = 0; i < pages; i++) {
		const struct frame_record *r = &table[first + i];
		if (r->owner != owner) {
			spin_unlock(&lock);
			pr_err("mem", "ownership: frame 0x%llx released by owner %u but belongs to %u",
			       (first + i) * PAGE_SIZE, owner, r->owner);
			return -1;
		}
		if (owner >= OWNER_VM_FIRST && !(r->flags & FRAME_REC_SCRUBBED)) {
			spin_unlock(&lock);
			pr_err("mem", "ownership: frame 0x%llx of owner %u released before it was scrubbed and "
			       "invalidated: refused", (first + i) * PAGE_SIZE, owner);
			return -1;
		}
	}
	for (u64 i = 0; i < pages; i++)
		table[first + i] = (struct frame_record){.owner = OWNER_NONE, .perms = 0, .flags = FRAME_REC_SCRUBBED};
	spin_unlock(&lock);
	return 0;
}

int frame_owner_restrict(u64 phys, u64 pages, u16 owner, u8 perms)
{
	if (!frame_owner_allows(phys, pages, owner, 0))
		return -1;
	u64 first = phys / PAGE_SIZE;
	spin_lock(&lock);
	for (u64 i = 0; i < pages; i++)
		table[first + i].perms &= perms;
	spin_unlock(&lock);
	return 0;
}

u16 frame_owner_of(u64 phys)
{
	u64 f = phys / PAGE_SIZE;
	return table && f < nframes ? table[f].owner : OWNER_NONE;
}

u8 frame_owner_perms(u64 phys)
{
	u64 f = phys / PAGE_SIZE;
	return table && f < nframes ? table[f].perms : 0;
}

u8 frame_owner_flags(u64 phys)
{
	u64 f = phys / PAGE_SIZE;
	return table && f < nframes ? table[f].flags : 0;
}

u64 frame_owner_frames(void) { return nframes; }

u64 frame_owner_orphans(bool (*live)(void *ctx, u16 owner), void *ctx, u64 *first_bad)
{
	u64 bad = 0;
	u16 last = OWNER_NONE;
	bool last_ok = true;
	for (u64 i = 0; table && i < nframes; i++) {
		u16 o = table[i].owner;
		if (o < OWNER_VM_FIRST)
			continue;
		if (o != last) {
			last = o;
			last_ok = live(ctx, o);
		}
		if (!last_ok && !bad++ && first_bad)
			*first_bad = i * PAGE_SIZE;
	}
	return bad;
}

bool frame_owner_allows(u64 phys, u64 pages, u16 owner, u8 perms)
{
	if (!in_range(phys, pages))
		return false;
	u64 first = phys / PAGE_SIZE;
	for (u64 i = 0; i < pages; i++)
		if (table[first + i].owner != owner || (table[first + i].perms & perms) != perms)
			return false;
	return true;
}

u64 frame_owner_count(u16 owner)
{
	u64 n = 0;
	for (u64 i = 0; table && i < nframes; i++)
		n += table[i].owner == owner;
	return n;
}
