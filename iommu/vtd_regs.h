/* iommu/vtd_regs.h: VT-d remapping unit registers: offsets, and CAP/ECAP/GCMD/GSTS fields with
 * small decode helpers (Intel VT-d specification, chapter 11). */
#ifndef MOAT_VTD_REGS_H
#define MOAT_VTD_REGS_H

#include "../kernel/types.h"

/* Field helpers: a mask of bits hi..lo, and the value of that field. */
#define VTD_FIELD_MASK(hi, lo) ((~0ULL >> (63 - (hi))) & ~(BIT(lo) - 1))
#define VTD_FIELD_GET(v, hi, lo) (((u64)(v)&VTD_FIELD_MASK(hi, lo)) >> (lo))

/* ---- register offsets from the unit's base ---- */
#define VTD_VER_REG 0x000      /* 32 */
#define VTD_CAP_REG 0x008      /* 64 */
#define VTD_ECAP_REG 0x010     /* 64 */
#define VTD_GCMD_REG 0x018     /* 32 */
#define VTD_GSTS_REG 0x01c     /* 32 */
#define VTD_RTADDR_REG 0x020   /* 64 */
#define VTD_CCMD_REG 0x028     /* 64 */
#define VTD_FSTS_REG 0x034     /* 32 */
#define VTD_FECTL_REG 0x038    /* 32 */
#define VTD_FEDATA_REG 0x03c   /* 32 */
#define VTD_FEADDR_REG 0x040   /* 32 */
#define VTD_FEUADDR_REG 0x044  /* 32 */
#define VTD_AFLOG_REG 0x058    /* 64 */
#define VTD_PMEN_REG 0x064     /* 32 */
#define VTD_PLMBASE_REG 0x068  /* 32 */
#define VTD_PLMLIMIT_REG 0x06c /* 32 */
#define VTD_PHMBASE_REG 0x070  /* 64 */
#define VTD_PHMLIMIT_REG 0x078 /* 64 */
#define VTD_IQH_REG 0x080      /* 64 */
#define VTD_IQT_REG 0x088      /* 64 */
#define VTD_IQA_REG 0x090      /* 64 */
#define VTD_ICS_REG 0x09c      /* 32 */
#define VTD_IECTL_REG 0x0a0    /* 32 */
#define VTD_IEDATA_REG 0x0a4   /* 32 */
#define VTD_IEADDR_REG 0x0a8   /* 32 */
#define VTD_IEUADDR_REG 0x0ac  /* 32 */
#define VTD_IQERCD_REG 0x0b0   /* 64 */
#define VTD_IRTA_REG 0x0b8     /* 64 */

/* IOTLB registers sit at ECAP.IRO * 16: IVA first, then IOTLB. */
#define VTD_IVA_OFF 0x0
#define VTD_IOTLB_OFF 0x8
/* Fault recording registers: CAP.NFR + 1 of them, 16 bytes each, from CAP.FRO * 16. */
#define VTD_FRCD_SIZE 16
#define VTD_FRCD_LO 0x0 /* 64: fault info (page address) */
#define VTD_FRCD_HI 0x8 /* 64: source id, reason, type, F */
#define VTD_REG_UNIT 16 /* FRO and IRO count in 16-byte units */

/* ---- VER_REG ---- */
#define VTD_VER_MAJOR(v) ((u32)VTD_FIELD_GET(v, 7, 4))
#define VTD_VER_MINOR(v) ((u32)VTD_FIELD_GET(v, 3, 0))

