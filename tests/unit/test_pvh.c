/* tests/unit/test_pvh.c: PVH boot of a Linux vmlinux: the entry note (found, missing, truncated,
 * malformed), segment checks, the guest-physical layout and its refusals, hvm_start_info as the
 * guest reads it, the entry register state; and, when tools/linux/fetch.sh has run, the real
 * Debian vmlinux (skipped otherwise). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "vmm/pvh.h"

#define BUF 4096
#define SEG_GPA 0x1000000ULL
#define SEG_OFF 0x200
#define SEG_FILESZ 0x100
#define SEG_MEMSZ 0x3000
#define NOTE_OFF 0x300
#define ENTRY 0x1000010ULL
#define PT_LOAD 1
#define PT_NOTE 4
#define EH_PHNUM 56
#define PH_SIZE 56
#define PH_BASE 64
#define WHY 256
/* good(): notes "GNU" (36 bytes), "Xen" type 6 (24 bytes), then the entry note */
#define ENTRY_NOTE (NOTE_OFF + 60)
#define ENTRY_DESCSZ (ENTRY_NOTE + 4)
#define ENTRY_DESC (ENTRY_NOTE + 16)

static unsigned char img[BUF];
static size_t note_end;

static void put(size_t off, unsigned long long v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		img[off + i] = i < 8 ? (unsigned char)(v >> (8 * i)) : 0;
}

static void phdr(unsigned i, unsigned type, unsigned long long off, unsigned long long gpa,
		 unsigned long long filesz, unsigned long long memsz, unsigned long long align)
{
	size_t ph = PH_BASE + i * PH_SIZE;
	put(ph, type, 4);
	put(ph + 8, off, 8);
	put(ph + 16, gpa, 8);
	put(ph + 24, gpa, 8);
	put(ph + 32, filesz, 8);
	put(ph + 40, memsz, 8);
	put(ph + 48, align, 8);
	put(EH_PHNUM, i + 1 > img[EH_PHNUM] ? i + 1 : img[EH_PHNUM], 2);
}

/* Appends a note at note_end: name (NUL included in namesz), type, desc of dlen bytes = v. */
static void note(const char *name, unsigned type, unsigned dlen, unsigned long long v)
{
	size_t nlen = strlen(name) + 1;
	put(note_end, nlen, 4);
	put(note_end + 4, dlen, 4);
	put(note_end + 8, type, 4);
	memcpy(img + note_end + 12, name, nlen);
	note_end += 12 + ((nlen + 3) & ~3UL);
	put(note_end, v, dlen);
	note_end += (dlen + 3) & ~3UL;
}

/* An ELF64 vmlinux: one PT_LOAD at 16 MiB, no notes yet (finish with note_seg()). */
static void elf(void)
{
	memset(img, 0, sizeof(img));
	memcpy(img, "\177ELF", 4);
	img[4] = 2;
	img[5] = 1;
	put(16, 2, 2);
	put(18, 62, 2);
	put(24, SEG_GPA, 8);
	put(32, PH_BASE, 8);
	put(54, PH_SIZE, 2);
	phdr(0, PT_LOAD, SEG_OFF, SEG_GPA, SEG_FILESZ, SEG_MEMSZ, 0x1000);
	note_end = NOTE_OFF;
}

static void note_seg(void)
{
	phdr(1, PT_NOTE, NOTE_OFF, SEG_GPA + 0x100, note_end - NOTE_OFF, note_end - NOTE_OFF, 4);
}

static void good(unsigned dlen)
{
	elf();
	note("GNU", 3, 20, 0);
	note("Xen", 6, 6, 0x78756e696cULL);
	note("Xen", XEN_ELFNOTE_PHYS32_ENTRY, dlen, ENTRY);
	note_seg();
}

