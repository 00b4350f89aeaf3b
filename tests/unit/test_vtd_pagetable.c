/* tests/unit/test_vtd_pagetable.c: the VT-d second-level table builder (iommu/sl_table.c) over a
 * fake physical memory: every depth, superpages, unmap splitting superpages, permission bits,
 * refusals, rollback, out-of-memory and teardown. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "iommu/sl_table.h"
#include "iommu/vtd_regs.h"

#define FAKE_BASE 0x10000000ULL /* fake physical address of table page 0 */
#define FAKE_PAGES 4096

struct fake_mem {
	unsigned char *pages;
	bool used[FAKE_PAGES];
	unsigned live, fail_after, flushes;
};

static u64 fake_alloc(void *ctx)
{
	struct fake_mem *m = ctx;
	if (m->fail_after == 0)
		return 0;
	m->fail_after--;
	for (unsigned i = 0; i < FAKE_PAGES; i++) {
		if (!m->used[i]) {
			m->used[i] = true;
			m->live++;
			memset(m->pages + (size_t)i * PAGE_SIZE, 0, PAGE_SIZE);
			return FAKE_BASE + (u64)i * PAGE_SIZE;
		}
	}
	return 0;
}

static void fake_free(void *ctx, u64 phys)
{
	struct fake_mem *m = ctx;
	unsigned i = (unsigned)((phys - FAKE_BASE) / PAGE_SIZE);
	CHECK(phys >= FAKE_BASE && i < FAKE_PAGES && m->used[i]);
	m->used[i] = false;
	m->live--;
}

static void *fake_ptr(void *ctx, u64 phys)
{
	struct fake_mem *m = ctx;
	CHECK(phys >= FAKE_BASE && phys < FAKE_BASE + (u64)FAKE_PAGES * PAGE_SIZE);
	return m->pages + (phys - FAKE_BASE);
}

static void fake_flush(void *ctx, const void *p, size_t len)
{
	struct fake_mem *m = ctx;
	(void)p;
	(void)len;
	m->flushes++;
}

static struct fake_mem mem;
static struct sl_ops ops;

static void fresh(void)
{
	if (!mem.pages)
		mem.pages = aligned_alloc(PAGE_SIZE, (size_t)FAKE_PAGES * PAGE_SIZE);
	memset(mem.used, 0, sizeof(mem.used));
	mem.live = mem.flushes = 0;
	mem.fail_after = ~0u;
	ops = (struct sl_ops){fake_alloc, fake_free, fake_ptr, fake_flush, &mem};
}

/* Walks every present entry: non-leaf entries are R|W with no PS above level 3 and no bit 11;
 * leaves never carry reserved bits (SNP, bits 52+). Returns the number of leaves. */
static unsigned check_entries(struct sl_table *t, u64 phys, unsigned level)
{
	u64 *tab = fake_ptr(&mem, phys);
	unsigned leaves = 0;
	for (unsigned i = 0; i < VTD_SL_ENTRIES; i++) {
		u64 e = tab[i];
		if (!e)
			continue;
		CHECK((e & BIT(11)) == 0);
		CHECK((e >> 52) == 0);
		CHECK((e & (VTD_SL_R | VTD_SL_W)) != 0);
		bool leaf = level == 1 || (e & VTD_SL_PS);
		if (leaf) {
			CHECK(level <= 3);
			leaves++;
		} else {
			CHECK((e & (VTD_SL_R | VTD_SL_W)) == (VTD_SL_R | VTD_SL_W));
			leaves += check_entries(t, e & VTD_SL_ADDR_MASK, level - 1);
		}
	}
	return leaves;
}

static void sl_init_limits(void)
{
	struct sl_table t;
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 2, 30, true, true), -1);
	CHECK_EQ(sl_init(&t, &ops, 6, 48, true, true), -1);
	CHECK_EQ(sl_init(&t, &ops, 3, 48, true, true), -1); /* 3 levels translate 39 bits */
	CHECK_EQ(sl_init(&t, &ops, 4, 48, true, true), 0);
	CHECK_EQ(t.table_pages, 1);
	sl_destroy(&t);
	CHECK_EQ(mem.live, 0);
	mem.fail_after = 0;
	CHECK_EQ(sl_init(&t, &ops, 3, 39, true, true), -1);
}