/* ---- CAP_REG ---- */
#define VTD_CAP_ND_HI 2 /* number of domains supported: 2^(4 + 2 * ND) */
#define VTD_CAP_ND_LO 0
#define VTD_CAP_AFL BIT(3)  /* advanced fault logging */
#define VTD_CAP_RWBF BIT(4) /* required write-buffer flushing */
#define VTD_CAP_PLMR BIT(5) /* protected low-memory region */
#define VTD_CAP_PHMR BIT(6) /* protected high-memory region */
#define VTD_CAP_CM BIT(7)   /* caching mode: not-present entries may be cached */
#define VTD_CAP_SAGAW_HI 12 /* supported adjusted guest address widths, bitmap */
#define VTD_CAP_SAGAW_LO 8
#define VTD_CAP_MGAW_HI 21 /* maximum guest address width - 1 */
#define VTD_CAP_MGAW_LO 16
#define VTD_CAP_ZLR BIT(22) /* zero-length read */
#define VTD_CAP_FRO_HI 33   /* fault-recording register offset / 16 */
#define VTD_CAP_FRO_LO 24
#define VTD_CAP_SLLPS_HI 37 /* second-level large page support, bitmap */
#define VTD_CAP_SLLPS_LO 34
#define VTD_CAP_PSI BIT(39) /* page-selective invalidation */
#define VTD_CAP_NFR_HI 47   /* number of fault-recording registers - 1 */
#define VTD_CAP_NFR_LO 40
#define VTD_CAP_MAMV_HI 53 /* maximum address mask value (PSI) */
#define VTD_CAP_MAMV_LO 48
#define VTD_CAP_DWD BIT(54)   /* write draining */
#define VTD_CAP_DRD BIT(55)   /* read draining */
#define VTD_CAP_FL1GP BIT(56) /* first-level 1 GiB pages */
#define VTD_CAP_PI BIT(59)    /* posted interrupts */
#define VTD_CAP_FL5LP BIT(60) /* first-level 5-level paging */

/* SAGAW bits: which second-level table depths the unit walks. */
#define VTD_SAGAW_39_3LEVEL BIT(1)
#define VTD_SAGAW_48_4LEVEL BIT(2)
#define VTD_SAGAW_57_5LEVEL BIT(3)
/* SLLPS bits. */
#define VTD_SLLPS_2M BIT(0)
#define VTD_SLLPS_1G BIT(1)

static inline u32 vtd_cap_nd(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_ND_HI, VTD_CAP_ND_LO);
}
/* Domain ids the unit supports (ND 6 = 65536, the architectural maximum). */
static inline u32 vtd_cap_num_domains(u64 cap)
{
	return 1u << (4 + 2 * vtd_cap_nd(cap));
}
static inline u32 vtd_cap_sagaw(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_SAGAW_HI, VTD_CAP_SAGAW_LO);
}
static inline u32 vtd_cap_mgaw(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_MGAW_HI, VTD_CAP_MGAW_LO) + 1;
}
static inline u32 vtd_cap_sllps(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_SLLPS_HI, VTD_CAP_SLLPS_LO);
}
static inline u32 vtd_cap_mamv(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_MAMV_HI, VTD_CAP_MAMV_LO);
}
static inline u32 vtd_cap_nfr(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_NFR_HI, VTD_CAP_NFR_LO) + 1;
}
/* Byte offset of the first fault recording register from the unit's base. */
static inline u32 vtd_cap_fro(u64 cap)
{
	return (u32)VTD_FIELD_GET(cap, VTD_CAP_FRO_HI, VTD_CAP_FRO_LO) * VTD_REG_UNIT;
}

/* ---- ECAP_REG ---- */
#define VTD_ECAP_C BIT(0)   /* page-walk coherency */
#define VTD_ECAP_QI BIT(1)  /* queued invalidation */
#define VTD_ECAP_DT BIT(2)  /* device-TLB (ATS) */
#define VTD_ECAP_IR BIT(3)  /* interrupt remapping */
#define VTD_ECAP_EIM BIT(4) /* extended interrupt mode (x2APIC ids) */
#define VTD_ECAP_PT BIT(6)  /* pass-through translation type */
#define VTD_ECAP_SC BIT(7)  /* snoop control */
#define VTD_ECAP_IRO_HI 17  /* IOTLB register offset / 16 */
#define VTD_ECAP_IRO_LO 8
#define VTD_ECAP_MHMV_HI 23 /* maximum handle mask value (IEC invalidation) */
#define VTD_ECAP_MHMV_LO 20
#define VTD_ECAP_MTS BIT(25)  /* memory type support */
#define VTD_ECAP_NEST BIT(26) /* nested translation */
#define VTD_ECAP_PRS BIT(29)  /* page requests */
#define VTD_ECAP_PASID BIT(40)
#define VTD_ECAP_SMTS BIT(43) /* scalable-mode translation */
#define VTD_ECAP_SLTS BIT(46) /* second-level translation (scalable mode) */
#define VTD_ECAP_FLTS BIT(47) /* first-level translation */
#define VTD_ECAP_ADMS BIT(52) /* abort-DMA mode */

