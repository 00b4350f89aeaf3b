/* kernel/pci.h: PCI configuration-space access (ECAM or CF8/CFC) and the table of functions found
 * by enumerating segment 0 at boot. */
#ifndef MOAT_PCI_H
#define MOAT_PCI_H

#include "types.h"
#include "pci_addr.h"

/* Configuration header registers common to header types 0 and 1. */
#define PCI_VENDOR_ID 0x00	 /* 16 bits */
#define PCI_DEVICE_ID 0x02	 /* 16 bits */
#define PCI_COMMAND 0x04	 /* 16 bits */
#define PCI_STATUS 0x06		 /* 16 bits */
#define PCI_CLASS_REVISION 0x08	 /* 32 bits: class code in 31:8, revision in 7:0 */
#define PCI_REVISION_ID 0x08	 /* 8 bits */
#define PCI_HEADER_TYPE 0x0e	 /* 8 bits */
#define PCI_CAPABILITY_LIST 0x34 /* 8 bits, header types 0 and 1 */
/* Header type 1 (PCI-PCI bridge). */
#define PCI_PRIMARY_BUS 0x18
#define PCI_SECONDARY_BUS 0x19
#define PCI_SUBORDINATE_BUS 0x1a
/* Header type 2 (CardBus bridge). */
#define PCI_CB_CAPABILITY_LIST 0x14

#define PCI_COMMAND_IO BIT(0)
#define PCI_COMMAND_MEMORY BIT(1)
#define PCI_COMMAND_MASTER BIT(2) /* Bus Master Enable: the function may issue DMA */
#define PCI_COMMAND_INTX_DISABLE BIT(10)

#define PCI_STATUS_CAP_LIST BIT(4)

#define PCI_HEADER_TYPE_LAYOUT 0x7f /* bits 6:0 */
#define PCI_HEADER_TYPE_MULTIFUNC BIT(7)
#define PCI_HEADER_TYPE_NORMAL 0
#define PCI_HEADER_TYPE_BRIDGE 1
#define PCI_HEADER_TYPE_CARDBUS 2

#define PCI_CLASS_REVISION_SHIFT 8 /* class code = PCI_CLASS_REVISION >> 8 (24 bits) */
#define PCI_REVISION_MASK 0xff
#define PCI_CLASS_BASESUB_SHIFT 8    /* (class code >> 8) = base class << 8 | subclass */
#define PCI_CLASS_BRIDGE_HOST 0x0600 /* base class + subclass */
#define PCI_CLASS_BRIDGE_PCI 0x0604

/* Capability list entries: byte 0 is the id, byte 1 the next pointer (low 2 bits reserved). */
#define PCI_CAP_ID 0
#define PCI_CAP_NEXT 1
#define PCI_CAP_PTR_MASK 0xfc
#define PCI_CAP_PTR_MIN 0x40 /* capabilities live after the 64-byte standard header */
#define PCI_CAP_ID_PM 0x01
#define PCI_CAP_ID_MSI 0x05
#define PCI_CAP_ID_VNDR 0x09
#define PCI_CAP_ID_EXP 0x10
#define PCI_CAP_ID_MSIX 0x11

#define PCI_VENDOR_ABSENT 0xffff /* what a read of a missing function returns */
#define PCI_VENDOR_INVALID 0x0000
#define PCI_DEVS_PER_BUS 32
#define PCI_FNS_PER_DEV 8
#define PCI_CFG_SIZE 256      /* conventional configuration space */
#define PCI_CFG_EXT_SIZE 4096 /* PCIe extended configuration space (ECAM only) */

/* One MCFG allocation: ECAM for buses bus_start..bus_end of a segment; base is the address of bus 0. */
struct pci_ecam_seg {
	u64 base;
	u16 segment;
	u8 bus_start, bus_end;
};

/* One enumerated function. */
struct pci_func {
	struct pci_addr addr;
	u16 vendor, device;
	u32 class_code; /* 24 bits: base class << 16 | subclass << 8 | prog-if */
	u8 hdr_type;	/* as read, including PCI_HEADER_TYPE_MULTIFUNC */
	u8 revision;
	u8 sec_bus, sub_bus; /* header type 1 only: secondary and subordinate bus; else 0 */
	u8 cap_ptr;	     /* first capability, 0 if the function has no capability list */
};

/* A configuration-space accessor. size is 1, 2 or 4; off is aligned to it and below the
 * accessor's space. A read of a function or register the accessor cannot reach returns all-ones;
 * such a write is dropped. */
struct pci_cfg_ops {
	const char *name; /* "ecam" or "cf8": printed in the enumeration summary */
	u32 (*read)(const struct pci_addr *a, u16 off, u8 size);
	void (*write)(const struct pci_addr *a, u16 off, u8 size, u32 val);
};

/* Chooses ECAM (nsegs > 0 and a segment-0 entry) or CF8/CFC, enumerates segment 0 from bus 0,
 * logs each function and turns bus mastering off for every function that is not a host or
 * PCI-PCI bridge. */
void pci_init(const struct pci_ecam_seg *segs, u32 nsegs);
/* Same, through a given accessor (host tests pass a fake configuration space). */
void pci_init_ops(const struct pci_cfg_ops *ops);

u32 pci_count(void);
const struct pci_func *pci_func_at(u32 i);		   /* NULL when i >= pci_count() */
const struct pci_func *pci_find(const struct pci_addr *a); /* NULL if not enumerated */
/* The bridge whose secondary bus is `bus` of segment seg; NULL on a root bus. */
const struct pci_func *pci_parent_bridge(u16 seg, u8 bus);

/* Configuration access through the chosen accessor; all-ones when off is out of range or
 * misaligned, or before pci_init. */
u32 pci_cfg_read32(const struct pci_addr *a, u16 off);
u16 pci_cfg_read16(const struct pci_addr *a, u16 off);
u8 pci_cfg_read8(const struct pci_addr *a, u16 off);
void pci_cfg_write32(const struct pci_addr *a, u16 off, u32 val);
void pci_cfg_write16(const struct pci_addr *a, u16 off, u16 val);
void pci_cfg_write8(const struct pci_addr *a, u16 off, u8 val);

/* Offset of the first capability with this id, or 0. The walk is bounded and survives loops. */
u8 pci_find_cap(const struct pci_addr *a, u8 cap_id);

/* Accessor backends (kernel/pci_ecam.c, kernel/pci_cf8.c). */
#define PCI_ECAM_MAX_SEGS 16
/* Keeps a copy of the usable MCFG entries; returns the ECAM accessor, or NULL when no entry
 * covers segment 0 (then CF8 is used for segment 0). */
const struct pci_cfg_ops *pci_ecam_setup(const struct pci_ecam_seg *segs, u32 nsegs);
extern const struct pci_cfg_ops pci_cf8_ops;

#endif