static void sl_every_depth(void)
{
	for (unsigned levels = 3; levels <= 5; levels++) {
		struct sl_table t;
		fresh();
		unsigned aw = VTD_SL_AW_FOR_LEVELS(levels);
		CHECK_EQ(sl_init(&t, &ops, levels, aw, false, false), 0);
		u64 iova = (1ULL << (aw - 1)) + 0x5000; /* uses the top index bit */
		CHECK_EQ(sl_map(&t, iova, 0x7654000, PAGE_SIZE, SL_PERM_RW), 0);
		CHECK_EQ(t.table_pages, levels); /* the root and one table per lower level */
		u32 perms = 0;
		u64 ps = 0;
		CHECK_EQ(sl_lookup(&t, iova + 0x123, &perms, &ps), 0x7654123);
		CHECK_EQ(perms, SL_PERM_RW);
		CHECK_EQ(ps, PAGE_SIZE);
		CHECK_EQ(sl_lookup(&t, iova + PAGE_SIZE, NULL, NULL), ~0ULL);
		CHECK_EQ(sl_lookup(&t, iova - PAGE_SIZE, NULL, NULL), ~0ULL);
		/* the last page below the width maps; the first beyond it does not */
		u64 top = (1ULL << aw) - PAGE_SIZE;
		CHECK_EQ(sl_map(&t, top, 0x1000000, PAGE_SIZE, SL_PERM_R), 0);
		CHECK_EQ(sl_map(&t, 1ULL << aw, 0x1000000, PAGE_SIZE, SL_PERM_R), -1);
		CHECK_EQ(sl_map(&t, top, 0x1000000, 2 * PAGE_SIZE, SL_PERM_R), -1);
		CHECK_EQ(check_entries(&t, t.root, levels), 2);
		CHECK(mem.flushes > 0);
		sl_destroy(&t);
		CHECK_EQ(mem.live, 0);
	}
}

static void sl_superpages(void)
{
	struct sl_table t;
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 4, 48, true, true), 0);
	u64 ps = 0;
	/* 1 GiB: one entry at level 3 */
	CHECK_EQ(sl_map(&t, GiB(4), GiB(2), GiB(1), SL_PERM_RW), 0);
	CHECK_EQ(t.table_pages, 2);
	CHECK_EQ(sl_lookup(&t, GiB(4) + 0x12345678, NULL, &ps), GiB(2) + 0x12345678);
	CHECK_EQ(ps, SL_PAGE_1G);
	/* 2 MiB where the addresses are only 2 MiB aligned */
	CHECK_EQ(sl_map(&t, GiB(8) + MiB(2), MiB(6), MiB(4), SL_PERM_R), 0);
	CHECK_EQ(sl_lookup(&t, GiB(8) + MiB(5), NULL, &ps), MiB(9));
	CHECK_EQ(ps, SL_PAGE_2M);
	/* mixed: a 4 KiB head, 2 MiB pages, a 4 KiB tail */
	u64 iova = GiB(16) + MiB(2) - PAGE_SIZE, hpa = GiB(1) + MiB(2) - PAGE_SIZE;
	CHECK_EQ(sl_map(&t, iova, hpa, MiB(4) + 2 * PAGE_SIZE, SL_PERM_RW), 0);
	CHECK_EQ(sl_lookup(&t, iova, NULL, &ps), hpa);
	CHECK_EQ(ps, PAGE_SIZE);
	CHECK_EQ(sl_lookup(&t, iova + PAGE_SIZE, NULL, &ps), hpa + PAGE_SIZE);
	CHECK_EQ(ps, SL_PAGE_2M);
	CHECK_EQ(sl_lookup(&t, iova + MiB(4) + PAGE_SIZE, NULL, &ps), hpa + MiB(4) + PAGE_SIZE);
	CHECK_EQ(ps, PAGE_SIZE);
	/* addresses that disagree on alignment never use superpages */
	CHECK_EQ(sl_map(&t, GiB(32), MiB(2) + PAGE_SIZE, MiB(2), SL_PERM_RW), 0);
	CHECK_EQ(sl_lookup(&t, GiB(32), NULL, &ps), MiB(2) + PAGE_SIZE);
	CHECK_EQ(ps, PAGE_SIZE);
	check_entries(&t, t.root, 4);
	sl_destroy(&t);
	CHECK_EQ(mem.live, 0);

	/* no superpage support: 1 GiB costs 512 page tables */
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 3, 39, false, false), 0);
	CHECK_EQ(sl_map(&t, GiB(1), GiB(1), GiB(1), SL_PERM_RW), 0);
	CHECK_EQ(t.table_pages, 1 + 1 + 512);
	CHECK_EQ(sl_lookup(&t, GiB(2) - 1, NULL, &ps), GiB(2) - 1);
	CHECK_EQ(ps, PAGE_SIZE);
	sl_destroy(&t);
	CHECK_EQ(mem.live, 0);

	/* only 2 MiB support: 1 GiB is 512 PD entries in one table */
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 3, 39, true, false), 0);
	CHECK_EQ(sl_map(&t, GiB(1), GiB(1), GiB(1), SL_PERM_RW), 0);
	CHECK_EQ(t.table_pages, 2);
	sl_destroy(&t);
}