static void note_found(void)
{
	char why[WHY] = "";
	u32 e = 0;
	good(8);
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), 0);
	CHECK_EQ(e, ENTRY);
	good(4);
	e = 0;
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), 0);
	CHECK_EQ(e, ENTRY);
	struct pvh_kernel k;
	CHECK_EQ(pvh_kernel_parse(img, BUF, &k, why, sizeof(why)), 0);
	CHECK_EQ(k.entry, ENTRY);
	CHECK_EQ(k.image.nsegs, 1);
	CHECK_EQ(k.image.lowest, SEG_GPA);
	CHECK_EQ(k.image.highest, SEG_GPA + SEG_MEMSZ);
}

static void note_missing(void)
{
	char why[WHY] = "";
	u32 e;
	elf();
	note("GNU", 3, 20, 0);
	note("Xen", 6, 6, 0);				  /* another Xen note */
	note("Xenx", XEN_ELFNOTE_PHYS32_ENTRY, 8, ENTRY); /* right type, wrong owner */
	note_seg();
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "no PVH entry point");
	CHECK_HAS(why, "XEN_ELFNOTE_PHYS32_ENTRY");
	elf(); /* no PT_NOTE at all */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "no PVH entry point");
	struct pvh_kernel k;
	CHECK_EQ(pvh_kernel_parse(img, BUF, &k, why, sizeof(why)), -1);
	CHECK_HAS(why, "no PVH entry point");
}

static void note_malformed(void)
{
	char why[WHY] = "";
	u32 e;
	good(8);
	put(ENTRY_DESC, 0x100000000ULL, 8); /* above 4 GiB */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "above 4 GiB");
	good(8);
	put(ENTRY_DESCSZ, 2, 4); /* desc of 2 bytes */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "expected 4 or 8");
	good(8);
	put(NOTE_OFF, 0x7fffffff, 4); /* first note's name runs past the note segment */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "truncated image: an ELF note");
	good(8);
	put(NOTE_OFF + 4, 0xfffffffc, 4); /* desc size that would wrap a 32-bit sum */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "truncated image");
}

static void truncated(void)
{
	char why[WHY] = "";
	u32 e;
	good(8);
	CHECK_EQ(pvh_find_entry(img, NOTE_OFF + 8, &e, why, sizeof(why)), -1); /* cut inside the notes */
	CHECK_HAS(why, "truncated image");
	CHECK_EQ(pvh_find_entry(img, SEG_OFF + 1, &e, why, sizeof(why)), -1); /* cut inside the PT_LOAD */
	CHECK_HAS(why, "truncated image: the file has 513 bytes, segment 0 needs 768");
	CHECK_EQ(pvh_find_entry(img, PH_BASE + PH_SIZE, &e, why, sizeof(why)), -1); /* inside the phdrs */
	CHECK_HAS(why, "program headers lie outside");
	CHECK_EQ(pvh_find_entry(img, 40, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "shorter than an ELF64 header");
	CHECK_EQ(pvh_find_entry(img, 0, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "not an ELF file");
	good(8);
	put(PH_BASE + 8, ~0ULL - 8, 8); /* offset + filesz wraps */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "truncated image");
}

static void foreign(void)
{
	char why[WHY] = "";
	u32 e;
	memset(img, 0, sizeof(img));
	memcpy(img, "MZ", 2);
	memcpy(img + 0x202, "HdrS", 4);
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "bzImage");
	good(8);
	put(18, 3, 2); /* EM_386 */
	CHECK_EQ(pvh_find_entry(img, BUF, &e, why, sizeof(why)), -1);
	CHECK_HAS(why, "not a little-endian ELF64 x86-64");
}

