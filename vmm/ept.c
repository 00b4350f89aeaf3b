/* vmm/ept.c: the EPT builder (see ept.h). Levels are numbered 4 (PML4) down to 1 (PT); a leaf
 * at level 3 maps 1 GiB, at level 2 maps 2 MiB, at level 1 maps 4 KiB. */
#include "ept.h"
#include "../kernel/string.h"

#define LEVEL_SHIFT(l) (PAGE_SHIFT + 9 * ((l) - 1))
#define LEVEL_SIZE(l) (1ULL << LEVEL_SHIFT(l))
#define INDEX(gpa, l) (((gpa) >> LEVEL_SHIFT(l)) & (EPT_ENTRIES - 1))
#define TABLE_RIGHTS EPT_RWX /* non-leaf entries grant all; the leaf decides */

static u64 *table(const struct ept *e, u64 phys) { return (u64 *)e->ops.phys_to_ptr(e->ops.ctx, phys); }

int ept_init(struct ept *e, const struct ept_ops *ops, bool use_2m, bool use_1g)
{
	memset(e, 0, sizeof(*e));
	e->ops = *ops;
	e->use_2m = use_2m;
	e->use_1g = use_1g;
	e->root = ops->alloc_table(ops->ctx);
	if (!e->root)
		return -1;
	e->tables = 1;
	return 0;
}

static bool leaf_allowed(const struct ept *e, int level)
{
	return level == 1 || (level == 2 && e->use_2m) || (level == 3 && e->use_1g);
}

/* The largest page level usable for gpa/hpa with `left` bytes to map. */
static int pick_level(const struct ept *e, u64 gpa, u64 hpa, u64 left)
{
	for (int l = 3; l > 1; l--) {
		u64 sz = LEVEL_SIZE(l);
		if (leaf_allowed(e, l) && !(gpa & (sz - 1)) && !(hpa & (sz - 1)) && left >= sz)
			return l;
	}
	return 1;
}

static int map_one(struct ept *e, u64 gpa, u64 hpa, int leaf_level, u64 perms)
{
	u64 *t = table(e, e->root);
	for (int l = EPT_LEVELS; l > leaf_level; l--) {
		u64 *slot = &t[INDEX(gpa, l)];
		if (*slot & EPT_LARGE)
			return -1; /* already mapped by a larger page */
		if (!(*slot & EPT_RWX)) {
			u64 n = e->ops.alloc_table(e->ops.ctx);
			if (!n)
				return -1;
			e->tables++;
			*slot = n | TABLE_RIGHTS;
		}
		t = table(e, *slot & EPT_ADDR_MASK);
	}
	u64 *slot = &t[INDEX(gpa, leaf_level)];
	if (*slot & EPT_RWX)
		return -1; /* overlap */
	u64 type = perms & EPT_MAP_UC ? EPT_MEMTYPE_UC : EPT_MEMTYPE_WB;
	*slot = hpa | (perms & EPT_RWX) | (type << EPT_MEMTYPE_SHIFT) | (leaf_level > 1 ? EPT_LARGE : 0);
	return 0;
}

int ept_map(struct ept *e, u64 gpa, u64 hpa, u64 size, u64 perms)
{
	if (!e->root || !size || (gpa | hpa | size) & (PAGE_SIZE - 1) || !(perms & EPT_RWX) ||
	    gpa + size < gpa || gpa + size > EPT_GPA_LIMIT || hpa + size < hpa ||
	    hpa + size - 1 > (EPT_ADDR_MASK | (PAGE_SIZE - 1)))
		return -1;
	for (u64 done = 0; done < size;) {
		int l = pick_level(e, gpa + done, hpa + done, size - done);
		if (map_one(e, gpa + done, hpa + done, l, perms) != 0)
			return -1;
		done += LEVEL_SIZE(l);
	}
	return 0;
}