static void sl_unmap_splits(void)
{
	struct sl_table t;
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 4, 48, true, true), 0);
	CHECK_EQ(sl_map(&t, GiB(1), GiB(3), GiB(1), SL_PERM_R), 0);
	CHECK_EQ(t.table_pages, 2);
	/* one 4 KiB page out of the 1 GiB page: split to 2 MiB, then to 4 KiB */
	CHECK_EQ(sl_unmap(&t, GiB(1) + MiB(6) + 0x3000, PAGE_SIZE), 0);
	CHECK_EQ(t.table_pages, 4);
	u64 ps = 0;
	u32 perms = 0;
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(6) + 0x3000, NULL, NULL), ~0ULL);
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(6) + 0x2fff, &perms, &ps), GiB(3) + MiB(6) + 0x2fff);
	CHECK_EQ(ps, PAGE_SIZE);
	CHECK_EQ(perms, SL_PERM_R); /* the split keeps the permissions */
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(6) + 0x4000, NULL, &ps), GiB(3) + MiB(6) + 0x4000);
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(8), NULL, &ps), GiB(3) + MiB(8));
	CHECK_EQ(ps, SL_PAGE_2M);
	CHECK_EQ(sl_lookup(&t, GiB(2) - 1, NULL, &ps), GiB(4) - 1);
	CHECK_EQ(check_entries(&t, t.root, 4), 511 + 511); /* 2 MiB leaves + 4 KiB leaves */
	/* a whole 2 MiB page goes without a split; unmapping holes is fine */
	CHECK_EQ(sl_unmap(&t, GiB(1) + MiB(10), MiB(2)), 0);
	CHECK_EQ(t.table_pages, 4);
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(11), NULL, NULL), ~0ULL);
	CHECK_EQ(sl_unmap(&t, GiB(100), MiB(4)), 0);
	/* a page can be mapped again where a split left an empty table */
	CHECK_EQ(sl_map(&t, GiB(1) + MiB(6) + 0x3000, 0x9000, PAGE_SIZE, SL_PERM_W), 0);
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(6) + 0x3000, &perms, NULL), 0x9000);
	CHECK_EQ(perms, SL_PERM_W);
	/* out of memory for a split: refused */
	mem.fail_after = 0;
	CHECK_EQ(sl_unmap(&t, GiB(1) + MiB(20) + PAGE_SIZE, PAGE_SIZE), -1);
	CHECK_EQ(sl_lookup(&t, GiB(1) + MiB(20) + PAGE_SIZE, NULL, NULL), GiB(3) + MiB(20) + PAGE_SIZE);
	mem.fail_after = ~0u;
	/* everything */
	CHECK_EQ(sl_unmap(&t, GiB(1), GiB(1)), 0);
	CHECK_EQ(check_entries(&t, t.root, 4), 0);
	sl_destroy(&t);
	CHECK_EQ(mem.live, 0);
}

