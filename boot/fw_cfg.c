/* boot/fw_cfg.c: reads a named file from QEMU's fw_cfg device (I/O ports 0x510/0x511), which
 * emulator test runs use to hand Moat its config. Only probed under EDK II firmware. */
#include "boot.h"
#include "../kernel/cpu.h"
#include "../kernel/string.h"

#define FW_CFG_PORT_SEL 0x510
#define FW_CFG_PORT_DATA 0x511
#define FW_CFG_SIGNATURE 0x0000
#define FW_CFG_FILE_DIR 0x0019
#define FW_CFG_NAME_MAX 56
#define FW_CFG_MAX_FILE (4u << 20)

static void fw_cfg_read(void *buf, u32 len)
{
	u8 *p = buf;
	while (len--)
		*p++ = inb(FW_CFG_PORT_DATA);
}

static u32 be32(u32 v) { return __builtin_bswap32(v); }
static u16 be16(u16 v) { return __builtin_bswap16(v); }

static bool firmware_is_edk2(void)
{
	const CHAR16 *v = ST->FirmwareVendor;
	const CHAR16 *want = L"EDK II";
	if (!v)
		return false;
	for (; *want; want++, v++)
		if (*v != *want)
			return false;
	return true;
}

int boot_fw_cfg_read(const char *name, u64 *addr, u64 *size)
{
	if (!firmware_is_edk2())
		return -1;
	char sig[4];
	outw(FW_CFG_PORT_SEL, FW_CFG_SIGNATURE);
	fw_cfg_read(sig, sizeof(sig));
	if (memcmp(sig, "QEMU", 4) != 0)
		return -1;

	outw(FW_CFG_PORT_SEL, FW_CFG_FILE_DIR);
	u32 count;
	fw_cfg_read(&count, sizeof(count));
	count = be32(count);
	for (u32 i = 0; i < count && i < 4096; i++) {
		struct {
			u32 size;
			u16 select;
			u16 reserved;
			char name[FW_CFG_NAME_MAX];
		} __packed f;
		fw_cfg_read(&f, sizeof(f));
		f.name[FW_CFG_NAME_MAX - 1] = 0;
		if (strcmp(f.name, name) != 0)
			continue;
		u32 len = be32(f.size);
		if (len > FW_CFG_MAX_FILE)
			return -1;
		EFI_PHYSICAL_ADDRESS buf;
		if (EFI_ERROR(boot_alloc_pages(EFI_SIZE_TO_PAGES(len + 1), 0, &buf)))
			return -1;
		outw(FW_CFG_PORT_SEL, be16(f.select));
		fw_cfg_read((void *)(UINTN)buf, len);
		((char *)(UINTN)buf)[len] = 0;
		*addr = buf;
		*size = len;
		return 0;
	}
	return -1;
}