static void segments(void)
{
	char why[WHY] = "";
	struct pvh_kernel k;
	good(8);
	phdr(2, PT_LOAD, SEG_OFF, SEG_GPA + 0x1000, 0x10, 0x10, 0x1000); /* inside segment 0 */
	CHECK_EQ(pvh_kernel_parse(img, BUF, &k, why, sizeof(why)), -1);
	CHECK_HAS(why, "overlap");
	good(8);
	put(ENTRY_DESC, SEG_GPA + SEG_MEMSZ, 8); /* entry just past the segment */
	CHECK_EQ(pvh_kernel_parse(img, BUF, &k, why, sizeof(why)), -1);
	CHECK_HAS(why, "outside the kernel's loadable segments");
}

static struct pvh_layout_req req(void)
{
	return (struct pvh_layout_req){
	    .mem_size = MiB(128),
	    .kernel_lowest = MiB(16),
	    .kernel_highest = MiB(74) + 0x123,
	    .initrd_size = 1096262,
	    .cmdline_len = 100,
	};
}

static void layout_good(void)
{
	char why[WHY] = "";
	struct pvh_layout l;
	struct pvh_layout_req r = req();
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	CHECK_EQ(l.info_gpa, PVH_INFO_GPA);
	CHECK_EQ(l.cmdline_gpa, PVH_CMDLINE_GPA);
	CHECK_EQ(l.initrd_gpa, ALIGN_DOWN(MiB(128) - 1096262, PAGE_SIZE));
	CHECK_EQ(l.initrd_size, 1096262);
	CHECK_EQ(l.ram_top, MiB(128));
	CHECK_EQ(l.nmemmap, 3);
	CHECK_EQ(l.memmap[0].addr, 0);
	CHECK_EQ(l.memmap[0].size, 0xA0000);
	CHECK_EQ(l.memmap[0].type, E820_RAM);
	CHECK_EQ(l.memmap[1].addr, 0xA0000);
	CHECK_EQ(l.memmap[1].size, 0x60000);
	CHECK_EQ(l.memmap[1].type, E820_RESERVED);
	CHECK_EQ(l.memmap[2].addr, MiB(1));
	CHECK_EQ(l.memmap[2].size, MiB(127));
	CHECK_EQ(l.memmap[2].type, E820_RAM);

	r.reserved_top = MiB(2); /* Moat keeps the top 2 MiB */
	r.initrd_size = 0;
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	CHECK_EQ(l.initrd_gpa, 0);
	CHECK_EQ(l.ram_top, MiB(126));
	CHECK_EQ(l.nmemmap, 4);
	CHECK_EQ(l.memmap[2].size, MiB(125));
	CHECK_EQ(l.memmap[3].addr, MiB(126));
	CHECK_EQ(l.memmap[3].size, MiB(2));
	CHECK_EQ(l.memmap[3].type, E820_RESERVED);

	r = req(); /* an initrd that fills the gap exactly */
	r.initrd_size = MiB(128) - ALIGN_UP(r.kernel_highest, PAGE_SIZE);
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	CHECK_EQ(l.initrd_gpa, ALIGN_UP(r.kernel_highest, PAGE_SIZE));
}

static void layout_refused(void)
{
	char why[WHY] = "";
	struct pvh_layout l;
	struct pvh_layout_req r = req();
	r.initrd_size = MiB(60);
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "initrd of 62914560 bytes does not fit: 56619008 bytes free");
	CHECK_HAS(why, "memory 128 MiB");
	r = req();
	r.mem_size = MiB(64);
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "the kernel needs memory up to 0x4a00123 (75 MiB) but the VM has 64 MiB");
	r = req();
	r.kernel_lowest = 0x8000;
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "below 1 MiB");
	r = req();
	r.cmdline_len = PVH_CMDLINE_MAX;
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "command line of 2048 characters is too long");
	r = req();
	r.mem_size = GiB(4);
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "more than a PVH guest can have");
	r = req();
	r.mem_size = MiB(128) + 1;
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "multiples of 4 KiB");
	r = req();
	r.reserved_top = MiB(128);
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), -1);
	CHECK_HAS(why, "no RAM above 1 MiB");
}

