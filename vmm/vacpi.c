/* vmm/vacpi.c: builds the ACPI tables of vacpi.h (field offsets from the ACPI 6.4 specification,
 * chapter 5.2). Layout in the page: RSDP at +0, XSDT at +0x40, FADT at +0x80, MADT at +0x1C0, DSDT
 * at +0x200 (its PCI host bridge, when asked for, from vacpi_pci.c). Every table carries a correct
 * checksum; OEM fields say "MOAT". */
#include "vacpi.h"
#include "../kernel/string.h"

#define OFF_RSDP 0x000
#define OFF_XSDT 0x040
#define OFF_FADT 0x080
#define OFF_MADT 0x1c0
#define OFF_DSDT 0x200

/* System description table header */
#define HDR_LENGTH 4
#define HDR_REVISION 8
#define HDR_CHECKSUM 9
#define HDR_OEM_ID 10
#define HDR_OEM_TABLE_ID 16
#define HDR_OEM_REVISION 24
#define HDR_CREATOR_ID 28
#define HDR_CREATOR_REVISION 32
#define HDR_SIZE 36

/* RSDP */
#define RSDP_CHECKSUM 8
#define RSDP_OEM_ID 9
#define RSDP_REVISION 15
#define RSDP_RSDT 16
#define RSDP_LENGTH 20
#define RSDP_XSDT 24
#define RSDP_EXT_CHECKSUM 32
#define RSDP_V1_SIZE 20
#define RSDP_SIZE 36
#define RSDP_REVISION_2 2

/* FADT (revision 6) */
#define FADT_DSDT 40
#define FADT_PM_PROFILE 45
#define FADT_IAPC_BOOT_ARCH 109
#define FADT_FLAGS 112
#define FADT_RESET_REG 116
#define FADT_RESET_VALUE 128
#define FADT_MINOR_VERSION 131
#define FADT_X_DSDT 140
#define FADT_SLEEP_CONTROL 244
#define FADT_SLEEP_STATUS 256
#define FADT_HYPERVISOR_ID 268
#define FADT_SIZE 276
#define FADT_REVISION 6
#define FADT_MINOR 4
#define PM_PROFILE_UNSPECIFIED 0
#define BOOT_ARCH_VGA_NOT_PRESENT BIT(2)
#define BOOT_ARCH_CMOS_RTC_NOT_PRESENT BIT(5)
#define FADT_FLAG_WBINVD BIT(0)
#define FADT_FLAG_RESET_REG_SUP BIT(10)
#define FADT_FLAG_HW_REDUCED BIT(20)

/* Generic address structure */
#define GAS_SPACE 0
#define GAS_BIT_WIDTH 1
#define GAS_BIT_OFFSET 2
#define GAS_ACCESS_SIZE 3
#define GAS_ADDRESS 4
#define GAS_SPACE_IO 1
#define GAS_ACCESS_BYTE 1
#define BYTE_BITS 8

/* MADT (revision 5) */
#define MADT_LAPIC_ADDR 36
#define MADT_FLAGS 40
#define MADT_ENTRIES 44
#define MADT_REVISION 5
#define MADT_LAPIC_ADDR_DEFAULT 0xfee00000U
#define MADT_TYPE_LAPIC 0
#define MADT_LAPIC_LEN 8
#define LAPIC_ENTRY_UID 2
#define LAPIC_ENTRY_ID 3
#define LAPIC_ENTRY_FLAGS 4
#define LAPIC_ENABLED BIT(0)

#define XSDT_REVISION 1
#define DSDT_REVISION 2 /* 64-bit integers */
#define XSDT_ENTRIES 2
#define PCI_AML_MAX (VACPI_PCI_AML_MAX) /* the host bridge's AML (vacpi_pci.c), at most */

static const char oem_id[6] = {'M', 'O', 'A', 'T', ' ', ' '};
static const char oem_table_id[8] = {'M', 'O', 'A', 'T', 'V', 'M', ' ', ' '};
static const char creator_id[4] = {'M', 'O', 'A', 'T'};

