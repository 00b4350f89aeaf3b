/* tests/unit/test_frame_alloc.c: the frame allocator fed from memory maps, and the frame ownership
 * table. Physical addresses are fake: a 64 MiB arena stands in for RAM through the mapper hook. */
#include <stdlib.h>
#include "check.h"
#include "host_log.h"
#include "kernel/frame_alloc.h"
#include "kernel/frame_owner.h"

#define ARENA_SIZE (64ULL << 20)

static unsigned char *arena;

static void *arena_ptr(u64 phys)
{
	if (phys >= ARENA_SIZE)
		abort(); /* the allocator may only touch its bitmap, inside RAM */
	return arena + phys;
}

static void setup(const struct boot_mem_region *mem, u32 n)
{
	if (!arena)
		arena = aligned_alloc(4096, ARENA_SIZE);
	frame_alloc_set_mapper(arena_ptr);
	CHECK_EQ(frame_alloc_init(mem, n), 0);
}

/* A map like OVMF's: low memory, the image, boot services data, ACPI, MMIO, a hole. */
static const struct boot_mem_region map1[] = {
	{0x0, 0xa0, BOOT_MEM_USABLE, 7},            /* 0-640K: below 1 MiB, never handed out */
	{0x100000, 0x700, BOOT_MEM_USABLE, 7},      /* 1M-8M: 1792 frames */
	{0x800000, 0x100, BOOT_MEM_MOAT, 1},        /* Moat's image and loaded files */
	{0x900000, 0x200, BOOT_MEM_BOOT_SERVICES, 4},
	{0xb00000, 0x10, BOOT_MEM_ACPI, 9},
	{0xb10000, 0x10, BOOT_MEM_RESERVED, 0},
	{0x1000000, 0x1000, BOOT_MEM_USABLE, 7},    /* 16M-32M: 4096 frames */
	{0xfed00000, 0x10, BOOT_MEM_MMIO, 11},
};

static void alloc_from_map(void)
{
	setup(map1, 8);
	/* the bitmap covers 32 MiB = 8192 frames: 1 KiB, one frame taken from the largest region */
	CHECK_EQ(frame_free_count(), 0x700 + 0x1000 - 1);
	CHECK_EQ(frame_ram_bytes(), (0xa0 + 0x700 + 0x100 + 0x200 + 0x10 + 0x1000) * 4096ULL);
	CHECK_EQ(frame_alloc_max_phys(), 0x2000000);
	for (int i = 0; i < 200; i++) {
		u64 f = frame_alloc();
		CHECK(f >= 0x100000);
		CHECK(f % 4096 == 0);
		CHECK(!(f >= 0x800000 && f < 0x1000000)); /* never Moat, boot services (yet), ACPI */
		CHECK(frame_is_allocated(f));
	}
	CHECK_EQ(frame_used_count(), 201);
}