static void start_info(void)
{
	char why[WHY] = "";
	struct pvh_layout l;
	struct pvh_layout_req r = req();
	struct pvh_boot_params p;
	static u8 page[PVH_INFO_SIZE];
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	pvh_boot_params_from_layout(&l, 0xE0000, &p);
	memset(page, 0xAA, sizeof(page));
	CHECK_EQ(pvh_start_info_write(&p, page, why, sizeof(why)), 0);
	struct hvm_start_info si;
	memcpy(&si, page, sizeof(si));
	CHECK_EQ(si.magic, 0x336ec578);
	CHECK_EQ(si.version, 1);
	CHECK_EQ(si.flags, 0);
	CHECK_EQ(si.nr_modules, 1);
	CHECK_EQ(si.modlist_paddr, PVH_INFO_GPA + PVH_MODLIST_OFF);
	CHECK_EQ(si.cmdline_paddr, PVH_CMDLINE_GPA);
	CHECK_EQ(si.rsdp_paddr, 0xE0000);
	CHECK_EQ(si.memmap_paddr, PVH_INFO_GPA + PVH_MEMMAP_OFF);
	CHECK_EQ(si.memmap_entries, 3);
	CHECK_EQ(si.reserved, 0);
	struct hvm_modlist_entry m;
	memcpy(&m, page + PVH_MODLIST_OFF, sizeof(m));
	CHECK_EQ(m.paddr, l.initrd_gpa);
	CHECK_EQ(m.size, 1096262);
	CHECK_EQ(m.cmdline_paddr, 0);
	struct hvm_memmap_table_entry e;
	memcpy(&e, page + PVH_MEMMAP_OFF + 2 * sizeof(e), sizeof(e));
	CHECK_EQ(e.addr, MiB(1));
	CHECK_EQ(e.size, MiB(127));
	CHECK_EQ(e.type, E820_RAM);
	CHECK_EQ(e.reserved, 0);
	CHECK_EQ(page[PVH_MEMMAP_OFF + 3 * sizeof(e)], 0); /* the rest of the page is zeroed */

	p.initrd_size = 0; /* no initrd: no module list */
	CHECK_EQ(pvh_start_info_write(&p, page, why, sizeof(why)), 0);
	memcpy(&si, page, sizeof(si));
	CHECK_EQ(si.nr_modules, 0);
	CHECK_EQ(si.modlist_paddr, 0);

	p.nmemmap = PVH_MEMMAP_MAX + 1;
	CHECK_EQ(pvh_start_info_write(&p, page, why, sizeof(why)), -1);
	CHECK_HAS(why, "memory map of");
	p.nmemmap = 0;
	CHECK_EQ(pvh_start_info_write(&p, page, why, sizeof(why)), -1);
}

/* RMRR ranges above RAM reported reserved: in address order whatever the order given, clipped to the
 * span, refused over RAM or with the map full; start_info then carries them. */
