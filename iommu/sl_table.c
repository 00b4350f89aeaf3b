/* iommu/sl_table.c: building and editing VT-d second-level page tables (see sl_table.h).
 * Level 1 holds 4 KiB leaves, level 2 may hold 2 MiB leaves, level 3 1 GiB leaves (entry PS). */
#include "sl_table.h"
#include "vtd_regs.h"

#define SL_NONLEAF (VTD_SL_R | VTD_SL_W) /* upper levels never restrict: the leaf decides */
#define SL_PERM_BITS (VTD_SL_R | VTD_SL_W)
#define SL_NO_ADDR (~0ULL)

static u64 level_size(u32 level) { return 1ULL << (PAGE_SHIFT + VTD_SL_LEVEL_BITS * (level - 1)); }
static u32 level_index(u64 iova, u32 level)
{
	return (u32)((iova >> (PAGE_SHIFT + VTD_SL_LEVEL_BITS * (level - 1))) & (VTD_SL_ENTRIES - 1));
}
static u64 *table(const struct sl_table *t, u64 phys) { return t->ops->ptr(t->ops->ctx, phys); }
static bool is_leaf(u64 e, u32 level) { return level == 1 || (e & VTD_SL_PS); }

static void flush(const struct sl_table *t, const void *p, size_t len)
{
	if (t->ops->flush)
		t->ops->flush(t->ops->ctx, p, len);
}

static void set_entry(const struct sl_table *t, u64 *slot, u64 v)
{
	*(volatile u64 *)slot = v;
	flush(t, slot, sizeof(*slot));
}

static u64 new_table(struct sl_table *t)
{
	u64 p = t->ops->alloc(t->ops->ctx);
	if (p)
		t->table_pages++;
	return p;
}

static u64 perm_bits(u32 perms) { return (perms & SL_PERM_R ? VTD_SL_R : 0) | (perms & SL_PERM_W ? VTD_SL_W : 0); }

int sl_init(struct sl_table *t, const struct sl_ops *ops, u32 levels, u32 aw, bool sp_2m, bool sp_1g)
{
	if (levels < VTD_SL_MIN_LEVELS || levels > VTD_SL_MAX_LEVELS || aw < VTD_SL_AW_FOR_LEVELS(2) ||
	    aw > VTD_SL_AW_FOR_LEVELS(levels))
		return -1;
	*t = (struct sl_table){.ops = ops, .levels = levels, .aw = aw, .sp_2m = sp_2m, .sp_1g = sp_1g};
	t->root = new_table(t);
	return t->root ? 0 : -1;
}

static bool range_ok(const struct sl_table *t, u64 iova, u64 size)
{
	u64 limit = 1ULL << t->aw;
	return size && iova % PAGE_SIZE == 0 && size % PAGE_SIZE == 0 && iova < limit && size <= limit - iova;
}

/* The largest leaf level usable for iova -> hpa with `left` bytes to go. */
static u32 leaf_level(const struct sl_table *t, u64 iova, u64 hpa, u64 left)
{
	if (t->sp_1g && (iova | hpa) % SL_PAGE_1G == 0 && left >= SL_PAGE_1G)
		return 3;
	if (t->sp_2m && (iova | hpa) % SL_PAGE_2M == 0 && left >= SL_PAGE_2M)
		return 2;
	return 1;
}

/* Maps one leaf at or below `want`; returns the bytes mapped, 0 on a conflict or no memory. */
static u64 map_one(struct sl_table *t, u64 iova, u64 hpa, u32 want, u64 bits)
{
	u64 *tab = table(t, t->root);
	for (u32 level = t->levels;; level--) {
		u64 *slot = &tab[level_index(iova, level)];
		if (level == want) {
			if (*slot) {
				/* an (emptied) table from an earlier split: go below it with smaller pages */
				if (level == 1 || is_leaf(*slot, level))
					return 0;
				want--;
			} else {
				set_entry(t, slot, hpa | bits | (level > 1 ? VTD_SL_PS : 0));
				return level_size(level);
			}
		}
		if (!*slot) {
			u64 n = new_table(t);
			if (!n)
				return 0;
			set_entry(t, slot, n | SL_NONLEAF);
		} else if (is_leaf(*slot, level)) {
			return 0; /* already mapped by a superpage */
		}
		tab = table(t, *slot & VTD_SL_ADDR_MASK);
	}
}

int sl_map(struct sl_table *t, u64 iova, u64 hpa, u64 size, u32 perms)
{
	if (!range_ok(t, iova, size) || hpa % PAGE_SIZE || !(perms & SL_PERM_RW) || (perms & ~SL_PERM_RW) ||
	    hpa + size < hpa || ((hpa + size - 1) & ~(VTD_SL_ADDR_MASK | (PAGE_SIZE - 1))))
		return -1;
	u64 bits = perm_bits(perms);
	for (u64 done = 0; done < size;) {
		u32 want = leaf_level(t, iova + done, hpa + done, size - done);
		u64 n = map_one(t, iova + done, hpa + done, want, bits);
		if (!n) {
			if (done)
				sl_unmap(t, iova, done); /* exactly what was mapped: no split needed */
			return -1;
		}
		done += n;
	}
	return 0;
}