/* Byte offset of the IOTLB register pair (IVA, IOTLB) from the unit's base. */
static inline u32 vtd_ecap_iro(u64 ecap)
{
	return (u32)VTD_FIELD_GET(ecap, VTD_ECAP_IRO_HI, VTD_ECAP_IRO_LO) * VTD_REG_UNIT;
}
static inline u32 vtd_ecap_mhmv(u64 ecap)
{
	return (u32)VTD_FIELD_GET(ecap, VTD_ECAP_MHMV_HI, VTD_ECAP_MHMV_LO);
}

/* ---- GCMD_REG (write one command bit at a time, the others as GSTS reads them) ---- */
#define VTD_GCMD_CFI BIT(23)   /* compatibility-format interrupts allowed */
#define VTD_GCMD_SIRTP BIT(24) /* set interrupt remapping table pointer */
#define VTD_GCMD_IRE BIT(25)   /* interrupt remapping enable */
#define VTD_GCMD_QIE BIT(26)   /* queued invalidation enable */
#define VTD_GCMD_WBF BIT(27)   /* write buffer flush */
#define VTD_GCMD_EAFL BIT(28)  /* enable advanced fault logging */
#define VTD_GCMD_SFL BIT(29)   /* set fault log */
#define VTD_GCMD_SRTP BIT(30)  /* set root table pointer */
#define VTD_GCMD_TE BIT(31)    /* translation enable */

/* ---- GSTS_REG ---- */
#define VTD_GSTS_CFIS BIT(23)
#define VTD_GSTS_IRTPS BIT(24)
#define VTD_GSTS_IRES BIT(25)
#define VTD_GSTS_QIES BIT(26)
#define VTD_GSTS_WBFS BIT(27)
#define VTD_GSTS_AFLS BIT(28)
#define VTD_GSTS_FLS BIT(29)
#define VTD_GSTS_RTPS BIT(30)
#define VTD_GSTS_TES BIT(31)
/* GSTS bits that are persistent enables (to be echoed into GCMD when setting another bit). */
#define VTD_GSTS_ENABLES (VTD_GSTS_CFIS | VTD_GSTS_IRES | VTD_GSTS_QIES | VTD_GSTS_AFLS | VTD_GSTS_TES)

/* ---- FSTS_REG ---- */
#define VTD_FSTS_PFO BIT(0) /* primary fault overflow */
#define VTD_FSTS_PPF BIT(1) /* primary pending fault */
#define VTD_FSTS_AFO BIT(2)
#define VTD_FSTS_APF BIT(3)
#define VTD_FSTS_IQE BIT(4) /* invalidation queue error */
#define VTD_FSTS_ICE BIT(5) /* invalidation completion error */
#define VTD_FSTS_ITE BIT(6) /* invalidation time-out error */
#define VTD_FSTS_FRI_HI 15  /* fault record index */
#define VTD_FSTS_FRI_LO 8

/* ---- FECTL_REG ---- */
#define VTD_FECTL_IP BIT(30) /* interrupt pending */
#define VTD_FECTL_IM BIT(31) /* interrupt mask */

/* ---- PMEN_REG ---- */
#define VTD_PMEN_PRS BIT(0)  /* protected region status */
#define VTD_PMEN_EPM BIT(31) /* enable protected memory */

/* ---- ICS_REG ---- */
#define VTD_ICS_IWC BIT(0) /* invalidation wait descriptor complete */

/* ---- RTADDR_REG ---- */
#define VTD_RTADDR_ADDR_MASK 0xfffffffffffff000ULL /* root table, 4 KiB aligned */
#define VTD_RTADDR_TTM_LEGACY 0ULL		   /* bits 11:10: legacy-mode root table */

/* ---- CCMD_REG (register-based context-cache invalidation) ---- */
#define VTD_CCMD_ICC BIT(63)   /* invalidate: set by software, cleared by hardware when done */
#define VTD_CCMD_CIRG_SHIFT 61 /* requested granularity */
#define VTD_CCMD_CAIG_SHIFT 59 /* actual granularity (0: request not done) */
#define VTD_CCMD_GRAN_MASK 3ULL
#define VTD_CCMD_GLOBAL 1ULL
#define VTD_CCMD_DOMAIN 2ULL
#define VTD_CCMD_DEVICE 3ULL
#define VTD_CCMD_FM_SHIFT 32
#define VTD_CCMD_SID_SHIFT 16
#define VTD_CCMD_DID_SHIFT 0

