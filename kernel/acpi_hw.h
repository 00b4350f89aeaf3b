/* kernel/acpi_hw.h: the firmware's ACPI table layouts (RSDP, SDT header, MADT, MCFG, FADT, FACS, TPM2)
 * as packed structs with named constants. Only what Moat reads is described. */
#ifndef MOAT_ACPI_HW_H
#define MOAT_ACPI_HW_H

#include "types.h"

#define ACPI_SIG_LEN 4
#define ACPI_OEM_ID_LEN 6
#define ACPI_RSDP_SIG "RSD PTR "
#define ACPI_RSDP_SIG_LEN 8

/* Root System Description Pointer; the first 20 bytes are the revision 0 (ACPI 1.0) form. */
struct acpi_rsdp {
	char signature[ACPI_RSDP_SIG_LEN];
	u8 checksum; /* covers the first ACPI_RSDP_V1_LEN bytes */
	char oem_id[ACPI_OEM_ID_LEN];
	u8 revision; /* 0: ACPI 1.0 (RSDT only), 2: ACPI 2.0+ (XSDT) */
	u32 rsdt_address;
	/* revision >= 2 */
	u32 length; /* of the whole structure */
	u64 xsdt_address;
	u8 extended_checksum; /* covers length bytes */
	u8 reserved[3];
} __packed;

#define ACPI_RSDP_V1_LEN 20
#define ACPI_RSDP_V2_LEN 36
#define ACPI_RSDP_REV_XSDT 2
#define ACPI_RSDP_MAX_LEN 4096 /* sanity bound on the revision 2 length field */

/* The header every System Description Table starts with. */
struct acpi_sdt_header {
	char signature[ACPI_SIG_LEN];
	u32 length; /* of the whole table, header included */
	u8 revision;
	u8 checksum; /* all length bytes sum to 0 */
	char oem_id[ACPI_OEM_ID_LEN];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

#define ACPI_HDR_LEN 36
#define ACPI_MAX_TABLE_LEN (16u << 20) /* sanity bound: no real table is this large */

/* Generic Address Structure. */
struct acpi_gas {
	u8 space_id;
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;
	u64 address;
} __packed;

#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1
#define ACPI_GAS_PCI_CONFIG 2

/* MADT ("APIC"): header, then variable-length interrupt controller structures. */
struct acpi_madt {
	struct acpi_sdt_header hdr;
	u32 lapic_address;
	u32 flags;
} __packed;

#define ACPI_MADT_PCAT_COMPAT BIT(0)

struct acpi_madt_entry {
	u8 type;
	u8 length;
} __packed;

enum acpi_madt_type {
	ACPI_MADT_LAPIC = 0,
	ACPI_MADT_IOAPIC = 1,
	ACPI_MADT_ISO = 2,
	ACPI_MADT_LAPIC_ADDR_OVERRIDE = 5,
	ACPI_MADT_X2APIC = 9,
};

struct acpi_madt_lapic {
	struct acpi_madt_entry e;
	u8 acpi_uid;
	u8 apic_id;
	u32 flags;
} __packed;

struct acpi_madt_ioapic {
	struct acpi_madt_entry e;
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

struct acpi_madt_iso {
	struct acpi_madt_entry e;
	u8 bus;
	u8 source;
	u32 gsi;
	u16 flags;
} __packed;

struct acpi_madt_lapic_override {
	struct acpi_madt_entry e;
	u16 reserved;
	u64 address;
} __packed;

struct acpi_madt_x2apic {
	struct acpi_madt_entry e;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 acpi_uid;
} __packed;

/* Local APIC / x2APIC flags. */
#define ACPI_MADT_CPU_ENABLED BIT(0)
#define ACPI_MADT_CPU_ONLINE_CAPABLE BIT(1)
#define ACPI_MADT_LAPIC_ID_NONE 0xff /* xAPIC id 0xff is the broadcast id, never a CPU */

/* MCFG: header, 8 reserved bytes, then one allocation per PCI segment (bus range). */
struct acpi_mcfg {
	struct acpi_sdt_header hdr;
	u8 reserved[8];
} __packed;

struct acpi_mcfg_alloc {
	u64 base;
	u16 segment;
	u8 bus_start;
	u8 bus_end;
	u32 reserved;
} __packed;

/* FADT ("FACP"). Revision 1 tables end after flags (116 bytes); later fields are read only when the
 * table's length covers them. */
struct acpi_fadt {
	struct acpi_sdt_header hdr;
	u32 firmware_ctrl; /* FACS, 32-bit */
	u32 dsdt;	   /* DSDT, 32-bit */
	u8 reserved0;
	u8 preferred_pm_profile;
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;
	u16 p_lvl3_lat;
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;
	u8 reserved1;
	u32 flags;
	/* ACPI 2.0+ */
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;
	struct acpi_gas sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

#define ACPI_FADT_V1_LEN 116 /* through flags */
#define ACPI_FADT_RESET_REG_SUP BIT(10)

/* FACS: no SDT header, no checksum; only signature and length are read. */
struct acpi_facs {
	char signature[ACPI_SIG_LEN];
	u32 length;
} __packed;

#define ACPI_FACS_MIN_LEN 64

/* TPM2 table: header, then the fields below (start-method parameters may follow). */
struct acpi_tpm2 {
	struct acpi_sdt_header hdr;
	u16 platform_class;
	u16 reserved;
	u64 control_area;
	u32 start_method;
} __packed;

#define ACPI_TPM2_START_ACPI 2
#define ACPI_TPM2_START_TIS 6 /* FIFO interface over MMIO */
#define ACPI_TPM2_START_CRB 7
#define ACPI_TPM2_START_CRB_ACPI 8

/* AML opcodes the _S5_ search understands (ACPI spec, AML grammar). */
#define AML_ZERO_OP 0x00
#define AML_ONE_OP 0x01
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_QWORD_PREFIX 0x0e
#define AML_PACKAGE_OP 0x12
#define AML_ROOT_CHAR 0x5c /* '\' */
#define AML_ONES_OP 0xff
#define AML_PKGLEN_FOLLOW_SHIFT 6 /* lead byte bits 7:6: count of following length bytes */
#define AML_PKGLEN_SHORT_MASK 0x3f
#define AML_PKGLEN_LONG_MASK 0x0f

#define ACPI_SLP_TYP_MAX 7 /* SLP_TYPx is a 3-bit field of PM1x_CNT */

#endif
