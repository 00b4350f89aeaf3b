/* tests/unit/test_ept.c: the EPT builder on a fake physical memory: page sizes chosen by
 * alignment and CPU support, translation, rights, write-back leaves, overlap and argument
 * refusal, running out of table frames, and every table freed on destroy. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "vmm/ept.h"

#define FAKE_FRAMES 64
#define FAKE_BASE 0x40000000ULL /* "physical" address of the fake table frames */

struct fake {
	unsigned char mem[FAKE_FRAMES][4096] __attribute__((aligned(4096)));
	bool used[FAKE_FRAMES];
	int limit; /* frames that may be handed out (-1: all) */
	int live;
};

static u64 fake_alloc(void *ctx)
{
	struct fake *f = ctx;
	if (f->limit == 0)
		return 0;
	for (int i = 0; i < FAKE_FRAMES; i++) {
		if (!f->used[i]) {
			f->used[i] = true;
			memset(f->mem[i], 0, 4096);
			f->live++;
			if (f->limit > 0)
				f->limit--;
			return FAKE_BASE + (u64)i * 4096;
		}
	}
	return 0;
}

static void fake_free(void *ctx, u64 phys)
{
	struct fake *f = ctx;
	int i = (int)((phys - FAKE_BASE) / 4096);
	CHECK(i >= 0 && i < FAKE_FRAMES && f->used[i]);
	f->used[i] = false;
	f->live--;
}

static void *fake_ptr(void *ctx, u64 phys)
{
	struct fake *f = ctx;
	return f->mem[(phys - FAKE_BASE) / 4096];
}

static struct fake *new_fake(void)
{
	struct fake *f = aligned_alloc(4096, sizeof(*f));
	memset(f, 0, sizeof(*f));
	f->limit = -1;
	return f;
}

static void setup(struct ept *e, struct fake *f, bool m2, bool g1)
{
	struct ept_ops ops = {fake_alloc, fake_free, fake_ptr, f};
	CHECK_EQ(ept_init(e, &ops, m2, g1), 0);
}

static void ept_2m_pages_for_aligned_ram(void)
{
	struct fake *f = new_fake();
	struct ept e;
	u64 hpa, perms;
	setup(&e, f, true, true);
	CHECK_EQ(ept_map(&e, 0, 0x200000, MiB(4), EPT_RWX), 0);
	CHECK_EQ(e.tables, 3); /* PML4, PDPT, one PD: two 2 MiB leaves */
	CHECK(ept_translate(&e, 0x123456, &hpa, &perms));
	CHECK_EQ(hpa, 0x323456);
	CHECK_EQ(perms, EPT_RWX);
	CHECK(ept_translate(&e, MiB(4) - 1, &hpa, &perms));
	CHECK_EQ(hpa, 0x200000 + MiB(4) - 1);
	CHECK(!ept_translate(&e, MiB(4), &hpa, &perms));
	const u64 *pd = fake_ptr(f, ((const u64 *)fake_ptr(f, ((const u64 *)fake_ptr(f, e.root))[0] & EPT_ADDR_MASK))[0] &
					    EPT_ADDR_MASK);
	CHECK(pd[0] & EPT_LARGE);
	CHECK_EQ((pd[0] >> EPT_MEMTYPE_SHIFT) & 7, EPT_MEMTYPE_WB);
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);
	free(f);
}

static void ept_4k_pages_when_unaligned_or_unsupported(void)
{
	struct fake *f = new_fake();
	struct ept e;
	u64 hpa, perms;
	setup(&e, f, true, true);
	/* host address only 4 KiB aligned: no large page possible */
	CHECK_EQ(ept_map(&e, 0, 0x201000, MiB(2), EPT_R | EPT_W), 0);
	CHECK_EQ(e.tables, 4); /* PML4, PDPT, PD, PT */
	CHECK(ept_translate(&e, 0x1fffff, &hpa, &perms));
	CHECK_EQ(hpa, 0x400fff);
	CHECK_EQ(perms, EPT_R | EPT_W);
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);

	setup(&e, f, false, false); /* a CPU without large EPT pages */
	CHECK_EQ(ept_map(&e, 0, 0x200000, MiB(4), EPT_RWX), 0);
	CHECK_EQ(e.tables, 5); /* two PTs */
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);
	free(f);
}