/* Clears the leaf that maps gpa; its size in *sz (4 KiB when nothing is mapped there). */
static int unmap_one(struct ept *e, u64 gpa, u64 end, u64 *sz)
{
	u64 *t = table(e, e->root);
	for (int l = EPT_LEVELS; l >= 1; l--) {
		u64 *slot = &t[INDEX(gpa, l)];
		*sz = LEVEL_SIZE(l);
		if (!(*slot & EPT_RWX)) {
			*sz = PAGE_SIZE;
			return 0;
		}
		if (l == 1 || (*slot & EPT_LARGE)) {
			if ((gpa & (*sz - 1)) || end - gpa < *sz)
				return -1;
			*slot = 0;
			return 0;
		}
		t = table(e, *slot & EPT_ADDR_MASK);
	}
	return 0;
}

int ept_unmap(struct ept *e, u64 gpa, u64 size)
{
	if (!e->root || (gpa | size) & (PAGE_SIZE - 1) || gpa + size < gpa || gpa + size > EPT_GPA_LIMIT)
		return -1;
	int rc = 0;
	for (u64 a = gpa, sz = PAGE_SIZE; a < gpa + size; a += sz)
		if (unmap_one(e, a, gpa + size, &sz) != 0) {
			rc = -1;
			sz = PAGE_SIZE;
		}
	return rc;
}

bool ept_translate(const struct ept *e, u64 gpa, u64 *hpa, u64 *perms)
{
	if (!e->root || gpa >= EPT_GPA_LIMIT)
		return false;
	const u64 *t = table(e, e->root);
	for (int l = EPT_LEVELS; l >= 1; l--) {
		u64 ent = t[INDEX(gpa, l)];
		if (!(ent & EPT_RWX))
			return false;
		if (l == 1 || (ent & EPT_LARGE)) {
			u64 sz = LEVEL_SIZE(l);
			*hpa = (ent & EPT_ADDR_MASK & ~(sz - 1)) | (gpa & (sz - 1));
			*perms = ent & EPT_RWX;
			return true;
		}
		t = table(e, ent & EPT_ADDR_MASK);
	}
	return false;
}

static void walk_level(const struct ept *e, u64 phys, int level, u64 base, void (*tab)(void *, u64),
		       void (*leaf)(void *, u64, u64, u64, u64), void *ctx)
{
	if (tab)
		tab(ctx, phys);
	const u64 *t = table(e, phys);
	for (int i = 0; i < EPT_ENTRIES; i++) {
		u64 ent = t[i], gpa = base + (u64)i * LEVEL_SIZE(level);
		if (!(ent & EPT_RWX))
			continue;
		if (level == 1 || (ent & EPT_LARGE)) {
			if (leaf)
				leaf(ctx, gpa, ent & EPT_ADDR_MASK & ~(LEVEL_SIZE(level) - 1), LEVEL_SIZE(level), ent & EPT_RWX);
		} else {
			walk_level(e, ent & EPT_ADDR_MASK, level - 1, gpa, tab, leaf, ctx);
		}
	}
}

void ept_walk(const struct ept *e, void (*tab)(void *ctx, u64 phys),
	      void (*leaf)(void *ctx, u64 gpa, u64 hpa, u64 size, u64 perms), void *ctx)
{
	if (e->root)
		walk_level(e, e->root, EPT_LEVELS, 0, tab, leaf, ctx);
}

static void free_level(struct ept *e, u64 phys, int level)
{
	u64 *t = table(e, phys);
	if (level > 1) {
		for (int i = 0; i < EPT_ENTRIES; i++)
			if ((t[i] & EPT_RWX) && !(t[i] & EPT_LARGE))
				free_level(e, t[i] & EPT_ADDR_MASK, level - 1);
	}
	memset(t, 0, PAGE_SIZE);
	e->ops.free_table(e->ops.ctx, phys);
	e->tables--;
}

void ept_destroy(struct ept *e)
{
	if (e->root)
		free_level(e, e->root, EPT_LEVELS);
	e->root = 0;
}

u64 ept_pointer(const struct ept *e, bool ad)
{
	return e->root | EPTP_MEMTYPE_WB | ((u64)(EPT_LEVELS - 1) << EPTP_WALK_LENGTH_SHIFT) | (ad ? EPTP_AD_ENABLE : 0);
}
