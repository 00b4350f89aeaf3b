/* boot/efi_main.c: moat.efi's entry. Loads the config and the files it names, finds the ACPI
 * root, allocates Moat's stack and boot info, exits boot services and calls kernel_main. */
#include "boot.h"
#include "measure.h"
#include "../kernel/config.h"
#include "../kernel/console.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define BOOT_STACK_PAGES 16 /* 64 KiB, plus one guard page below it */
#define LOW_PAGE_LIMIT 0x9f000ULL
#define CFG_NAME "moat.cfg"
#define FW_CFG_NAME "opt/moat/moat.cfg"

static struct moat_config boot_cfg; /* large: keep it off the firmware's stack */

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

static u64 find_rsdp(void)
{
	u64 v1 = 0;
	for (UINTN i = 0; i < ST->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &ST->ConfigurationTable[i];
		if (!CompareGuid(&t->VendorGuid, &acpi20_guid))
			return (u64)(UINTN)t->VendorTable;
		if (!CompareGuid(&t->VendorGuid, &acpi10_guid))
			v1 = (u64)(UINTN)t->VendorTable;
	}
	return v1;
}

static int load_config(EFI_HANDLE image, struct boot_info *bi)
{
	u64 addr, size;
	if (boot_fw_cfg_read(FW_CFG_NAME, &addr, &size) == 0) {
		strlcpy(bi->cfg_source, "fw_cfg", sizeof(bi->cfg_source));
	} else {
		EFI_STATUS st = boot_read_file(image, CFG_NAME, &addr, &size);
		if (!EFI_ERROR(st)) {
			strlcpy(bi->cfg_source, "esp", sizeof(bi->cfg_source));
		} else if (st == EFI_NOT_FOUND || st == EFI_UNSUPPORTED || st == EFI_INVALID_PARAMETER) {
			addr = (u64)(UINTN)boot_embedded_cfg;
			size = (u64)(boot_embedded_cfg_end - boot_embedded_cfg);
			strlcpy(bi->cfg_source, "embedded", sizeof(bi->cfg_source));
		} else {
			pr_err("boot", "cannot read \\moat\\%s: EFI status 0x%llx", CFG_NAME, (u64)st);
			return -1;
		}
	}
	bi->cfg_addr = addr;
	bi->cfg_size = size;
	char err[160];
	if (config_parse(CFG_NAME, (const char *)(UINTN)addr, size, &boot_cfg, err, sizeof(err)) != 0) {
		pr_err("config", "%s", err);
		return -1;
	}
	pr_info("boot", "config from %s (%llu bytes)", bi->cfg_source, size);
	return 0;
}

/* Loads \moat\NAME into bi->files once, however many VMs name it. */
static int load_file(EFI_HANDLE image, struct boot_info *bi, const char *vm, const char *what, const char *name)
{
	for (u32 j = 0; j < bi->nfiles; j++)
		if (strcmp(bi->files[j].name, name) == 0)
			return 0;
	if (bi->nfiles == BOOT_MAX_FILES) {
		pr_err("boot", "too many guest images (at most %d)", BOOT_MAX_FILES);
		return -1;
	}
	struct boot_file *f = &bi->files[bi->nfiles];
	EFI_STATUS st = boot_read_file(image, name, &f->addr, &f->size);
	if (EFI_ERROR(st)) {
		pr_err("boot", "vm '%s': cannot read %s \\moat\\%s: EFI status 0x%llx", vm, what, name, (u64)st);
		return -1;
	}
	strlcpy(f->name, name, sizeof(f->name));
	bi->nfiles++;
	pr_info("boot", "loaded %s (%llu bytes)", name, f->size);
	return 0;
}

/* Every file a VM names: its image, or a Linux VM's kernel and initrd. */
static int load_images(EFI_HANDLE image, struct boot_info *bi)
{
	for (u32 i = 0; i < boot_cfg.nvms; i++) {
		const struct cfg_vm *v = &boot_cfg.vms[i];
		if ((v->image[0] && load_file(image, bi, v->name, "image", v->image)) ||
		    (v->kernel[0] && load_file(image, bi, v->name, "kernel", v->kernel)) ||
		    (v->initrd[0] && load_file(image, bi, v->name, "initrd", v->initrd)))
			return -1;
	}
	return 0;
}

/* Called by GNU-EFI's crt0 (System V ABI), after it applied the relocations. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
	boot_image_snapshot(image, systab); /* first: moat.efi as loaded, before its data changes */
	InitializeLib(image, systab);
	boot_console_attach();
	pr_info("boot", "moat.efi started");

	EFI_PHYSICAL_ADDRESS bi_addr;
	EFI_STATUS st = boot_alloc_pages(EFI_SIZE_TO_PAGES(sizeof(struct boot_info)), 0, &bi_addr);
	if (EFI_ERROR(st)) {
		pr_err("boot", "out of memory for the boot info");
		return st;
	}
	struct boot_info *bi = (struct boot_info *)(UINTN)bi_addr;
	memset(bi, 0, sizeof(*bi));
	bi->magic = BOOT_INFO_MAGIC;
	bi->version = BOOT_INFO_VERSION;

	EFI_LOADED_IMAGE *li;
	st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
	if (EFI_ERROR(st)) {
		pr_err("boot", "no loaded-image protocol: EFI status 0x%llx", (u64)st);
		return st;
	}
	bi->image_base = (u64)(UINTN)li->ImageBase;
	bi->image_size = li->ImageSize;

	if (load_config(image, bi) != 0 || load_images(image, bi) != 0) {
		pr_err("boot", "Moat not started; returning to the firmware");
		return EFI_LOAD_ERROR;
	}

	bi->rsdp = find_rsdp();
	boot_measure(image, bi); /* before use: measures, then unseals or creates the master secret */

	EFI_PHYSICAL_ADDRESS stack;
	st = boot_alloc_pages(BOOT_STACK_PAGES + 1, 0, &stack);
	if (EFI_ERROR(st)) {
		pr_err("boot", "out of memory for Moat's stack");
		return st;
	}
	bi->stack_top = stack + (BOOT_STACK_PAGES + 1) * PAGE_SIZE;
	bi->stack_size = BOOT_STACK_PAGES * PAGE_SIZE;

	EFI_PHYSICAL_ADDRESS low;
	if (!EFI_ERROR(boot_alloc_pages(1, LOW_PAGE_LIMIT, &low)))
		bi->low_page = low;
	else
		pr_warn("boot", "no free page below 1 MiB: other CPUs cannot be started");

	pr_info("boot", "exiting boot services");
	st = boot_exit_services(image, bi);
	if (EFI_ERROR(st)) {
		pr_err("boot", "ExitBootServices failed: EFI status 0x%llx", (u64)st);
		return st;
	}
	console_set_sink(NULL);
	boot_handoff(bi, bi->stack_top, kernel_main);
}