static void ept_1g_pages(void)
{
	struct fake *f = new_fake();
	struct ept e;
	u64 hpa, perms;
	setup(&e, f, true, true);
	CHECK_EQ(ept_map(&e, GiB(1), GiB(2), GiB(1) + MiB(2) + KiB(4), EPT_RWX), 0);
	/* PML4, PDPT (1 GiB leaf), PD (one 2 MiB leaf), PT (one 4 KiB leaf) */
	CHECK_EQ(e.tables, 4);
	CHECK(ept_translate(&e, GiB(1) + 0x12345678, &hpa, &perms));
	CHECK_EQ(hpa, GiB(2) + 0x12345678);
	CHECK(ept_translate(&e, GiB(2) + MiB(2), &hpa, &perms));
	CHECK_EQ(hpa, GiB(3) + MiB(2));
	CHECK(!ept_translate(&e, GiB(2) + MiB(2) + KiB(4), &hpa, &perms));
	CHECK(!ept_translate(&e, 0, &hpa, &perms));
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);
	free(f);
}

static void ept_refuses_bad_arguments_and_overlap(void)
{
	struct fake *f = new_fake();
	struct ept e;
	setup(&e, f, true, true);
	CHECK_EQ(ept_map(&e, 0x1000, 0x200000, 0, EPT_RWX), -1);           /* empty */
	CHECK_EQ(ept_map(&e, 0x1001, 0x200000, 0x1000, EPT_RWX), -1);      /* unaligned */
	CHECK_EQ(ept_map(&e, 0x1000, 0x200000, 0x1000, 0), -1);            /* no rights */
	CHECK_EQ(ept_map(&e, ~0xfffULL, 0x200000, 0x2000, EPT_RWX), -1);   /* wraps */
	CHECK_EQ(ept_map(&e, EPT_GPA_LIMIT, 0x200000, 0x1000, EPT_RWX), -1); /* beyond 48 bits */
	CHECK_EQ(ept_map(&e, 0, 1ULL << 52, 0x1000, EPT_RWX), -1);         /* beyond 52-bit HPA */
	CHECK_EQ(ept_map(&e, 0, 0x200000, MiB(2), EPT_RWX), 0);
	CHECK_EQ(ept_map(&e, 0x1000, 0x900000, 0x1000, EPT_RWX), -1);      /* inside a 2 MiB leaf */
	CHECK_EQ(ept_map(&e, MiB(2), 0x900000, 0x1000, EPT_RWX), 0);
	CHECK_EQ(ept_map(&e, MiB(2), 0xa00000, 0x1000, EPT_RWX), -1);      /* same 4 KiB page */
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);
	free(f);
}

static void ept_out_of_table_memory(void)
{
	struct fake *f = new_fake();
	struct ept e;
	f->limit = 2; /* root and a PDPT only */
	setup(&e, f, true, true);
	CHECK_EQ(ept_map(&e, 0, 0x200000, MiB(2), EPT_RWX), -1);
	ept_destroy(&e);
	CHECK_EQ(f->live, 0);
	f->limit = 0;
	struct ept_ops ops = {fake_alloc, fake_free, fake_ptr, f};
	CHECK_EQ(ept_init(&e, &ops, true, true), -1);
	free(f);
}

static void ept_pointer_format(void)
{
	struct fake *f = new_fake();
	struct ept e;
	setup(&e, f, true, true);
	u64 p = ept_pointer(&e, false);
	CHECK_EQ(p & 7, EPTP_MEMTYPE_WB);
	CHECK_EQ((p >> EPTP_WALK_LENGTH_SHIFT) & 7, 3);
	CHECK(!(p & EPTP_AD_ENABLE));
	CHECK_EQ(p & EPT_ADDR_MASK, e.root);
	CHECK(ept_pointer(&e, true) & EPTP_AD_ENABLE);
	ept_destroy(&e);
	free(f);
}

