/* vmm/guest_image.c: ELF64/ELF32/flat guest image parsing (see guest_image.h). */
#include "guest_image.h"
#include "elf.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"


const char *guest_image_kind_name(enum image_kind k)
{
	return k == IMAGE_ELF64 ? "ELF64" : k == IMAGE_ELF32 ? "ELF32" : "flat binary";
}

static int add_segment(struct guest_image *img, u64 size, u64 gpa, u64 off, u64 filesz, u64 memsz, char *why,
		       size_t n)
{
	if (memsz == 0)
		return 0;
	if (filesz > memsz) {
		snprintf(why, n, "segment at 0x%llx has more file bytes (0x%llx) than memory (0x%llx)", gpa, filesz, memsz);
		return -1;
	}
	if (off > size || filesz > size - off) {
		snprintf(why, n, "segment at 0x%llx lies beyond the end of the file", gpa);
		return -1;
	}
	if (gpa + memsz < gpa) {
		snprintf(why, n, "segment at 0x%llx wraps around the address space", gpa);
		return -1;
	}
	if (img->nsegs == IMAGE_MAX_SEGMENTS) {
		snprintf(why, n, "more than %d loadable segments", IMAGE_MAX_SEGMENTS);
		return -1;
	}
	for (u32 i = 0; i < img->nsegs; i++) {
		const struct image_segment *s = &img->segs[i];
		if (gpa < s->gpa + s->memsz && s->gpa < gpa + memsz) {
			snprintf(why, n, "segments at 0x%llx and 0x%llx overlap", s->gpa, gpa);
			return -1;
		}
	}
	img->segs[img->nsegs++] = (struct image_segment){gpa, off, filesz, memsz};
	if (img->nsegs == 1 || gpa < img->lowest)
		img->lowest = gpa;
	if (gpa + memsz > img->highest)
		img->highest = gpa + memsz;
	return 0;
}

static int parse_elf64(const u8 *data, u64 size, struct guest_image *img, char *why, size_t n)
{
	struct elf64_ehdr eh;
	if (size < sizeof(eh)) {
		snprintf(why, n, "ELF64 header truncated");
		return -1;
	}
	memcpy(&eh, data, sizeof(eh));
	if (eh.type != ET_EXEC || eh.machine != EM_X86_64) {
		snprintf(why, n, "not an x86-64 executable (type %u, machine %u)", eh.type, eh.machine);
		return -1;
	}
	if (eh.phentsize != sizeof(struct elf64_phdr) || eh.phoff > size ||
	    (u64)eh.phnum * sizeof(struct elf64_phdr) > size - eh.phoff) {
		snprintf(why, n, "program headers lie outside the file");
		return -1;
	}
	img->kind = IMAGE_ELF64;
	img->entry = eh.entry;
	for (u32 i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, data + eh.phoff + (u64)i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_LOAD && add_segment(img, size, ph.paddr, ph.offset, ph.filesz, ph.memsz, why, n))
			return -1;
	}
	return 0;
}

static int parse_elf32(const u8 *data, u64 size, struct guest_image *img, char *why, size_t n)
{
	struct elf32_ehdr eh;
	if (size < sizeof(eh)) {
		snprintf(why, n, "ELF32 header truncated");
		return -1;
	}
	memcpy(&eh, data, sizeof(eh));
	if (eh.type != ET_EXEC || eh.machine != EM_386) {
		snprintf(why, n, "not an i386 executable (type %u, machine %u)", eh.type, eh.machine);
		return -1;
	}
	if (eh.phentsize != sizeof(struct elf32_phdr) || eh.phoff > size ||
	    (u64)eh.phnum * sizeof(struct elf32_phdr) > size - eh.phoff) {
		snprintf(why, n, "program headers lie outside the file");
		return -1;
	}
	img->kind = IMAGE_ELF32;
	img->entry = eh.entry;
	for (u32 i = 0; i < eh.phnum; i++) {
		struct elf32_phdr ph;
		memcpy(&ph, data + eh.phoff + (u64)i * sizeof(ph), sizeof(ph));
		if (ph.type == PT_LOAD && add_segment(img, size, ph.paddr, ph.offset, ph.filesz, ph.memsz, why, n))
			return -1;
	}
	return 0;
}

int guest_image_parse(const u8 *data, u64 size, u64 flat_gpa, struct guest_image *out, char *why, size_t n)
{
	memset(out, 0, sizeof(*out));
	if (size == 0) {
		snprintf(why, n, "the image is empty");
		return -1;
	}
	int r;
	if (size >= ELF_MAGIC_LEN && memcmp(data, ELF_MAGIC, ELF_MAGIC_LEN) == 0) {
		if (size <= EI_DATA || data[EI_DATA] != ELFDATA2LSB) {
			snprintf(why, n, "ELF file is not little-endian");
			return -1;
		}
		if (data[EI_CLASS] == ELFCLASS64)
			r = parse_elf64(data, size, out, why, n);
		else if (data[EI_CLASS] == ELFCLASS32)
			r = parse_elf32(data, size, out, why, n);
		else {
			snprintf(why, n, "unknown ELF class %u", data[EI_CLASS]);
			return -1;
		}
		if (r == 0 && out->nsegs == 0) {
			snprintf(why, n, "no loadable segment");
			r = -1;
		}
	} else {
		out->kind = IMAGE_FLAT;
		out->entry = flat_gpa;
		r = add_segment(out, size, flat_gpa, 0, size, size, why, n);
	}
	if (r == 0 && (out->entry < out->lowest || out->entry >= out->highest)) {
		snprintf(why, n, "entry point 0x%llx is outside the loaded segments", out->entry);
		r = -1;
	}
	if (r != 0)
		memset(out, 0, sizeof(*out));
	return r;
}