static void boot_services_added_later(void)
{
	setup(map1, 8);
	u64 before = frame_free_count();
	frame_alloc_add_type(map1, 8, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(frame_free_count(), before + 0x200);
	/* adding twice frees nothing twice */
	frame_alloc_add_type(map1, 8, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(frame_free_count(), before + 0x200);
}

static void exhaustion_returns_zero(void)
{
	static const struct boot_mem_region small[] = {
		{0x100000, 0x10, BOOT_MEM_USABLE, 7},
	};
	setup(small, 1);
	CHECK_EQ(frame_free_count(), 15);
	u64 got[15];
	for (int i = 0; i < 15; i++) {
		got[i] = frame_alloc();
		CHECK(got[i] != 0);
	}
	CHECK_EQ(frame_alloc(), 0);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_free(got[3]), 0);
	CHECK_EQ(frame_alloc(), got[3]);
}

static void contiguous_and_aligned(void)
{
	setup(map1, 8);
	u64 a = frame_alloc_contig(512, 512, 0); /* 2 MiB aligned */
	CHECK(a != 0);
	CHECK_EQ(a % (2ULL << 20), 0);
	for (u64 i = 0; i < 512; i++)
		CHECK(frame_is_allocated(a + i * 4096));
	/* below a limit */
	u64 b = frame_alloc_contig(4, 1, 0x800000);
	CHECK(b && b + 4 * 4096 <= 0x800000);
	/* more than any region holds */
	CHECK_EQ(frame_alloc_contig(0x2000, 1, 0), 0);
	CHECK_EQ(frame_free_contig(a, 512), 0);
	CHECK(!frame_is_allocated(a));
}

static void double_free_and_range(void)
{
	setup(map1, 8);
	u64 f = frame_alloc();
	CHECK_EQ(frame_free(f), 0);
	CHECK_EQ(frame_free(f), -1);
	CHECK(strstr(host_log_last(), "double free") != NULL);
	CHECK_EQ(frame_free(0x1000), -1);      /* below 1 MiB */
	CHECK_EQ(frame_free(0x40000000), -1);  /* beyond the bitmap */
	CHECK_EQ(frame_free(f + 1), -1);       /* unaligned */
}

static void no_usable_memory(void)
{
	static const struct boot_mem_region none[] = {
		{0x100000, 0x100, BOOT_MEM_MOAT, 1},
	};
	frame_alloc_set_mapper(arena_ptr);
	CHECK_EQ(frame_alloc_init(none, 1), -1);
	CHECK_EQ(frame_alloc(), 0);
}

/* A range taken out: its free frames are never handed out, not after a free, not after boot services
 * memory is added; frames held at the time stay held, and stay out when freed; outside it nothing
 * changes. */
static void reserve_range(void)
{
	setup(map1, 8);
	u64 before = frame_free_count();
	/* 0x1100800-0x1103fff: four frames, widened from a byte range */
	CHECK_EQ(frame_alloc_reserve(0x1100800, 0x3000), 4);
	CHECK_EQ(frame_free_count(), before - 4);
	for (u64 p = 0x1100000; p < 0x1104000; p += 4096)
		CHECK(frame_is_allocated(p));
	CHECK(!frame_is_allocated(0x10ff000));
	CHECK(!frame_is_allocated(0x1104000));
	for (u64 f = frame_alloc(); f; f = frame_alloc())
		CHECK(f < 0x1100000 || f >= 0x1104000);
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_free(0x1100000), 0); /* a stray free of a reserved frame frees nothing */
	CHECK_EQ(frame_free_count(), 0);
	CHECK_EQ(frame_alloc(), 0);
	/* reserved memory that was never free (ACPI, MMIO, below 1 MiB): 0, nothing taken */
	CHECK_EQ(frame_alloc_reserve(0xb00000, 0x10000), 0);
	CHECK_EQ(frame_alloc_reserve(0xe0000, 0x10000), 0);
	CHECK_EQ(frame_alloc_reserve(0xfed00000, 0x1000), 0);
	CHECK_EQ(frame_alloc_reserve(0x1000, 0), -1);
	CHECK_EQ(frame_alloc_reserve(~0ULL - 0xfff, 0x2000), -1);
}

static void reserve_before_boot_services_and_held_frames(void)
{
	setup(map1, 8);
	u64 held = frame_alloc_contig(2, 1, 0); /* taken before the reservation, e.g. Moat's page tables */
	CHECK(held != 0);
	u64 free_before = frame_free_count();
	CHECK_EQ(frame_alloc_reserve(held, 2 * 4096), 0); /* nothing free in it */
	CHECK_EQ(frame_free_count(), free_before);
	CHECK_EQ(frame_free_contig(held, 2), 0);
	CHECK_EQ(frame_free_count(), free_before); /* it stays out */
	CHECK(frame_is_allocated(held));
	/* boot services memory reserved before it is added: never becomes free */
	CHECK_EQ(frame_alloc_reserve(0x900000, 0x10000), 0);
	frame_alloc_add_type(map1, 8, BOOT_MEM_BOOT_SERVICES);
	CHECK_EQ(frame_free_count(), free_before + 0x200 - 0x10);
	CHECK(frame_is_allocated(0x900000));
	CHECK(frame_is_allocated(0x90f000));
	CHECK(!frame_is_allocated(0x910000));
	/* the table is full: refused, with a line */
	for (u32 i = 2; i < FRAME_RESERVED_MAX; i++)
		CHECK_EQ(frame_alloc_reserve(0xb10000, 0x1000), 0);
	CHECK_EQ(frame_alloc_reserve(0x1100000, 0x1000), -1);
	CHECK(strstr(host_log_last(), "reserved ranges") != NULL);
	CHECK(!frame_is_allocated(0x1100000));
	/* a new init forgets every reservation */
	setup(map1, 8);
	CHECK_EQ(frame_alloc_reserve(0x900000, 0x1000), 0);
	CHECK_EQ(frame_alloc_reserve(0x1100000, 0x1000), 1);
	frame_alloc_add_type(map1, 8, BOOT_MEM_BOOT_SERVICES);
	CHECK(frame_is_allocated(0x900000));
	CHECK(!frame_is_allocated(0x901000));
}

