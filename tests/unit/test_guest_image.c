/* tests/unit/test_guest_image.c: guest image parsing: ELF64 and ELF32 executables built in
 * memory, flat binaries, and refusal of truncated, foreign, overlapping or out-of-file images. */
#include <string.h>
#include "check.h"
#include "vmm/guest_image.h"

#define FLAT_GPA 0x1000
#define BUF 4096

static unsigned char img[BUF];

static void put16(size_t off, unsigned v) { img[off] = (unsigned char)v; img[off + 1] = (unsigned char)(v >> 8); }
static void put32(size_t off, unsigned long long v)
{
	for (int i = 0; i < 4; i++)
		img[off + i] = (unsigned char)(v >> (8 * i));
}
static void put64(size_t off, unsigned long long v)
{
	for (int i = 0; i < 8; i++)
		img[off + i] = (unsigned char)(v >> (8 * i));
}

/* ELF64 header + nph program headers at 64; segment i: file 0x200 + i*0x100, 0x80 bytes. */
static void elf64(unsigned nph, unsigned long long entry)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 2;
	img[5] = 1;
	put16(16, 2);
	put16(18, 62);
	put64(24, entry);
	put64(32, 64);
	put16(54, 56);
	put16(56, nph);
	for (unsigned i = 0; i < nph; i++) {
		size_t ph = 64 + i * 56;
		put32(ph, 1);
		put64(ph + 8, 0x200 + i * 0x100);
		put64(ph + 24, 0x100000 + i * 0x1000);
		put64(ph + 32, 0x80);
		put64(ph + 40, 0x1000);
	}
}

static void elf32(unsigned long long entry)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 1;
	img[5] = 1;
	put16(16, 2);
	put16(18, 3);
	put32(24, entry);
	put32(28, 52);
	put16(42, 32);
	put16(44, 1);
	put32(52, 1);
	put32(56, 0x100);
	put32(64, 0x200000);
	put32(68, 0x40);
	put32(72, 0x2000);
}

static void image_elf64(void)
{
	struct guest_image g;
	char why[128];
	elf64(2, 0x100010);
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), 0);
	CHECK_EQ(g.kind, IMAGE_ELF64);
	CHECK_EQ(g.entry, 0x100010);
	CHECK_EQ(g.nsegs, 2);
	CHECK_EQ(g.segs[1].gpa, 0x101000);
	CHECK_EQ(g.segs[1].offset, 0x300);
	CHECK_EQ(g.segs[1].filesz, 0x80);
	CHECK_EQ(g.segs[1].memsz, 0x1000);
	CHECK_EQ(g.lowest, 0x100000);
	CHECK_EQ(g.highest, 0x102000);
	CHECK_STR(guest_image_kind_name(g.kind), "ELF64");
}

static void image_elf32(void)
{
	struct guest_image g;
	char why[128];
	elf32(0x200004);
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), 0);
	CHECK_EQ(g.kind, IMAGE_ELF32);
	CHECK_EQ(g.entry, 0x200004);
	CHECK_EQ(g.nsegs, 1);
	CHECK_EQ(g.segs[0].memsz, 0x2000);
}

static void image_flat(void)
{
	struct guest_image g;
	char why[128];
	unsigned char code[3] = {0xfa, 0xf4, 0xeb};
	CHECK_EQ(guest_image_parse(code, sizeof(code), FLAT_GPA, &g, why, sizeof(why)), 0);
	CHECK_EQ(g.kind, IMAGE_FLAT);
	CHECK_EQ(g.entry, FLAT_GPA);
	CHECK_EQ(g.segs[0].filesz, 3);
	CHECK_EQ(g.highest, FLAT_GPA + 3);
	CHECK_EQ(guest_image_parse(code, 0, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "empty");
}

static void image_refusals(void)
{
	struct guest_image g;
	char why[128];
	elf64(1, 0x100000);
	CHECK_EQ(guest_image_parse(img, 40, FLAT_GPA, &g, why, sizeof(why)), -1); /* truncated header */
	CHECK_HAS(why, "truncated");
	CHECK_EQ(guest_image_parse(img, 100, FLAT_GPA, &g, why, sizeof(why)), -1); /* headers past the end */
	CHECK_HAS(why, "outside the file");
	CHECK_EQ(guest_image_parse(img, 0x220, FLAT_GPA, &g, why, sizeof(why)), -1); /* segment past the end */
	CHECK_HAS(why, "beyond the end of the file");
	elf64(1, 0x300000);
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "entry point");
	elf64(1, 0x100000);
	put16(18, 40); /* ARM */
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "not an x86-64 executable");
	elf64(1, 0x100000);
	img[5] = 2; /* big-endian */
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	elf64(1, 0x100000);
	img[4] = 7;
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "class");
	elf64(2, 0x100000);
	put64(64 + 56 + 24, 0x100800); /* second segment overlaps the first */
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "overlap");
	elf64(1, 0x100000);
	put64(64 + 32, 0x2000); /* filesz > memsz */
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	elf64(1, 0x100000);
	put64(64 + 24, ~0ULL - 0x10); /* wraps */
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	elf64(0, 0x100000);
	CHECK_EQ(guest_image_parse(img, BUF, FLAT_GPA, &g, why, sizeof(why)), -1);
	CHECK_HAS(why, "no loadable segment");
	CHECK_EQ(g.nsegs, 0);
}

static const struct unit_test guest_image_tests[] = {
	UNIT_TEST(image_elf64), UNIT_TEST(image_elf32), UNIT_TEST(image_flat), UNIT_TEST(image_refusals),
};
UNIT_SUITE(guest_image_suite, guest_image_tests);
