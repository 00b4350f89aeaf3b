/* kernel/tpm.h: TPM 2.0 detection: where the TPM is and which register interface (CRB or TIS/FIFO)
 * it speaks (TCG PC Client PTP and TCG ACPI specifications). */
#ifndef MOAT_TPM_H
#define MOAT_TPM_H

#include "types.h"

#define TPM_DEFAULT_BASE 0xfed40000ULL /* locality 0 of a PC TPM */
#define TPM_LOCALITY_SIZE 0x1000

/* ACPI TPM2 table "Start Method" values. */
#define TPM2_START_ACPI 2     /* CRB started through an ACPI _DSM */
#define TPM2_START_TIS 6      /* memory-mapped FIFO (TIS) interface */
#define TPM2_START_CRB 7      /* command response buffer */
#define TPM2_START_CRB_ACPI 8 /* CRB, started through an ACPI _DSM */

/* Registers at the locality 0 base common to both interfaces. */
#define TPM_INTERFACE_ID 0x30	/* 32 bits (CRB: the low half of TPM_CRB_INTF_ID) */
#define TPM_INTF_TYPE_MASK 0xfu /* bits 3:0 */
#define TPM_INTF_TYPE_FIFO 0x0	/* FIFO interface of the PTP spec (TPM 2.0) */
#define TPM_INTF_TYPE_CRB 0x1
#define TPM_INTF_TYPE_TIS13 0xf	 /* TIS 1.3 register set, without an interface id */
#define TPM_INTF_VERSION_SHIFT 4 /* bits 7:4 */
#define TPM_INTF_VERSION_MASK 0xfu
#define TPM_INTF_CAP_LOCALITY BIT(8)
#define TPM_INTF_CAP_FIFO BIT(13)
#define TPM_INTF_CAP_CRB BIT(14)
#define TPM_INTF_SEL_SHIFT 17 /* bits 18:17 */
#define TPM_INTF_SEL_MASK 0x3u
#define TPM_INTF_SEL_LOCK BIT(19)

/* CRB registers. */
#define TPM_CRB_INTF_ID_HI 0x34 /* vendor id in 15:0, device id in 31:16 */
#define TPM_CRB_CTRL_REQ 0x40	/* first register of the CRB control area */

/* TIS/FIFO registers. */
#define TPM_TIS_INTF_CAPABILITY 0x14
#define TPM_TIS_INTF_VERSION_SHIFT 28 /* bits 30:28 */
#define TPM_TIS_INTF_VERSION_MASK 0x7u
#define TPM_TIS_INTF_VERSION_1_21 0	/* TIS 1.21 or earlier: TPM 1.2 */
#define TPM_TIS_INTF_VERSION_1_3 2	/* TIS 1.3: TPM 1.2 */
#define TPM_TIS_INTF_VERSION_1_3_TPM2 3 /* TIS 1.3 for TPM 2.0 */
#define TPM_TIS_DID_VID 0xf00		/* vendor id in 15:0, device id in 31:16 */
#define TPM_VID_MASK 0xffffu
#define TPM_DID_SHIFT 16

enum tpm_iface { TPM_IFACE_NONE = 0, TPM_IFACE_TIS, TPM_IFACE_CRB };

struct tpm_info {
	bool present; /* a TPM 2.0 that Moat can drive */
	enum tpm_iface iface;
	u64 base;    /* locality 0 */
	u32 did_vid; /* device id << 16 | vendor id */
	u32 intf_id; /* TPM_INTERFACE_ID as read */
};

/* Finds the TPM from the ACPI TPM2 table's start method and control area (or at the default base
 * when there is no table), reads its identification registers and logs one line:
 * "moat: tpm: TPM 2.0 over crb|tis at 0x..." or "moat: tpm: none; <reason>". Only reads. */
void tpm_probe(bool have_acpi_table, u32 start_method, u64 control_area, struct tpm_info *out);
/* Same, reading registers through read32(physical address) (host tests pass a fake). */
void tpm_probe_regs(bool have_acpi_table, u32 start_method, u64 control_area, u32 (*read32)(u64 addr),
		    struct tpm_info *out);

#endif