static void layout_reserved_ranges(void)
{
	char why[WHY] = "";
	struct pvh_layout l;
	struct pvh_layout_req r = req(); /* 128 MiB: entries RAM, legacy, RAM */
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	CHECK_EQ(pvh_layout_reserve(&l, 0xdf800000, 0xe0000000, GiB(512), why, sizeof(why)), 0);
	CHECK_EQ(pvh_layout_reserve(&l, 0x9c000000, 0x9c400000, GiB(512), why, sizeof(why)), 0);
	CHECK_EQ(l.nmemmap, 5);
	CHECK_EQ(l.memmap[3].addr, 0x9c000000);
	CHECK_EQ(l.memmap[3].size, 0x400000);
	CHECK_EQ(l.memmap[3].type, E820_RESERVED);
	CHECK_EQ(l.memmap[4].addr, 0xdf800000);
	CHECK_EQ(l.memmap[4].size, 0x800000);
	CHECK_EQ(l.memmap[4].type, E820_RESERVED);
	CHECK_EQ(l.memmap[2].addr, MiB(1)); /* RAM untouched */
	CHECK_EQ(l.memmap[2].size, MiB(127));
	/* beyond the span: nothing; straddling it: clipped */
	CHECK_EQ(pvh_layout_reserve(&l, GiB(600), GiB(600) + PAGE_SIZE, GiB(512), why, sizeof(why)), 1);
	CHECK_EQ(pvh_layout_reserve(&l, GiB(512) - PAGE_SIZE, GiB(512) + PAGE_SIZE, GiB(512), why, sizeof(why)), 0);
	CHECK_EQ(l.nmemmap, 6);
	CHECK_EQ(l.memmap[5].addr, GiB(512) - PAGE_SIZE);
	CHECK_EQ(l.memmap[5].size, PAGE_SIZE);
	/* over RAM, or over a range already there: refused, the map unchanged */
	CHECK_EQ(pvh_layout_reserve(&l, MiB(120), MiB(130), GiB(512), why, sizeof(why)), -1);
	CHECK_HAS(why, "overlaps the memory map's 0x100000-0x7ffffff");
	CHECK_EQ(pvh_layout_reserve(&l, 0x9c3ff000, 0x9c401000, GiB(512), why, sizeof(why)), -1);
	CHECK_EQ(l.nmemmap, 6);
	/* start_info carries them */
	struct pvh_boot_params p;
	static u8 page[PVH_INFO_SIZE];
	pvh_boot_params_from_layout(&l, 0xE0000, &p);
	CHECK_EQ(pvh_start_info_write(&p, page, why, sizeof(why)), 0);
	struct hvm_start_info si;
	memcpy(&si, page, sizeof(si));
	CHECK_EQ(si.memmap_entries, 6);
	struct hvm_memmap_table_entry e;
	memcpy(&e, page + PVH_MEMMAP_OFF + 4 * sizeof(e), sizeof(e));
	CHECK_EQ(e.addr, 0xdf800000);
	CHECK_EQ(e.size, 0x800000);
	CHECK_EQ(e.type, E820_RESERVED);
	/* full */
	for (u64 i = 0; l.nmemmap < PVH_LAYOUT_MEMMAP_MAX; i++)
		CHECK_EQ(pvh_layout_reserve(&l, GiB(4) + i * MiB(2), GiB(4) + i * MiB(2) + MiB(1), GiB(512), why,
					    sizeof(why)),
			 0);
	CHECK_EQ(pvh_layout_reserve(&l, GiB(300), GiB(300) + MiB(1), GiB(512), why, sizeof(why)), -1);
	CHECK_HAS(why, "full");
	for (u32 i = 1; i < l.nmemmap; i++)
		CHECK(l.memmap[i].addr >= l.memmap[i - 1].addr + l.memmap[i - 1].size);
}

static void cmdline(void)
{
	char why[WHY] = "";
	static char dst[PVH_CMDLINE_MAX];
	static char longer[PVH_CMDLINE_MAX + 1];
	CHECK_EQ(pvh_cmdline_write("console=ttyS0 quiet", dst, why, sizeof(why)), 0);
	CHECK_STR(dst, "console=ttyS0 quiet");
	memset(longer, 'x', PVH_CMDLINE_MAX - 1);
	CHECK_EQ(pvh_cmdline_write(longer, dst, why, sizeof(why)), 0); /* 2047 characters fit */
	CHECK_EQ(dst[PVH_CMDLINE_MAX - 1], 0);
	longer[PVH_CMDLINE_MAX - 1] = 'x';
	CHECK_EQ(pvh_cmdline_write(longer, dst, why, sizeof(why)), -1);
	CHECK_HAS(why, "too long");
}

