/* vmm/pvh_kernel.c: a vmlinux for PVH boot: its entry note (pvh_note.c) and its loadable
 * segments (guest_image.c: overlap, sizes), with the entry inside a segment. A cut-off file is
 * refused by pvh_find_entry, which checks every program header against the file's size. */
#include "pvh.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"

#define NO_FLAT_GPA 0 /* pvh_find_entry has made sure it is ELF64: never a flat binary */

int pvh_kernel_parse(const u8 *data, u64 size, struct pvh_kernel *out, char *why, size_t n)
{
	memset(out, 0, sizeof(*out));
	if (pvh_find_entry(data, size, &out->entry, why, n) != 0)
		return -1;
	if (guest_image_parse(data, size, NO_FLAT_GPA, &out->image, why, n) != 0) {
		memset(out, 0, sizeof(*out));
		return -1;
	}
	for (u32 i = 0; i < out->image.nsegs; i++) {
		const struct image_segment *s = &out->image.segs[i];
		if (out->entry >= s->gpa && out->entry < s->gpa + s->memsz)
			return 0;
	}
	snprintf(why, n, "PVH entry point 0x%x is outside the kernel's loadable segments", out->entry);
	memset(out, 0, sizeof(*out));
	return -1;
}
