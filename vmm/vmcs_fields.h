/* vmm/vmcs_fields.h: VMCS field encodings (Intel SDM vol. 3, appendix B) and the bits of the
 * fields Moat writes: controls not named in vmx_caps.h, access rights, interruption info. */
#ifndef MOAT_VMCS_FIELDS_H
#define MOAT_VMCS_FIELDS_H

#include "../kernel/types.h"

/* 16-bit fields */
#define VMCS_VPID 0x0000
#define VMCS_GUEST_ES_SEL 0x0800
#define VMCS_GUEST_CS_SEL 0x0802
#define VMCS_GUEST_SS_SEL 0x0804
#define VMCS_GUEST_DS_SEL 0x0806
#define VMCS_GUEST_FS_SEL 0x0808
#define VMCS_GUEST_GS_SEL 0x080a
#define VMCS_GUEST_LDTR_SEL 0x080c
#define VMCS_GUEST_TR_SEL 0x080e
#define VMCS_HOST_ES_SEL 0x0c00
#define VMCS_HOST_CS_SEL 0x0c02
#define VMCS_HOST_SS_SEL 0x0c04
#define VMCS_HOST_DS_SEL 0x0c06
#define VMCS_HOST_FS_SEL 0x0c08
#define VMCS_HOST_GS_SEL 0x0c0a
#define VMCS_HOST_TR_SEL 0x0c0c

/* 64-bit fields */
#define VMCS_IO_BITMAP_A 0x2000
#define VMCS_IO_BITMAP_B 0x2002
#define VMCS_MSR_BITMAP 0x2004
#define VMCS_EXIT_MSR_STORE_ADDR 0x2006
#define VMCS_EXIT_MSR_LOAD_ADDR 0x2008
#define VMCS_ENTRY_MSR_LOAD_ADDR 0x200a
#define VMCS_TSC_OFFSET 0x2010
#define VMCS_EPT_POINTER 0x201a
#define VMCS_GUEST_PHYS_ADDR 0x2400
#define VMCS_LINK_POINTER 0x2800
#define VMCS_GUEST_DEBUGCTL 0x2802
#define VMCS_GUEST_PAT 0x2804
#define VMCS_GUEST_EFER 0x2806
#define VMCS_GUEST_PDPTE0 0x280a
#define VMCS_HOST_PAT 0x2c00
#define VMCS_HOST_EFER 0x2c02

/* 32-bit fields */
#define VMCS_PIN_CTLS 0x4000
#define VMCS_PROC_CTLS 0x4002
#define VMCS_EXCEPTION_BITMAP 0x4004
#define VMCS_PF_ERR_MASK 0x4006
#define VMCS_PF_ERR_MATCH 0x4008
#define VMCS_CR3_TARGET_COUNT 0x400a
#define VMCS_EXIT_CTLS 0x400c
#define VMCS_EXIT_MSR_STORE_COUNT 0x400e
#define VMCS_EXIT_MSR_LOAD_COUNT 0x4010
#define VMCS_ENTRY_CTLS 0x4012
#define VMCS_ENTRY_MSR_LOAD_COUNT 0x4014
#define VMCS_ENTRY_INTR_INFO 0x4016
#define VMCS_ENTRY_EXCEPTION_ERR 0x4018
#define VMCS_ENTRY_INSTR_LEN 0x401a
#define VMCS_PROC2_CTLS 0x401e
#define VMCS_INSTR_ERROR 0x4400
#define VMCS_EXIT_REASON 0x4402
#define VMCS_EXIT_INTR_INFO 0x4404
#define VMCS_EXIT_INTR_ERR 0x4406
#define VMCS_IDT_VECTORING_INFO 0x4408
#define VMCS_IDT_VECTORING_ERR 0x440a
#define VMCS_EXIT_INSTR_LEN 0x440c
#define VMCS_EXIT_INSTR_INFO 0x440e
#define VMCS_GUEST_ES_LIMIT 0x4800
#define VMCS_GUEST_CS_LIMIT 0x4802
#define VMCS_GUEST_SS_LIMIT 0x4804
#define VMCS_GUEST_DS_LIMIT 0x4806
#define VMCS_GUEST_FS_LIMIT 0x4808
#define VMCS_GUEST_GS_LIMIT 0x480a
#define VMCS_GUEST_LDTR_LIMIT 0x480c
#define VMCS_GUEST_TR_LIMIT 0x480e
#define VMCS_GUEST_GDTR_LIMIT 0x4810
#define VMCS_GUEST_IDTR_LIMIT 0x4812
#define VMCS_GUEST_ES_AR 0x4814
#define VMCS_GUEST_CS_AR 0x4816
#define VMCS_GUEST_SS_AR 0x4818
#define VMCS_GUEST_DS_AR 0x481a
#define VMCS_GUEST_FS_AR 0x481c
#define VMCS_GUEST_GS_AR 0x481e
#define VMCS_GUEST_LDTR_AR 0x4820
#define VMCS_GUEST_TR_AR 0x4822
#define VMCS_GUEST_INTERRUPTIBILITY 0x4824
#define VMCS_GUEST_ACTIVITY 0x4826
#define VMCS_GUEST_SYSENTER_CS 0x482a
#define VMCS_PREEMPTION_TIMER 0x482e
#define VMCS_HOST_SYSENTER_CS 0x4c00

