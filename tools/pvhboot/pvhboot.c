/* tools/pvhboot/pvhboot.c: a bare PVH loader for the Linux boot benchmark: loads \linux\vmlinux,
 * \linux\initrd and \linux\cmdline from its own volume, places the kernel at its p_paddr,
 * builds hvm_start_info with Moat's own code (vmm/pvh_*.c) and the firmware's memory map, exits
 * boot services and enters the kernel at its PVH entry (pvhboot_jump.asm, which copies the
 * kernel into place first). Its last line on COM1, "pvhboot: tsc 0x<hex>", is the TSC at the
 * PVH entry. On any error it prints "pvhboot: <reason>" and powers the machine off. */
#include "pvhboot.h"
#include "../../boot/boot.h"
#include "../../kernel/fmt.h"
#include "../../kernel/string.h"

#define DIR L"\\linux\\"
#define BELOW_1M 0xFFFFFULL
#define BELOW_4G 0xFFFFFFFFULL
#define LOW_PAGES 3 /* the info page, the command line page, the copy table */
#define MAP_SLACK_DESCS 32
#define EXIT_RETRIES 8
#define MSG_MAX 256

static char msg[MSG_MAX];

/* Reports msg and powers the machine off (an emulator run ends at once instead of falling
 * through to the next boot option); returns only if the firmware cannot power off. */
static EFI_STATUS fail(EFI_STATUS st)
{
	Print(L"pvhboot: %a\n", msg);
	uefi_call_wrapper(RT->ResetSystem, 4, EfiResetShutdown, EFI_ABORTED, 0, NULL);
	return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}

static EFI_STATUS alloc(EFI_ALLOCATE_TYPE how, EFI_MEMORY_TYPE type, u64 bytes, u64 *addr)
{
	EFI_PHYSICAL_ADDRESS a = *addr;
	EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, how, type, EFI_SIZE_TO_PAGES(bytes), &a);
	*addr = a;
	return st;
}

/* Reserves what is free of the kernel's range [lo, hi) now, so that nothing pvhboot allocates
 * lands there; the rest belongs to boot services until ExitBootServices (OVMF keeps data around
 * 16 MiB): pvhboot_jump.asm copies the kernel only after that, with paging off. */
static EFI_STATUS claim_range(u64 lo, u64 hi)
{
	UINTN size = 0, key, dsize;
	UINT32 ver;
	uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &dsize, &ver);
	size += MAP_SLACK_DESCS * dsize;
	u8 *map = AllocatePool(size);
	if (!map)
		return EFI_OUT_OF_RESOURCES;
	EFI_STATUS st =
	    uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)map, &key, &dsize, &ver);
	for (UINTN off = 0; !EFI_ERROR(st) && off + dsize <= size; off += dsize) {
		const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
		u64 s = MAX(d->PhysicalStart, lo),
		    e = MIN(d->PhysicalStart + d->NumberOfPages * PAGE_SIZE, hi);
		if (d->Type == EfiConventionalMemory && s < e)
			st = alloc(AllocateAddress, EfiLoaderData, e - s, &s);
	}
	FreePool(map);
	return st;
}

/* The copy table for pvhboot_jump.asm, at table (PAGE_SIZE bytes). */
static void copy_table(const struct pvh_kernel *k, u64 file, struct pvhboot_copy *table)
{
	u32 n = 0;
	for (u32 i = 0; i < k->image.nsegs; i++) {
		const struct image_segment *s = &k->image.segs[i];
		table[n++] = (struct pvhboot_copy){(u32)s->gpa, (u32)(file + s->offset), (u32)s->filesz,
						   (u32)s->memsz};
	}
	table[n] = (struct pvhboot_copy){0, 0, 0, 0};
}

static bool overlaps(u64 a, u64 asize, u64 lo, u64 hi)
{
	return a < hi && lo < a + asize;
}

static u64 find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID;
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
		if (CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &acpi20) == 0)
			return (u64)(UINTN)ST->ConfigurationTable[i].VendorTable;
	return 0;
}

static void trim_line(char *s, u64 len)
{
	while (len && (s[len - 1] == '\n' || s[len - 1] == '\r' || s[len - 1] == ' '))
		s[--len] = 0;
}

