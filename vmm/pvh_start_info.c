/* vmm/pvh_start_info.c: writes the PVH boot information: hvm_start_info (version 1), the module
 * list with the initrd, the memory map, and the command line, as the guest will find them. */
#include "pvh.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"

_Static_assert(sizeof(struct hvm_start_info) == 56, "hvm_start_info is 56 bytes");
_Static_assert(sizeof(struct hvm_modlist_entry) == 32, "hvm_modlist_entry is 32 bytes");
_Static_assert(sizeof(struct hvm_memmap_table_entry) == 24, "hvm_memmap_table_entry is 24 bytes");
_Static_assert(PVH_MODLIST_OFF >= sizeof(struct hvm_start_info), "module list after start_info");
_Static_assert(PVH_MEMMAP_OFF >= PVH_MODLIST_OFF + sizeof(struct hvm_modlist_entry), "memmap after modlist");

void pvh_boot_params_from_layout(const struct pvh_layout *l, u64 rsdp_gpa, struct pvh_boot_params *p)
{
	*p = (struct pvh_boot_params){
	    .info_gpa = l->info_gpa,
	    .cmdline_gpa = l->cmdline_gpa,
	    .initrd_gpa = l->initrd_gpa,
	    .initrd_size = l->initrd_size,
	    .rsdp_gpa = rsdp_gpa,
	    .memmap = l->memmap,
	    .nmemmap = l->nmemmap,
	};
}

int pvh_start_info_write(const struct pvh_boot_params *p, u8 *page, char *why, size_t n)
{
	if (p->nmemmap == 0 || p->nmemmap > PVH_MEMMAP_MAX) {
		snprintf(why, n, "memory map of %u entries (at most %llu fit in the boot information page)",
			 p->nmemmap, (u64)PVH_MEMMAP_MAX);
		return -1;
	}
	memset(page, 0, PVH_INFO_SIZE);
	struct hvm_start_info si = {
	    .magic = HVM_START_MAGIC,
	    .version = HVM_START_VERSION,
	    .cmdline_paddr = p->cmdline_gpa,
	    .rsdp_paddr = p->rsdp_gpa,
	    .memmap_paddr = p->info_gpa + PVH_MEMMAP_OFF,
	    .memmap_entries = p->nmemmap,
	};
	if (p->initrd_size) {
		struct hvm_modlist_entry mod = {.paddr = p->initrd_gpa, .size = p->initrd_size};
		si.nr_modules = 1;
		si.modlist_paddr = p->info_gpa + PVH_MODLIST_OFF;
		memcpy(page + PVH_MODLIST_OFF, &mod, sizeof(mod));
	}
	memcpy(page, &si, sizeof(si));
	memcpy(page + PVH_MEMMAP_OFF, p->memmap, p->nmemmap * sizeof(*p->memmap));
	return 0;
}

int pvh_cmdline_write(const char *cmdline, char *dst, char *why, size_t n)
{
	size_t len = strnlen(cmdline, PVH_CMDLINE_MAX);
	if (len >= PVH_CMDLINE_MAX) {
		snprintf(why, n, "command line too long (at most %d characters)", PVH_CMDLINE_MAX - 1);
		return -1;
	}
	memcpy(dst, cmdline, len + 1);
	return 0;
}