/* Natural-width fields */
#define VMCS_CR0_MASK 0x6000
#define VMCS_CR4_MASK 0x6002
#define VMCS_CR0_SHADOW 0x6004
#define VMCS_CR4_SHADOW 0x6006
#define VMCS_EXIT_QUALIFICATION 0x6400
#define VMCS_GUEST_LINEAR_ADDR 0x640a
#define VMCS_GUEST_CR0 0x6800
#define VMCS_GUEST_CR3 0x6802
#define VMCS_GUEST_CR4 0x6804
#define VMCS_GUEST_ES_BASE 0x6806
#define VMCS_GUEST_CS_BASE 0x6808
#define VMCS_GUEST_SS_BASE 0x680a
#define VMCS_GUEST_DS_BASE 0x680c
#define VMCS_GUEST_FS_BASE 0x680e
#define VMCS_GUEST_GS_BASE 0x6810
#define VMCS_GUEST_LDTR_BASE 0x6812
#define VMCS_GUEST_TR_BASE 0x6814
#define VMCS_GUEST_GDTR_BASE 0x6816
#define VMCS_GUEST_IDTR_BASE 0x6818
#define VMCS_GUEST_DR7 0x681a
#define VMCS_GUEST_RSP 0x681c
#define VMCS_GUEST_RIP 0x681e
#define VMCS_GUEST_RFLAGS 0x6820
#define VMCS_GUEST_PENDING_DBG 0x6822
#define VMCS_GUEST_SYSENTER_ESP 0x6824
#define VMCS_GUEST_SYSENTER_EIP 0x6826
#define VMCS_HOST_CR0 0x6c00
#define VMCS_HOST_CR3 0x6c02
#define VMCS_HOST_CR4 0x6c04
#define VMCS_HOST_FS_BASE 0x6c06
#define VMCS_HOST_GS_BASE 0x6c08
#define VMCS_HOST_TR_BASE 0x6c0a
#define VMCS_HOST_GDTR_BASE 0x6c0c
#define VMCS_HOST_IDTR_BASE 0x6c0e
#define VMCS_HOST_SYSENTER_ESP 0x6c10
#define VMCS_HOST_SYSENTER_EIP 0x6c12
#define VMCS_HOST_RSP 0x6c14
#define VMCS_HOST_RIP 0x6c16

/* Primary processor-based controls not named in vmx_caps.h */
#define PROC_MWAIT_EXITING BIT(10)
#define PROC_RDPMC_EXITING BIT(11)
#define PROC_CR3_LOAD_EXITING BIT(15)
#define PROC_CR3_STORE_EXITING BIT(16)
#define PROC_CR8_LOAD_EXITING BIT(19)
#define PROC_CR8_STORE_EXITING BIT(20)
#define PROC_MOV_DR_EXITING BIT(23)
#define PROC_MONITOR_EXITING BIT(29)

/* Secondary processor-based controls not named in vmx_caps.h */
#define PROC2_WBINVD_EXITING BIT(6)

/* VM-exit controls */
#define EXIT_SAVE_DEBUG_CTLS BIT(2)
#define EXIT_SAVE_PAT BIT(18)
#define EXIT_LOAD_PAT BIT(19)
#define EXIT_SAVE_EFER BIT(20)
#define EXIT_LOAD_EFER BIT(21)

/* VM-entry controls */
#define ENTRY_LOAD_DEBUG_CTLS BIT(2)
#define ENTRY_LOAD_PAT BIT(14)
#define ENTRY_LOAD_EFER BIT(15)

/* Segment access rights (guest-state AR fields) */
#define AR_TYPE_DATA_RW 0x3        /* read/write, accessed */
#define AR_TYPE_CODE_RX 0xb        /* execute/read, accessed */
#define AR_TYPE_LDT 0x2
#define AR_TYPE_TSS16_BUSY 0x3
#define AR_TYPE_TSS_BUSY 0xb
#define AR_S BIT(4)                /* code or data (not system) */
#define AR_P BIT(7)
#define AR_L BIT(13)
#define AR_DB BIT(14)
#define AR_G BIT(15)
#define AR_UNUSABLE BIT(16)

/* Guest activity states */
#define ACTIVITY_ACTIVE 0
#define ACTIVITY_HLT 1

/* Interruption information (entry injection and exit info) */
#define INTR_INFO_VECTOR_MASK 0xffU
#define INTR_TYPE_SHIFT 8
#define INTR_TYPE_MASK 0x7U
#define INTR_TYPE_EXT_INT 0U
#define INTR_TYPE_NMI 2U
#define INTR_TYPE_HW_EXCEPTION 3U
#define INTR_INFO_DELIVER_CODE BIT(11)
#define INTR_INFO_VALID BIT(31)

/* Exit reason field: basic reason in bits 15:0, bit 31 set when VM entry failed. */
#define EXIT_REASON_BASIC_MASK 0xffffU
#define EXIT_REASON_ENTRY_FAILED BIT(31)

/* VMCS link pointer value meaning "none" */
#define VMCS_LINK_NONE (~0ULL)

/* Guest RFLAGS */
#define RFLAGS_FIXED BIT(1)
#define RFLAGS_IF BIT(9)
#define RFLAGS_VM BIT(17)

#endif