static u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (u64)hi << 32 | lo;
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	static struct hvm_memmap_table_entry e820[PVHBOOT_E820_MAX];
	struct pvh_kernel k;
	u64 kfile, ksize, initrd = 0, isize = 0, cfile = 0, csize = 0;
	InitializeLib(image, systab);

	EFI_STATUS st = boot_read_file_in(image, DIR, "vmlinux", BELOW_4G, &kfile, &ksize);
	if (EFI_ERROR(st)) {
		snprintf(msg, sizeof(msg), "cannot read \\linux\\vmlinux (status 0x%llx)", (u64)st);
		return fail(st);
	}
	if (pvh_kernel_parse((const u8 *)(UINTN)kfile, ksize, &k, msg, sizeof(msg)) != 0)
		return fail(EFI_LOAD_ERROR);
	u64 lo = ALIGN_DOWN(k.image.lowest, PAGE_SIZE), hi = ALIGN_UP(k.image.highest, PAGE_SIZE);
	if (hi > BELOW_4G || overlaps(kfile, ksize, lo, hi)) {
		snprintf(msg, sizeof(msg),
			 "vmlinux was read to 0x%llx, inside the kernel's range 0x%llx-0x%llx", kfile, lo,
			 hi);
		return fail(EFI_LOAD_ERROR);
	}
	st = claim_range(lo, hi);
	if (EFI_ERROR(st)) {
		snprintf(msg, sizeof(msg), "cannot reserve the kernel's range 0x%llx-0x%llx (status 0x%llx)",
			 lo, hi, (u64)st);
		return fail(st);
	}
	st = boot_read_file_in(image, DIR, "initrd", BELOW_4G, &initrd, &isize);
	if (EFI_ERROR(st) && st != EFI_NOT_FOUND) {
		snprintf(msg, sizeof(msg), "cannot read \\linux\\initrd (status 0x%llx)", (u64)st);
		return fail(st);
	}
	if (!EFI_ERROR(boot_read_file_in(image, DIR, "cmdline", 0, &cfile, &csize)))
		trim_line((char *)(UINTN)cfile, csize);

	u64 low = BELOW_1M, jump = BELOW_1M;
	st = alloc(AllocateMaxAddress, EfiLoaderData, LOW_PAGES * PAGE_SIZE, &low);
	if (!EFI_ERROR(st))
		st = alloc(AllocateMaxAddress, EfiLoaderCode, PAGE_SIZE, &jump);
	if (EFI_ERROR(st)) {
		snprintf(msg, sizeof(msg), "no free page below 1 MiB (status 0x%llx)", (u64)st);
		return fail(st);
	}
	u64 info = low, cmdline = low + PAGE_SIZE, table = low + 2 * PAGE_SIZE;
	copy_table(&k, kfile, (struct pvhboot_copy *)(UINTN)table);
	if (pvh_cmdline_write(cfile ? (const char *)(UINTN)cfile : "", (char *)(UINTN)cmdline, msg,
			      sizeof(msg)))
		return fail(EFI_INVALID_PARAMETER);
	memcpy((void *)(UINTN)jump, pvhboot_jump_start, (size_t)(pvhboot_jump_end - pvhboot_jump_start));
	Print(L"pvhboot: vmlinux %lu bytes, entry 0x%x; initrd %lu bytes at 0x%lx; tsc %lu\n", ksize, k.entry,
	      isize, initrd, rdtsc());

	UINTN map_size = 0, key, desc_size;
	UINT32 desc_ver;
	uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, NULL, &key, &desc_size, &desc_ver);
	UINTN buf_size = map_size + MAP_SLACK_DESCS * desc_size;
	u8 *map = AllocatePool(buf_size);
	if (!map) {
		snprintf(msg, sizeof(msg), "out of memory for the memory map");
		return fail(EFI_OUT_OF_RESOURCES);
	}
	struct pvh_boot_params p = {.info_gpa = info,
				    .cmdline_gpa = cmdline,
				    .initrd_gpa = initrd,
				    .initrd_size = isize,
				    .rsdp_gpa = find_rsdp(),
				    .memmap = e820};
	for (int tries = 0;; tries++) {
		map_size = buf_size;
		st = uefi_call_wrapper(BS->GetMemoryMap, 5, &map_size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
				       &desc_size, &desc_ver);
		if (EFI_ERROR(st)) {
			snprintf(msg, sizeof(msg), "GetMemoryMap failed (status 0x%llx)", (u64)st);
			return fail(st);
		}
		int n = pvhboot_e820(map, map_size, desc_size, e820, PVHBOOT_E820_MAX);
		if (n < 0) {
			snprintf(msg, sizeof(msg), "the memory map has more than %d entries",
				 PVHBOOT_E820_MAX);
			return fail(EFI_BUFFER_TOO_SMALL);
		}
		p.nmemmap = (u32)n;
		if (pvh_start_info_write(&p, (u8 *)(UINTN)info, msg, sizeof(msg)))
			return fail(EFI_BUFFER_TOO_SMALL);
		st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
		if (!EFI_ERROR(st))
			break;
		if (tries == EXIT_RETRIES) {
			snprintf(msg, sizeof(msg), "ExitBootServices failed (status 0x%llx)", (u64)st);
			return fail(st);
		}
	}
	char line[MSG_MAX];
	snprintf(line, sizeof(line), "pvhboot: entry 0x%x start_info 0x%llx, %u memory map entries\n",
		 k.entry, info, p.nmemmap);
	pvhboot_serial(line);
	((pvhboot_jump_fn)(UINTN)jump)(k.entry, info, (const struct pvhboot_copy *)(UINTN)table);
}