static void sl_permissions_and_refusals(void)
{
	struct sl_table t;
	fresh();
	CHECK_EQ(sl_init(&t, &ops, 3, 39, true, true), 0);
	CHECK_EQ(sl_map(&t, 0x1000, 0x2000, PAGE_SIZE, SL_PERM_R), 0);
	CHECK_EQ(sl_map(&t, 0x2000, 0x3000, PAGE_SIZE, SL_PERM_W), 0);
	CHECK_EQ(sl_map(&t, 0x3000, 0x4000, PAGE_SIZE, SL_PERM_RW), 0);
	u32 p = 0;
	sl_lookup(&t, 0x1000, &p, NULL);
	CHECK_EQ(p, SL_PERM_R);
	sl_lookup(&t, 0x2000, &p, NULL);
	CHECK_EQ(p, SL_PERM_W);
	sl_lookup(&t, 0x3000, &p, NULL);
	CHECK_EQ(p, SL_PERM_RW);
	/* bad arguments */
	CHECK_EQ(sl_map(&t, 0x5000, 0x4000, PAGE_SIZE, 0), -1);
	CHECK_EQ(sl_map(&t, 0x5000, 0x4000, PAGE_SIZE, BIT(2)), -1);
	CHECK_EQ(sl_map(&t, 0x5001, 0x4000, PAGE_SIZE, SL_PERM_R), -1);
	CHECK_EQ(sl_map(&t, 0x5000, 0x4001, PAGE_SIZE, SL_PERM_R), -1);
	CHECK_EQ(sl_map(&t, 0x5000, 0x4000, 0, SL_PERM_R), -1);
	CHECK_EQ(sl_map(&t, 0x5000, 1ULL << 52, PAGE_SIZE, SL_PERM_R), -1);
	CHECK_EQ(sl_unmap(&t, 0x5001, PAGE_SIZE), -1);
	/* overlap: refused and rolled back (0x5000..0x7fff must stay unmapped) */
	CHECK_EQ(sl_map(&t, 0x5000, 0x10000, 0x4000, SL_PERM_RW), 0);
	CHECK_EQ(sl_map(&t, 0x9000, 0x20000, 0x4000, SL_PERM_RW), 0);
	CHECK_EQ(sl_map(&t, 0xd000, 0x30000, 0x4000, SL_PERM_RW), 0);
	CHECK_EQ(sl_unmap(&t, 0x5000, 0x4000), 0);
	CHECK_EQ(sl_map(&t, 0x5000, 0x40000, 0x5000, SL_PERM_RW), -1); /* hits 0x9000 */
	CHECK_EQ(sl_lookup(&t, 0x5000, NULL, NULL), ~0ULL);
	CHECK_EQ(sl_lookup(&t, 0x8000, NULL, NULL), ~0ULL);
	CHECK_EQ(sl_lookup(&t, 0x9000, NULL, NULL), 0x20000);
	/* a superpage over existing small pages is refused, not merged */
	CHECK_EQ(sl_map(&t, 0, MiB(2), MiB(2), SL_PERM_RW), -1);
	CHECK_EQ(sl_lookup(&t, 0, NULL, NULL), ~0ULL);
	/* small pages under an existing superpage are refused */
	CHECK_EQ(sl_map(&t, MiB(4), MiB(4), MiB(2), SL_PERM_RW), 0);
	CHECK_EQ(sl_map(&t, MiB(4) + PAGE_SIZE, 0x1000, PAGE_SIZE, SL_PERM_RW), -1);
	/* out of memory half-way: nothing of that call stays mapped */
	mem.fail_after = 1;
	CHECK_EQ(sl_map(&t, GiB(3) + MiB(2) - PAGE_SIZE, 0x800000 - PAGE_SIZE, MiB(4), SL_PERM_RW), -1);
	CHECK_EQ(sl_lookup(&t, GiB(3) + MiB(2) - PAGE_SIZE, NULL, NULL), ~0ULL);
	CHECK_EQ(sl_lookup(&t, GiB(3) + MiB(2), NULL, NULL), ~0ULL);
	mem.fail_after = ~0u;
	sl_destroy(&t);
	CHECK_EQ(mem.live, 0);
}

static const struct unit_test vtd_pagetable_tests[] = {
	UNIT_TEST(sl_init_limits),   UNIT_TEST(sl_every_depth),
	UNIT_TEST(sl_superpages),    UNIT_TEST(sl_unmap_splits),
	UNIT_TEST(sl_permissions_and_refusals),
};
UNIT_SUITE(vtd_pagetable_suite, vtd_pagetable_tests);