/* Replaces the superpage at *slot (level > 1) by a table of next-level pages with the same
 * translation. 0, or -1 without memory. */
static int split(struct sl_table *t, u64 *slot, u32 level)
{
	u64 n = new_table(t);
	if (!n)
		return -1;
	u64 *sub = table(t, n);
	u64 base = *slot & VTD_SL_ADDR_MASK, bits = *slot & SL_PERM_BITS;
	u64 step = level_size(level - 1);
	for (u32 i = 0; i < VTD_SL_ENTRIES; i++)
		sub[i] = (base + i * step) | bits | (level - 1 > 1 ? VTD_SL_PS : 0);
	flush(t, sub, PAGE_SIZE);
	set_entry(t, slot, n | SL_NONLEAF);
	return 0;
}

int sl_unmap(struct sl_table *t, u64 iova, u64 size)
{
	if (!range_ok(t, iova, size))
		return -1;
	u64 end = iova + size;
	for (u64 a = iova; a < end;) {
		u64 *tab = table(t, t->root);
		for (u32 level = t->levels;; level--) {
			u64 *slot = &tab[level_index(a, level)];
			u64 span = level_size(level);
			u64 next = ALIGN_DOWN(a, span) + span;
			if (!*slot) {
				a = next; /* nothing mapped in this whole span */
				break;
			}
			if (is_leaf(*slot, level)) {
				if (a % span == 0 && next <= end) {
					set_entry(t, slot, 0);
					a = next;
					break;
				}
				if (split(t, slot, level) != 0)
					return -1;
			}
			tab = table(t, *slot & VTD_SL_ADDR_MASK);
		}
		if (a == 0)
			break; /* wrapped past the top of the address space */
	}
	return 0;
}

u64 sl_lookup(const struct sl_table *t, u64 iova, u32 *perms, u64 *page_size)
{
	if (iova >> t->aw)
		return SL_NO_ADDR;
	const u64 *tab = table(t, t->root);
	for (u32 level = t->levels;; level--) {
		u64 e = tab[level_index(iova, level)];
		if (!e)
			return SL_NO_ADDR;
		if (is_leaf(e, level)) {
			u64 span = level_size(level);
			if (perms)
				*perms = (e & VTD_SL_R ? SL_PERM_R : 0) | (e & VTD_SL_W ? SL_PERM_W : 0);
			if (page_size)
				*page_size = span;
			return (e & VTD_SL_ADDR_MASK & ~(span - 1)) + (iova & (span - 1));
		}
		tab = table(t, e & VTD_SL_ADDR_MASK);
	}
}

static void walk_level(const struct sl_table *t, u64 phys, u32 level, u64 base, void (*tab)(void *, u64),
		       void (*leaf)(void *, u64, u64, u64, u32), void *ctx)
{
	if (tab)
		tab(ctx, phys);
	const u64 *e = table(t, phys);
	for (u32 i = 0; i < VTD_SL_ENTRIES; i++) {
		u64 iova = base + (u64)i * level_size(level);
		if (!e[i])
			continue;
		if (is_leaf(e[i], level)) {
			u32 perms = (e[i] & VTD_SL_R ? SL_PERM_R : 0) | (e[i] & VTD_SL_W ? SL_PERM_W : 0);
			if (leaf)
				leaf(ctx, iova, e[i] & VTD_SL_ADDR_MASK & ~(level_size(level) - 1), level_size(level), perms);
		} else {
			walk_level(t, e[i] & VTD_SL_ADDR_MASK, level - 1, iova, tab, leaf, ctx);
		}
	}
}

void sl_walk(const struct sl_table *t, void (*tab)(void *ctx, u64 phys),
	     void (*leaf)(void *ctx, u64 iova, u64 hpa, u64 size, u32 perms), void *ctx)
{
	if (t->root)
		walk_level(t, t->root, t->levels, 0, tab, leaf, ctx);
}

static void free_level(struct sl_table *t, u64 phys, u32 level)
{
	u64 *tab = table(t, phys);
	for (u32 i = 0; level > 1 && i < VTD_SL_ENTRIES; i++)
		if (tab[i] && !is_leaf(tab[i], level))
			free_level(t, tab[i] & VTD_SL_ADDR_MASK, level - 1);
	t->ops->free(t->ops->ctx, phys);
	t->table_pages--;
}

void sl_destroy(struct sl_table *t)
{
	if (t->root)
		free_level(t, t->root, t->levels);
	t->root = 0;
}