/* ---- IOTLB_REG (at IRO + 8) and IVA_REG (at IRO) ---- */
#define VTD_IOTLB_IVT BIT(63)
#define VTD_IOTLB_IIRG_SHIFT 60
#define VTD_IOTLB_IAIG_SHIFT 57
#define VTD_IOTLB_GRAN_MASK 3ULL
#define VTD_IOTLB_GLOBAL 1ULL
#define VTD_IOTLB_DOMAIN 2ULL
#define VTD_IOTLB_PAGE 3ULL
#define VTD_IOTLB_DR BIT(49) /* drain reads */
#define VTD_IOTLB_DW BIT(48) /* drain writes */
#define VTD_IOTLB_DID_SHIFT 32
#define VTD_IVA_AM_MASK 0x3fULL /* address mask: 2^AM pages */
#define VTD_IVA_IH BIT(6)

/* ---- Queued invalidation: IQA/IQH/IQT and the 128-bit descriptors ---- */
#define VTD_IQA_ADDR_MASK 0xfffffffffffff000ULL
#define VTD_IQA_QS_MASK 7ULL /* queue of 2^QS pages, 256 descriptors each */
#define VTD_IQ_DESC_SIZE 16
#define VTD_IQ_HT_SHIFT 4 /* IQH/IQT hold the descriptor index << 4 */
#define VTD_IQ_HT_MASK 0x7fff0ULL

#define VTD_DESC_TYPE_CC 0x1ULL	   /* context-cache invalidate */
#define VTD_DESC_TYPE_IOTLB 0x2ULL /* IOTLB invalidate */
#define VTD_DESC_TYPE_IEC 0x4ULL   /* interrupt entry cache invalidate */
#define VTD_DESC_TYPE_WAIT 0x5ULL  /* invalidation wait */
#define VTD_DESC_GRAN_SHIFT 4	   /* CC and IOTLB: granularity in bits 5:4 */
#define VTD_DESC_DID_SHIFT 16	   /* CC and IOTLB: domain id in bits 31:16 */
#define VTD_DESC_CC_SID_SHIFT 32   /* CC: source id in bits 47:32 */
#define VTD_DESC_CC_GLOBAL 1ULL
#define VTD_DESC_CC_DOMAIN 2ULL
#define VTD_DESC_CC_DEVICE 3ULL
#define VTD_DESC_IOTLB_GLOBAL 1ULL
#define VTD_DESC_IOTLB_DOMAIN 2ULL
#define VTD_DESC_IOTLB_PAGE 3ULL
#define VTD_DESC_IOTLB_DW BIT(6)       /* drain writes */
#define VTD_DESC_IOTLB_DR BIT(7)       /* drain reads */
#define VTD_DESC_IOTLB_AM_MASK 0x3fULL /* hi: address mask */
#define VTD_DESC_WAIT_IF BIT(4)	       /* interrupt on completion */
#define VTD_DESC_WAIT_SW BIT(5)	       /* write status data to the status address */
#define VTD_DESC_WAIT_FN BIT(6)	       /* fence: later descriptors wait for this one */
#define VTD_DESC_WAIT_DATA_SHIFT 32

/* ---- IRTA_REG (interrupt remapping table address) ---- */
#define VTD_IRTA_ADDR_MASK 0xfffffffffffff000ULL /* table, 4 KiB aligned */
#define VTD_IRTA_EIME BIT(11)			 /* extended interrupt mode: 32-bit x2APIC ids */
#define VTD_IRTA_S_MASK 0xfULL			 /* the table holds 2^(S + 1) entries */
#define VTD_IRT_MIN_ENTRIES 2
#define VTD_IRT_MAX_ENTRIES 65536
#define VTD_IRTE_SIZE 16

