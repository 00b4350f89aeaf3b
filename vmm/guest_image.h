/* vmm/guest_image.h: guest image formats: ELF64 (x86-64) and ELF32 (i386) executables, and flat
 * binaries (anything without the ELF magic). Parsing is pure and checks every offset and size
 * against the file, so host unit tests and fuzzers can run it on arbitrary bytes. */
#ifndef MOAT_GUEST_IMAGE_H
#define MOAT_GUEST_IMAGE_H

#include "../kernel/types.h"

#define IMAGE_MAX_SEGMENTS 16

enum image_kind { IMAGE_ELF64, IMAGE_ELF32, IMAGE_FLAT };

struct image_segment {
	u64 gpa;      /* guest-physical load address */
	u64 offset;   /* in the file */
	u64 filesz;   /* bytes copied from the file */
	u64 memsz;    /* bytes the segment occupies (the rest is zero) */
};

struct guest_image {
	enum image_kind kind;
	u64 entry;
	u64 lowest, highest; /* guest-physical span of all segments: [lowest, highest) */
	u32 nsegs;
	struct image_segment segs[IMAGE_MAX_SEGMENTS];
};

/* Parses size bytes at data. flat_gpa: where a flat binary goes. 0, or -1 with why. */
int guest_image_parse(const u8 *data, u64 size, u64 flat_gpa, struct guest_image *out, char *why, size_t why_size);
/* "ELF64", "ELF32" or "flat binary". */
const char *guest_image_kind_name(enum image_kind k);

#endif