static void cpu_state(void)
{
	struct pvh_cpu_state s;
	pvh_cpu_state(0x1000850, PVH_INFO_GPA, &s);
	CHECK_EQ(s.rip, 0x1000850);
	CHECK_EQ(s.rbx, PVH_INFO_GPA);
	CHECK_EQ(s.rflags, 0x2);	 /* IF, TF, VM clear */
	CHECK_EQ(s.cr0 & 0x80000001, 1); /* PE on, PG off */
	CHECK_EQ(s.cr4, 0);
	CHECK_EQ(s.efer, 0);
	CHECK_EQ(s.cs.base, 0);
	CHECK_EQ(s.cs.limit, 0xFFFFFFFF);
	CHECK_EQ(s.cs.access & 0xF, 0xB); /* execute/read, accessed */
	CHECK(s.cs.access & BIT(14));	  /* 32-bit */
	CHECK(!(s.cs.access & BIT(13)));  /* not 64-bit */
	CHECK_EQ(s.ss.access, 0xC093);
	CHECK_EQ(s.ds.limit, 0xFFFFFFFF);
	CHECK_EQ(s.es.selector, s.ds.selector);
	CHECK_EQ(s.tr.limit, 0x67);
	CHECK_EQ(s.tr.access & 0xF, 0xB); /* 32-bit busy TSS */
	CHECK(s.ldtr.access & BIT(16));	  /* unusable */
}

/* The real Debian kernel from tools/linux/fetch.sh, if it is there (from the repository root or
 * from tests/unit). */
static u8 *read_file(const char *path, long *size)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	*size = ftell(f);
	rewind(f);
	u8 *d = malloc(*size > 0 ? (size_t)*size : 1);
	if (d && fread(d, 1, (size_t)*size, f) != (size_t)*size) {
		free(d);
		d = NULL;
	}
	fclose(f);
	return d;
}

static void real_vmlinux_one(const char *name)
{
	static const char *dirs[] = {"build/linux/", "../../build/linux/"};
	char path[256], why[WHY] = "";
	long size = 0;
	u8 *d = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !d; i++) {
		snprintf(path, sizeof(path), "%s%s", dirs[i], name);
		d = read_file(path, &size);
	}
	if (!d) {
		if (getenv("MOAT_TEST_VERBOSE"))
			printf("test_pvh: no build/linux/%s (run tools/linux/fetch.sh): skipped\n", name);
		return;
	}
	struct pvh_kernel k;
	CHECK_EQ(pvh_kernel_parse(d, (u64)size, &k, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK(k.entry >= k.image.lowest && k.entry < k.image.highest);
	CHECK_EQ(k.image.lowest, MiB(16)); /* LOAD_PHYSICAL_ADDR */
	struct pvh_layout l;
	struct pvh_layout_req r = {.mem_size = MiB(256),
				   .kernel_lowest = k.image.lowest,
				   .kernel_highest = k.image.highest,
				   .initrd_size = MiB(2),
				   .cmdline_len = 200};
	CHECK_EQ(pvh_layout_plan(&r, &l, why, sizeof(why)), 0);
	u32 e;
	CHECK_EQ(pvh_find_entry(d, (u64)size / 2, &e, why, sizeof(why)), -1); /* cut in half */
	CHECK_HAS(why, "truncated image");
	free(d);
}

static void real_vmlinux(void)
{
	real_vmlinux_one("vmlinux");
	real_vmlinux_one("vmlinux.pvh");
}

static const struct unit_test tests[] = {
    UNIT_TEST(note_found), UNIT_TEST(note_missing), UNIT_TEST(note_malformed), UNIT_TEST(truncated),
    UNIT_TEST(foreign),	   UNIT_TEST(segments),	    UNIT_TEST(layout_good),    UNIT_TEST(layout_refused),
    UNIT_TEST(start_info), UNIT_TEST(cmdline),	    UNIT_TEST(cpu_state),      UNIT_TEST(real_vmlinux),
    UNIT_TEST(layout_reserved_ranges),
};
UNIT_SUITE(pvh_suite, tests);