/* ---- Interrupt remapping table entry, remapped format (128 bits; chapter 9.10) ---- */
#define VTD_IRTE_LO_P BIT(0)	       /* present */
#define VTD_IRTE_LO_FPD BIT(1)	       /* fault processing disable: never set by Moat */
#define VTD_IRTE_LO_DM BIT(2)	       /* destination mode: 1 logical, 0 physical */
#define VTD_IRTE_LO_RH BIT(3)	       /* redirection hint */
#define VTD_IRTE_LO_TM BIT(4)	       /* trigger mode: 1 level, 0 edge */
#define VTD_IRTE_LO_DLM_SHIFT 5	       /* delivery mode, bits 7:5 */
#define VTD_IRTE_LO_DLM_MASK 7ULL
#define VTD_IRTE_LO_IM BIT(15)	       /* 1: posted format (never used by Moat) */
#define VTD_IRTE_LO_V_SHIFT 16	       /* vector, bits 23:16 */
#define VTD_IRTE_LO_V_MASK 0xffULL
#define VTD_IRTE_LO_DST_SHIFT 32       /* destination id, bits 63:32 */
#define VTD_IRTE_DST_XAPIC_SHIFT 8     /* xAPIC mode: the 8-bit APIC id sits in DST bits 15:8 */
#define VTD_IRTE_DST_XAPIC_MASK 0xffULL
#define VTD_IRTE_HI_SID_MASK 0xffffULL /* source id, bits 79:64 */
#define VTD_IRTE_HI_SQ_SHIFT 16	       /* source-id qualifier, bits 81:80 */
#define VTD_IRTE_HI_SQ_MASK 3ULL
#define VTD_IRTE_HI_SVT_SHIFT 18 /* source validation type, bits 83:82 */
#define VTD_IRTE_HI_SVT_MASK 3ULL
#define VTD_IRTE_SVT_NONE 0ULL	 /* no validation */
#define VTD_IRTE_SVT_RID 1ULL	 /* requester id must equal SID (under SQ) */
#define VTD_IRTE_SVT_BUS 2ULL	 /* requester bus within SID[15:8]..SID[7:0] */
#define VTD_IRTE_SQ_ALL_BITS 0ULL /* SVT_RID: compare all 16 bits */
#define VTD_IRTE_DLM_FIXED 0ULL

/* ---- Interrupt entry cache invalidation descriptor (type VTD_DESC_TYPE_IEC) ---- */
#define VTD_DESC_IEC_INDEX BIT(4)   /* granularity: 1 index-selective, 0 global */
#define VTD_DESC_IEC_IM_SHIFT 27    /* index mask: 2^IM entries from IIDX, bits 31:27 */
#define VTD_DESC_IEC_IIDX_SHIFT 32  /* interrupt index, bits 47:32 */

/* ---- Remappable-format MSI address (the data then carries the subhandle) ---- */
#define VTD_MSI_ADDR_HANDLE15 BIT(2)	     /* handle bit 15 */
#define VTD_MSI_ADDR_SHV BIT(3)		     /* subhandle valid: handle + data[15:0] */
#define VTD_MSI_ADDR_IF_REMAP BIT(4)	     /* interrupt format: 1 remappable, 0 compatibility */
#define VTD_MSI_ADDR_HANDLE_LO_SHIFT 5	     /* handle bits 14:0 in address bits 19:5 */
#define VTD_MSI_ADDR_HANDLE_LO_MASK 0x7fffu
#define VTD_MSI_ADDR_HANDLE_HI_BIT 15
#define VTD_MSI_DATA_SUBHANDLE_MASK 0xffffu

/* ---- I/O APIC redirection entry, remapped format (64 bits; chapter 5.1.5.1) ---- */
#define VTD_RTE_VECTOR_MASK 0xffULL	 /* must equal the IRTE's vector */
#define VTD_RTE_INDEX15 BIT(11)		 /* interrupt index bit 15 */
#define VTD_RTE_POLARITY_LOW BIT(13)
#define VTD_RTE_TRIGGER_LEVEL BIT(15)
#define VTD_RTE_MASKED BIT(16)
#define VTD_RTE_FORMAT_REMAP BIT(48)
#define VTD_RTE_INDEX_LO_SHIFT 49 /* interrupt index bits 14:0 in bits 63:49 */
#define VTD_RTE_INDEX_LO_MASK 0x7fffULL

