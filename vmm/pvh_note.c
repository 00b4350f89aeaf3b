/* vmm/pvh_note.c: finds a kernel's PVH entry point, the XEN_ELFNOTE_PHYS32_ENTRY note in the
 * PT_NOTE segments of an ELF64 file, checking every offset and size against the file (a file cut
 * short, with a segment past its end, is refused here as truncated). */
#include "pvh.h"
#include "elf.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"

#define NOTE_ALIGN_MIN 4
#define NOTE_ALIGN_ELF64 8
#define NOTE_NAME_LEN 4 /* "Xen" and its NUL */
#define ENTRY_DESC32 4
#define ENTRY_DESC64 8
#define U32_LIMIT 0x100000000ULL
/* bzImage: "MZ" (EFI stub) or a boot sector, then the setup header's "HdrS" at 0x202 */
#define BZ_HDRS_OFF 0x202
#define BZ_HDRS "HdrS"
#define BZ_HDRS_LEN 4

struct nhdr {
	u32 namesz, descsz, type;
} __packed;

/* Walks the notes in [off, off + len) of data; 1 when found (*entry set), 0 when not, -1 on error. */
static int scan_notes(const u8 *data, u64 off, u64 len, u64 align, u32 *entry, char *why, size_t n)
{
	u64 pos = 0;
	while (len - pos >= sizeof(struct nhdr)) {
		struct nhdr nh;
		memcpy(&nh, data + off + pos, sizeof(nh));
		u64 name_at = pos + sizeof(nh);
		u64 name_len = ALIGN_UP((u64)nh.namesz, align);
		u64 desc_len = ALIGN_UP((u64)nh.descsz, align);
		if (name_len > len - name_at || desc_len > len - name_at - name_len) {
			snprintf(why, n,
				 "truncated image: an ELF note at file offset 0x%llx runs past its segment",
				 off + pos);
			return -1;
		}
		u64 desc_at = name_at + name_len;
		if (nh.type == XEN_ELFNOTE_PHYS32_ENTRY && nh.namesz == NOTE_NAME_LEN &&
		    memcmp(data + off + name_at, PVH_NOTE_NAME, NOTE_NAME_LEN) == 0) {
			u64 v = 0;
			if (nh.descsz != ENTRY_DESC32 && nh.descsz != ENTRY_DESC64) {
				snprintf(why, n, "XEN_ELFNOTE_PHYS32_ENTRY has %u bytes, expected 4 or 8",
					 nh.descsz);
				return -1;
			}
			memcpy(&v, data + off + desc_at, nh.descsz);
			if (v >= U32_LIMIT) {
				snprintf(why, n, "PVH entry point 0x%llx is above 4 GiB", v);
				return -1;
			}
			*entry = (u32)v;
			return 1;
		}
		pos = desc_at + desc_len;
	}
	return 0;
}

int pvh_find_entry(const u8 *data, u64 size, u32 *entry, char *why, size_t n)
{
	struct elf64_ehdr eh;
	if (size >= BZ_HDRS_OFF + BZ_HDRS_LEN && memcmp(data + BZ_HDRS_OFF, BZ_HDRS, BZ_HDRS_LEN) == 0) {
		snprintf(why, n,
			 "this is a bzImage, not the ELF vmlinux: unpack it with tools/linux/vmlinux.py");
		return -1;
	}
	if (size < ELF_MAGIC_LEN || memcmp(data, ELF_MAGIC, ELF_MAGIC_LEN) != 0) {
		snprintf(why, n, "not an ELF file");
		return -1;
	}
	if (size < sizeof(eh)) {
		snprintf(why, n, "truncated image: %llu bytes, shorter than an ELF64 header", size);
		return -1;
	}
	memcpy(&eh, data, sizeof(eh));
	if (eh.ident[EI_CLASS] != ELFCLASS64 || eh.ident[EI_DATA] != ELFDATA2LSB || eh.machine != EM_X86_64) {
		snprintf(why, n, "not a little-endian ELF64 x86-64 kernel (class %u, machine %u)",
			 eh.ident[EI_CLASS], eh.machine);
		return -1;
	}
	if (eh.phentsize != sizeof(struct elf64_phdr) || eh.phoff > size ||
	    (u64)eh.phnum * sizeof(struct elf64_phdr) > size - eh.phoff) {
		snprintf(why, n, "truncated image: program headers lie outside the file (%llu bytes)", size);
		return -1;
	}
	for (u32 i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, data + eh.phoff + (u64)i * sizeof(ph), sizeof(ph));
		if (ph.filesz && (ph.offset > size || ph.filesz > size - ph.offset)) {
			snprintf(why, n, "truncated image: the file has %llu bytes, segment %u needs %llu",
				 size, i, ph.offset + ph.filesz < ph.offset ? ~0ULL : ph.offset + ph.filesz);
			return -1;
		}
	}
	for (u32 i = 0; i < eh.phnum; i++) {
		struct elf64_phdr ph;
		memcpy(&ph, data + eh.phoff + (u64)i * sizeof(ph), sizeof(ph));
		if (ph.type != PT_NOTE)
			continue;
		u64 align = ph.align == NOTE_ALIGN_ELF64 ? NOTE_ALIGN_ELF64 : NOTE_ALIGN_MIN;
		int r = scan_notes(data, ph.offset, ph.filesz, align, entry, why, n);
		if (r != 0)
			return r > 0 ? 0 : -1;
	}
	snprintf(why, n,
		 "no PVH entry point: the kernel has no XEN_ELFNOTE_PHYS32_ENTRY note (built without "
		 "CONFIG_PVH?)");
	return -1;
}