/* ept_unmap (BAR moves, vmm/vpci_bar.c): whole leaves only; EPT_MAP_UC gives memory type UC. */
static void ept_unmap_and_uncached(void)
{
	struct fake *f = new_fake();
	struct ept e;
	u64 hpa, perms;
	setup(&e, f, true, true);
	CHECK_EQ(ept_map(&e, GiB(3), 0xfebc0000ULL, KiB(128), EPT_R | EPT_W | EPT_MAP_UC), 0);
	CHECK(ept_translate(&e, GiB(3) + 0x1004, &hpa, &perms));
	CHECK_EQ(hpa, 0xfebc1004ULL);
	CHECK_EQ(perms, EPT_R | EPT_W);
	CHECK_EQ(ept_unmap(&e, GiB(3), KiB(128)), 0);
	CHECK(!ept_translate(&e, GiB(3), &hpa, &perms));
	CHECK_EQ(ept_map(&e, GiB(3), 0xfebc0000ULL, KiB(128), EPT_R | EPT_W), 0); /* the slot is free again */
	CHECK_EQ(ept_map(&e, 0, MiB(2), MiB(4), EPT_RWX), 0);                 /* two 2 MiB pages */
	CHECK_EQ(ept_unmap(&e, KiB(4), KiB(4)), -1);                          /* inside a 2 MiB page */
	CHECK(ept_translate(&e, KiB(4), &hpa, &perms));
	CHECK_EQ(ept_unmap(&e, 0, MiB(4)), 0);
	CHECK(!ept_translate(&e, MiB(3), &hpa, &perms));
	CHECK_EQ(ept_unmap(&e, KiB(1), KiB(4)), -1);                          /* unaligned */
	ept_destroy(&e);
	free(f);
}

struct walk_seen {
	u32 tables, leaves;
	u64 bytes, first_gpa, last_gpa, last_hpa, last_perms;
};

static void seen_table(void *ctx, u64 phys __attribute__((unused))) { ((struct walk_seen *)ctx)->tables++; }
static void seen_leaf(void *ctx, u64 gpa, u64 hpa, u64 size, u64 perms)
{
	struct walk_seen *w = ctx;
	if (!w->leaves++)
		w->first_gpa = gpa;
	w->bytes += size;
	w->last_gpa = gpa;
	w->last_hpa = hpa;
	w->last_perms = perms;
}

/* ept_walk (the SMM checker's view): every table once, every leaf with its size and rights. */
static void ept_walk_sees_every_table_and_leaf(void)
{
	struct fake *f = new_fake();
	struct ept e;
	struct walk_seen w = {0};
	setup(&e, f, true, false);
	CHECK_EQ(ept_map(&e, 0, 0x200000, MiB(2), EPT_RWX), 0);          /* one 2 MiB leaf */
	CHECK_EQ(ept_map(&e, GiB(1), 0x7000, 3 * PAGE_SIZE, EPT_R), 0); /* three 4 KiB leaves */
	ept_walk(&e, seen_table, seen_leaf, &w);
	CHECK_EQ(w.tables, e.tables);
	CHECK_EQ(w.leaves, 4);
	CHECK_EQ(w.bytes, MiB(2) + 3 * PAGE_SIZE);
	CHECK_EQ(w.first_gpa, 0);
	CHECK_EQ(w.last_gpa, GiB(1) + 2 * PAGE_SIZE);
	CHECK_EQ(w.last_hpa, 0x9000);
	CHECK_EQ(w.last_perms, EPT_R);
	ept_destroy(&e);
	free(f);
}

static const struct unit_test ept_tests[] = {
	UNIT_TEST(ept_2m_pages_for_aligned_ram), UNIT_TEST(ept_4k_pages_when_unaligned_or_unsupported),
	UNIT_TEST(ept_1g_pages), UNIT_TEST(ept_refuses_bad_arguments_and_overlap),
	UNIT_TEST(ept_out_of_table_memory), UNIT_TEST(ept_pointer_format),
    UNIT_TEST(ept_unmap_and_uncached), UNIT_TEST(ept_walk_sees_every_table_and_leaf),
};
UNIT_SUITE(ept_suite, ept_tests);