/* DSDT body (AML, ACPI 6.4 chapter 20), assembled by hand:
 *   Name (\_S5, Package () { 5, 5, 0, 0 })            SLP_TYP for S5 (VACPI_S5_TYP)
 *   Scope (\_SB) {
 *     Device (COM1) {
 *       Name (_HID, EisaId ("PNP0501"))                 a 16550
 *       Name (_CRS, ResourceTemplate () { IO (Decode16, 0x3F8, 0x3F8, 0, 8) })   and no IRQ
 *     }
 *   }
 * PkgLength bytes count themselves and what follows them in the package. */
static const u8 dsdt_aml[] = {
	0x08, '\\', '_', 'S', '5', '_',                    /* NameOp \_S5_ */
	0x12, 0x08, 0x04,                                   /* PackageOp, PkgLength 8, 4 elements */
	0x0a, VACPI_S5_TYP, 0x0a, VACPI_S5_TYP, 0x00, 0x00, /* BytePrefix 5, BytePrefix 5, Zero, Zero */
	0x10, 0x2a, '\\', '_', 'S', 'B', '_',               /* ScopeOp, PkgLength 42, \_SB_ */
	0x5b, 0x82, 0x22, 'C', 'O', 'M', '1',               /* DeviceOp, PkgLength 34, COM1 */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01, /* _HID DWordConst EISAID PNP0501 */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,   /* _CRS BufferOp, PkgLength 13, size 10 */
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,     /* IO Decode16 0x3F8-0x3F8, align 0, 8 ports */
	0x79, 0x00,                                         /* End tag */
};

static void put8(u8 *p, u32 off, u8 v) { p[off] = v; }
static void put16(u8 *p, u32 off, u16 v) { memcpy(p + off, &v, sizeof(v)); }
static void put32(u8 *p, u32 off, u32 v) { memcpy(p + off, &v, sizeof(v)); }
static void put64(u8 *p, u32 off, u64 v) { memcpy(p + off, &v, sizeof(v)); }

static u8 checksum(const u8 *p, u32 len)
{
	u8 sum = 0;
	for (u32 i = 0; i < len; i++)
		sum = (u8)(sum + p[i]);
	return (u8)(0x100 - sum);
}

static void header(u8 *t, const char sig[4], u32 len, u8 rev)
{
	memcpy(t, sig, 4);
	put32(t, HDR_LENGTH, len);
	put8(t, HDR_REVISION, rev);
	memcpy(t + HDR_OEM_ID, oem_id, sizeof(oem_id));
	memcpy(t + HDR_OEM_TABLE_ID, oem_table_id, sizeof(oem_table_id));
	put32(t, HDR_OEM_REVISION, 1);
	memcpy(t + HDR_CREATOR_ID, creator_id, sizeof(creator_id));
	put32(t, HDR_CREATOR_REVISION, 1);
}

static void seal(u8 *t)
{
	u32 len;
	memcpy(&len, t + HDR_LENGTH, sizeof(len));
	t[HDR_CHECKSUM] = 0;
	t[HDR_CHECKSUM] = checksum(t, len);
}

static void gas_io(u8 *p, u32 off, u16 port)
{
	put8(p, off + GAS_SPACE, GAS_SPACE_IO);
	put8(p, off + GAS_BIT_WIDTH, BYTE_BITS);
	put8(p, off + GAS_BIT_OFFSET, 0);
	put8(p, off + GAS_ACCESS_SIZE, GAS_ACCESS_BYTE);
	put64(p, off + GAS_ADDRESS, port);
}