/* ---- Fault recording register, high 64 bits ---- */
#define VTD_FRCD_HI_F BIT(63) /* fault recorded; write 1 to clear */
#define VTD_FRCD_HI_T BIT(62) /* request type: 1 read, 0 write */
#define VTD_FRCD_HI_FR_HI 39  /* fault reason */
#define VTD_FRCD_HI_FR_LO 32
#define VTD_FRCD_HI_SID_MASK 0xffffULL		  /* source id: bus << 8 | dev << 3 | fn */
#define VTD_FRCD_LO_FI_MASK 0xfffffffffffff000ULL /* faulting page address */
#define VTD_FRCD_LO_IR_INDEX_SHIFT 48		  /* interrupt remapping faults: the index, bits 63:48 */
#define VTD_FRCD_F_DWORD 0xc			  /* the dword holding F (write 1 to it to clear) */
#define VTD_FRCD_F_DWORD_BIT BIT(31)

/* ---- Fault event interrupt message (FEADDR/FEDATA): an xAPIC MSI ---- */
#define VTD_MSI_ADDR_BASE 0xfee00000u
#define VTD_MSI_ADDR_DEST_SHIFT 12

/* ---- Root entry (legacy mode, 128 bits; 256 per table, indexed by bus) ---- */
#define VTD_ROOT_LO_P BIT(0)
#define VTD_ROOT_LO_CTP_MASK 0xfffffffffffff000ULL /* context table pointer */
#define VTD_ROOT_ENTRIES 256

/* ---- Context entry (legacy mode, 128 bits; 256 per table, indexed by devfn) ---- */
#define VTD_CTX_LO_P BIT(0)
#define VTD_CTX_LO_FPD BIT(1)	     /* fault processing disable: never set by Moat */
#define VTD_CTX_LO_TT_SHIFT 2	     /* translation type, bits 3:2 */
#define VTD_CTX_TT_UNTRANSLATED 0ULL /* second-level translation, no ATS */
#define VTD_CTX_LO_SLPTPTR_MASK 0xfffffffffffff000ULL
#define VTD_CTX_HI_AW_MASK 7ULL /* 1: 3-level, 2: 4-level, 3: 5-level */
#define VTD_CTX_HI_DID_SHIFT 8	/* domain id, bits 23:8 */
#define VTD_CTX_ENTRIES 256
#define VTD_CTX_AW_FOR_LEVELS(l) ((u64)(l)-2)

/* ---- Second-level paging entries ---- */
#define VTD_SL_R BIT(0)
#define VTD_SL_W BIT(1)
#define VTD_SL_PS BIT(7) /* leaf at the 2 MiB / 1 GiB level */
#define VTD_SL_ADDR_MASK 0x000ffffffffff000ULL
#define VTD_SL_ENTRIES 512
#define VTD_SL_LEVEL_BITS 9
#define VTD_SL_MIN_LEVELS 3 /* 39-bit */
#define VTD_SL_MAX_LEVELS 5 /* 57-bit */
/* Input address width of a table with this many levels: 12 + 9 * levels. */
#define VTD_SL_AW_FOR_LEVELS(l) (PAGE_SHIFT + VTD_SL_LEVEL_BITS * (l))

/* ---- Fault reasons (VT-d specification, appendix A: non-recoverable faults) ---- */
#define VTD_FR_ROOT_NOT_PRESENT 0x1
#define VTD_FR_CTX_NOT_PRESENT 0x2
#define VTD_FR_CTX_INVALID 0x3
#define VTD_FR_BEYOND_AW 0x4
#define VTD_FR_WRITE 0x5
#define VTD_FR_READ 0x6
#define VTD_FR_SL_ENTRY_INVALID 0x7
#define VTD_FR_ROOT_TABLE_INVALID 0x8
#define VTD_FR_CTX_TABLE_INVALID 0x9
#define VTD_FR_ROOT_RESERVED 0xa
#define VTD_FR_CTX_RESERVED 0xb
#define VTD_FR_SL_RESERVED 0xc
#define VTD_FR_CTX_TT_BLOCKED 0xd
/* Interrupt remapping faults (recorded by hardware; QEMU 7.2 drops the MSI without a record). */
#define VTD_FR_IR_FIRST 0x20
#define VTD_FR_IR_INDEX_OVER 0x21
#define VTD_FR_IR_ENTRY_NOT_PRESENT 0x22
#define VTD_FR_IR_SID_MISMATCH 0x26
#define VTD_FR_IR_COMPAT_BLOCKED 0x25

#endif
