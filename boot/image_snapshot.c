/* boot/image_snapshot.c: "moat.efi as loaded", for the measured launch. The first thing efi_main does
 * is copy its own loaded image, before any of Moat's code writes to its data; the copy is later put
 * back into link-time form (every R_X86_64_RELATIVE slot that GNU-EFI's crt0 relocated gets its
 * link-time value, the addend) so the digest does not depend on where the firmware loaded Moat.
 * The digest covers the image from .text to the end of SizeOfImage: code, constants, initialised
 * data and relocation tables. The PE headers before .text are left out because the firmware's loader
 * rewrites their ImageBase field with the load address. */
#include "boot.h"
#include "measure.h"
#include "../kernel/crypto.h"
#include "../kernel/string.h"

#define DT_NULL 0
#define DT_RELA 7
#define DT_RELASZ 8
#define DT_RELAENT 9
#define R_X86_64_RELATIVE 8
#define ELF_R_TYPE(info) ((u32)(info))

struct elf_dyn {
	s64 tag;
	u64 val;
};

struct elf_rela {
	u64 offset;
	u64 info;
	s64 addend;
};

extern const struct elf_dyn _DYNAMIC[] __attribute__((visibility("hidden")));
extern const u8 ImageBase[] __attribute__((visibility("hidden")));
extern const u8 _text[] __attribute__((visibility("hidden")));

static u8 *snap;
static u64 snap_size;

void boot_image_snapshot(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	EFI_BOOT_SERVICES *bs = systab->BootServices;
	EFI_GUID lip = LOADED_IMAGE_PROTOCOL;
	EFI_LOADED_IMAGE *li;
	if (EFI_ERROR(uefi_call_wrapper(bs->HandleProtocol, 3, image, &lip, (void **)&li)))
		return;
	EFI_PHYSICAL_ADDRESS buf;
	UINTN pages = EFI_SIZE_TO_PAGES(li->ImageSize);
	if (EFI_ERROR(uefi_call_wrapper(bs->AllocatePages, 4, AllocateAnyPages, EfiLoaderData, pages, &buf)))
		return;
	snap = (u8 *)(UINTN)buf;
	snap_size = li->ImageSize;
	const u8 *src = li->ImageBase;
	for (u64 i = 0; i < snap_size; i++) /* plain loop: runs before anything else is set up */
		snap[i] = src[i];
}

int boot_image_digest(u8 out[BOOT_DIGEST_LEN], u64 *measured)
{
	if (!snap)
		return -1;
	u64 rela = 0, relasz = 0, relaent = sizeof(struct elf_rela);
	for (const struct elf_dyn *d = _DYNAMIC; d->tag != DT_NULL; d++) {
		if (d->tag == DT_RELA)
			rela = d->val;
		else if (d->tag == DT_RELASZ)
			relasz = d->val;
		else if (d->tag == DT_RELAENT)
			relaent = d->val;
	}
	for (u64 off = 0; relaent && off + relaent <= relasz; off += relaent) {
		const struct elf_rela *r = (const void *)(ImageBase + rela + off);
		if (ELF_R_TYPE(r->info) == R_X86_64_RELATIVE && r->offset + sizeof(u64) <= snap_size)
			memcpy(snap + r->offset, &r->addend, sizeof(u64));
	}
	u64 start = (u64)(_text - ImageBase);
	if (start >= snap_size)
		return -1;
	*measured = snap_size - start;
	sha256(snap + start, *measured, out);
	return 0;
}