static void build_fadt(u8 *t, u64 dsdt)
{
	header(t, "FACP", FADT_SIZE, FADT_REVISION);
	put32(t, FADT_DSDT, (u32)dsdt);
	put8(t, FADT_PM_PROFILE, PM_PROFILE_UNSPECIFIED);
	/* no 8042 and no legacy devices (bits left clear), no VGA, no CMOS clock */
	put16(t, FADT_IAPC_BOOT_ARCH, BOOT_ARCH_VGA_NOT_PRESENT | BOOT_ARCH_CMOS_RTC_NOT_PRESENT);
	put32(t, FADT_FLAGS, FADT_FLAG_WBINVD | FADT_FLAG_RESET_REG_SUP | FADT_FLAG_HW_REDUCED);
	gas_io(t, FADT_RESET_REG, VACPI_RESET_PORT);
	put8(t, FADT_RESET_VALUE, VACPI_RESET_VALUE);
	put8(t, FADT_MINOR_VERSION, FADT_MINOR);
	put64(t, FADT_X_DSDT, dsdt);
	gas_io(t, FADT_SLEEP_CONTROL, VACPI_SLEEP_CONTROL_PORT);
	gas_io(t, FADT_SLEEP_STATUS, VACPI_SLEEP_STATUS_PORT);
	memcpy(t + FADT_HYPERVISOR_ID, "MoatMoat", 8);
	seal(t);
}

static void build_madt(u8 *t)
{
	u32 len = MADT_ENTRIES + MADT_LAPIC_LEN;
	header(t, "APIC", len, MADT_REVISION);
	put32(t, MADT_LAPIC_ADDR, MADT_LAPIC_ADDR_DEFAULT);
	put32(t, MADT_FLAGS, 0); /* no dual 8259 */
	u8 *e = t + MADT_ENTRIES;
	put8(e, 0, MADT_TYPE_LAPIC);
	put8(e, 1, MADT_LAPIC_LEN);
	put8(e, LAPIC_ENTRY_UID, 0);
	put8(e, LAPIC_ENTRY_ID, 0);
	put32(e, LAPIC_ENTRY_FLAGS, LAPIC_ENABLED);
	seal(t);
}

u64 vacpi_build(u8 *buf, size_t size, u64 gpa, const struct vacpi_pci *pci)
{
	u8 pci_aml[PCI_AML_MAX];
	size_t pci_len = 0;
	if (pci && !(pci_len = vacpi_pci_aml(pci, pci_aml, sizeof(pci_aml))))
		return 0;
	u32 dsdt_len = (u32)(HDR_SIZE + sizeof(dsdt_aml) + pci_len);
	if (size < OFF_DSDT + dsdt_len)
		return 0;
	memset(buf, 0, size);
	u8 *rsdp = buf + OFF_RSDP, *xsdt = buf + OFF_XSDT, *dsdt = buf + OFF_DSDT;

	header(dsdt, "DSDT", dsdt_len, DSDT_REVISION);
	memcpy(dsdt + HDR_SIZE, dsdt_aml, sizeof(dsdt_aml));
	memcpy(dsdt + HDR_SIZE + sizeof(dsdt_aml), pci_aml, pci_len); /* a second Scope (\_SB) */
	seal(dsdt);
	build_fadt(buf + OFF_FADT, gpa + OFF_DSDT);
	build_madt(buf + OFF_MADT);

	header(xsdt, "XSDT", HDR_SIZE + XSDT_ENTRIES * sizeof(u64), XSDT_REVISION);
	put64(xsdt, HDR_SIZE, gpa + OFF_FADT);
	put64(xsdt, HDR_SIZE + sizeof(u64), gpa + OFF_MADT);
	seal(xsdt);

	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + RSDP_OEM_ID, oem_id, sizeof(oem_id));
	put8(rsdp, RSDP_REVISION, RSDP_REVISION_2);
	put32(rsdp, RSDP_RSDT, 0); /* XSDT only */
	put32(rsdp, RSDP_LENGTH, RSDP_SIZE);
	put64(rsdp, RSDP_XSDT, gpa + OFF_XSDT);
	rsdp[RSDP_CHECKSUM] = checksum(rsdp, RSDP_V1_SIZE);
	rsdp[RSDP_EXT_CHECKSUM] = checksum(rsdp, RSDP_SIZE);
	return gpa + OFF_RSDP;
}