static struct frame_record records[4096];

static void ownership(void)
{
	frame_owner_init_with(records, 4096);
	u64 a = 0x200000;
	CHECK_EQ(frame_owner_assign(a, 16, OWNER_VM_FIRST, FRAME_R | FRAME_W), 0);
	CHECK_EQ(frame_owner_of(a + 15 * 4096), OWNER_VM_FIRST);
	CHECK(frame_owner_allows(a, 16, OWNER_VM_FIRST, FRAME_R | FRAME_W));
	CHECK(!frame_owner_allows(a, 16, OWNER_VM_FIRST, FRAME_X));
	CHECK(!frame_owner_allows(a, 16, OWNER_VM_FIRST + 1, FRAME_R));
	/* overlapping assignment: refused whole, nothing changes */
	CHECK_EQ(frame_owner_assign(a + 8 * 4096, 16, OWNER_VM_FIRST + 1, FRAME_R), -1);
	CHECK_EQ(frame_owner_of(a + 20 * 4096), OWNER_NONE);
	CHECK_EQ(frame_owner_count(OWNER_VM_FIRST), 16);
	/* narrowing only */
	CHECK_EQ(frame_owner_restrict(a, 1, OWNER_VM_FIRST, FRAME_R | FRAME_X), 0);
	CHECK_EQ(frame_owner_perms(a), FRAME_R);
	/* release by the wrong owner: refused */
	CHECK_EQ(frame_owner_release(a, 16, OWNER_VM_FIRST + 1), -1);
	CHECK_EQ(frame_owner_count(OWNER_VM_FIRST), 16);
	/* a VM's frames go back only once scrubbing and invalidation are on record */
	CHECK_EQ(frame_owner_release(a, 16, OWNER_VM_FIRST), -1);
	CHECK_EQ(frame_owner_mark_scrubbed(a, 16, OWNER_VM_FIRST + 1), -1);
	CHECK_EQ(frame_owner_mark_scrubbed(a, 8, OWNER_VM_FIRST), 0);
	CHECK_EQ(frame_owner_release(a, 16, OWNER_VM_FIRST), -1);
	CHECK_EQ(frame_owner_count(OWNER_VM_FIRST), 16);
	CHECK_EQ(frame_owner_mark_scrubbed(a, 16, OWNER_VM_FIRST), 0);
	CHECK_EQ(frame_owner_release(a, 16, OWNER_VM_FIRST), 0);
	CHECK(records[a / 4096].flags & FRAME_REC_SCRUBBED);
	/* a new owner starts without the mark */
	CHECK_EQ(frame_owner_assign(a, 1, OWNER_VM_FIRST + 2, FRAME_R), 0);
	CHECK(!(records[a / 4096].flags & FRAME_REC_SCRUBBED));
	CHECK_EQ(frame_owner_mark_scrubbed(a, 1, OWNER_VM_FIRST + 2), 0);
	CHECK_EQ(frame_owner_release(a, 1, OWNER_VM_FIRST + 2), 0);
	CHECK_EQ(frame_owner_count(OWNER_VM_FIRST), 0);
	/* out of range or unaligned */
	CHECK_EQ(frame_owner_assign(4095ULL * 4096, 2, OWNER_VM_FIRST, FRAME_R), -1);
	CHECK_EQ(frame_owner_assign(a + 1, 1, OWNER_VM_FIRST, FRAME_R), -1);
	CHECK_EQ(frame_owner_assign(a, 1, OWNER_NONE, FRAME_R), -1);
}

static const struct unit_test frame_tests[] = {
	UNIT_TEST(alloc_from_map),        UNIT_TEST(boot_services_added_later), UNIT_TEST(exhaustion_returns_zero),
	UNIT_TEST(contiguous_and_aligned), UNIT_TEST(double_free_and_range),    UNIT_TEST(no_usable_memory),
	UNIT_TEST(ownership),             UNIT_TEST(reserve_range),
	UNIT_TEST(reserve_before_boot_services_and_held_frames),
};

UNIT_SUITE(frame_suite, frame_tests);
