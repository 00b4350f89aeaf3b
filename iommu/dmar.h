/* iommu/dmar.h: the ACPI DMAR table (VT-d DMA remapping reporting): its layout and the parsed form
 * Moat uses: remapping hardware units (DRHD) with their device scopes, RMRRs and ATSRs. */
#ifndef MOAT_DMAR_H
#define MOAT_DMAR_H

#include "../kernel/types.h"
#include "../kernel/acpi_hw.h"

/* --- Table layout (VT-d specification, chapter 8) --- */

struct dmar_table {
	struct acpi_sdt_header hdr;
	u8 host_addr_width; /* N: the platform's DMA address width is N + 1 bits */
	u8 flags;
	u8 reserved[10];
} __packed;

#define DMAR_FLAG_INTR_REMAP BIT(0)
#define DMAR_FLAG_X2APIC_OPT_OUT BIT(1)
#define DMAR_FLAG_DMA_CTRL_OPT_IN BIT(2)

/* Every remapping structure starts with type and length. */
struct dmar_struct_hdr {
	u16 type;
	u16 length;
} __packed;

enum dmar_struct_type {
	DMAR_TYPE_DRHD = 0,
	DMAR_TYPE_RMRR = 1,
	DMAR_TYPE_ATSR = 2,
	DMAR_TYPE_RHSA = 3,
	DMAR_TYPE_ANDD = 4,
	DMAR_TYPE_SATC = 5,
};

struct dmar_drhd_hw {
	struct dmar_struct_hdr h;
	u8 flags;
	u8 size; /* bits 3:0: the register set spans 2^N 4 KiB pages (table revision >= 2) */
	u16 segment;
	u64 base;
} __packed;

#define DMAR_DRHD_INCLUDE_PCI_ALL BIT(0)
#define DMAR_DRHD_SIZE_MASK 0x0f
#define DMAR_DRHD_SIZE_MIN_REV 2

struct dmar_rmrr_hw {
	struct dmar_struct_hdr h;
	u16 reserved;
	u16 segment;
	u64 base;
	u64 limit; /* inclusive: limit + 1 is 4 KiB aligned */
} __packed;

struct dmar_atsr_hw {
	struct dmar_struct_hdr h;
	u8 flags;
	u8 reserved;
	u16 segment;
} __packed;

#define DMAR_ATSR_ALL_PORTS BIT(0)

/* Device scope: header, then (device, function) pairs from start_bus down to the device. */
struct dmar_scope_hw {
	u8 type;
	u8 length;
	u16 reserved;
	u8 enum_id;
	u8 start_bus;
} __packed;

struct dmar_path_hw {
	u8 dev;
	u8 fn;
} __packed;

enum dmar_scope_type {
	DMAR_SCOPE_ENDPOINT = 1,
	DMAR_SCOPE_BRIDGE = 2, /* a bridge and everything below it */
	DMAR_SCOPE_IOAPIC = 3,
	DMAR_SCOPE_HPET = 4,
	DMAR_SCOPE_ACPI_NAMESPACE = 5,
};

#define PCI_DEV_MAX 31
#define PCI_FN_MAX 7

/* --- Parsed form --- */

#define DMAR_MAX_UNITS 8
#define DMAR_MAX_SCOPES 32
#define DMAR_MAX_PATH 8
#define DMAR_MAX_RMRR 16
#define DMAR_MAX_ATSR 8

struct dmar_path_elem {
	u8 dev;
	u8 fn;
};

struct dmar_scope {
	u8 type;    /* enum dmar_scope_type */
	u8 enum_id; /* I/O APIC id, HPET number or ACPI device number, per type */
	u8 start_bus;
	u8 path_len;
	struct dmar_path_elem path[DMAR_MAX_PATH];
};

struct dmar_drhd {
	u64 base; /* register set, page aligned */
	u64 size; /* bytes */
	u16 segment;
	bool include_pci_all;
	u32 nscopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_rmrr {
	u16 segment;
	u64 base;
	u64 limit; /* inclusive */
	u32 nscopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_atsr {
	u16 segment;
	bool all_ports;
	u32 nscopes;
	struct dmar_scope scopes[DMAR_MAX_SCOPES];
};

struct dmar_info {
	u32 haw;  /* host address width in bits (the table's field + 1) */
	u8 flags; /* DMAR_FLAG_* */
	bool intr_remap;
	bool x2apic_opt_out;
	u32 ndrhd;
	struct dmar_drhd drhd[DMAR_MAX_UNITS];
	u32 nrmrr;
	struct dmar_rmrr rmrr[DMAR_MAX_RMRR];
	u32 natsr;
	struct dmar_atsr atsr[DMAR_MAX_ATSR];
};

/* Parses a DMAR table (len bytes at table, checksum already validated by the ACPI code) into *out
 * (zeroed first). Malformed structures and scopes are logged and skipped. Returns 0, or negative
 * when nothing usable was found (no valid DRHD unit). */
int dmar_parse(const void *table, u32 len, struct dmar_info *out);

/* Index of the DRHD unit covering a device, -1 if none. See dmar.c for the path limitation. */
int dmar_unit_for_device(const struct dmar_info *d, u16 seg, u8 bus, u8 dev, u8 fn);

/* Same, for a device known by its full path from a root bus (start bus, then dev/fn hops). */
int dmar_unit_for_path(const struct dmar_info *d, u16 seg, u8 start_bus, const struct dmar_path_elem *path,
		       u32 path_len);

/* Does RMRR r name the device with this path from its root bus? An endpoint scope names exactly that
 * path; a bridge scope names the bridge and every device below it. */
bool dmar_rmrr_names(const struct dmar_rmrr *r, u16 seg, u8 start_bus, const struct dmar_path_elem *path, u32 len);
/* The index of the first RMRR at or after `from` that names the device with this path; the number of
 * RMRRs (d->nrmrr) when none does. Loop: for (i = next(d, 0, ..); i < d->nrmrr; i = next(d, i + 1, ..)). */
u32 dmar_rmrr_next(const struct dmar_info *d, u32 from, u16 seg, u8 start_bus, const struct dmar_path_elem *path,
		   u32 len);
/* Does the inclusive range [base, limit] (an RMRR's) overlap [start, start + size)? False for an empty
 * or inverted range. */
bool dmar_range_overlaps(u64 base, u64 limit, u64 start, u64 size);

#endif
