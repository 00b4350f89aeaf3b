/* iommu/unit.h: one VT-d remapping unit at run time: its root and context tables, its invalidation
 * queue, and bring-up (protected regions off, root table, queued invalidation, translation on).
 * Callers hold the IOMMU lock (iommu/domain.c) around everything that changes a unit. */
#ifndef MOAT_IOMMU_UNIT_H
#define MOAT_IOMMU_UNIT_H

#include "unit_probe.h"
#include "vtd_regs.h"

/* Every wait on the hardware gives up after this long and fails closed. */
#define VTD_TIMEOUT_US 200000
#define VTD_IQ_ENTRIES 256 /* one 4 KiB page of 16-byte descriptors (IQA.QS = 0) */

struct vtd_unit {
	const struct vtd_unit_caps *caps;
	u64 base;
	u32 index;
	bool up; /* translation enabled */
	u64 root_table;
	u64 ctx_table[VTD_ROOT_ENTRIES];
	/* queued invalidation (caps->qi, unless `iommu_qi = off`); false: CCMD and IOTLB registers */
	bool qi;
	u64 iq;
	u32 iq_tail;
	u64 wait_status; /* a Moat frame the wait descriptor writes to */
	u32 wait_seq;
	u64 inval_count; /* invalidation requests completed */
};

/* Brings a probed unit up: firmware's translation and queue off, protected regions off, an empty
 * root table (all DMA blocked), queued invalidation when the unit has it and use_qi is true (else
 * register-based invalidation), caches flushed, translation on and GSTS.TES checked. Logs
 * "unit N: translation on (...)". 0, or -1 with an error line. */
int vtd_unit_bringup(struct vtd_unit *u, const struct vtd_unit_caps *caps, bool use_qi);

/* GCMD: sets or clears one persistent enable (or issues a one-shot command when on and the bit
 * is not an enable), then waits for GSTS to match. 0, or -1 on timeout. */
int vtd_gcmd(struct vtd_unit *u, u32 cmd_bit, u32 sts_bit, bool on);

/* Context entry for source id sid (bus << 8 | devfn): present, pointing to slptptr with the domain
 * id and table depth, or absent when slptptr is 0. Flushes the entry and invalidates the context
 * cache for sid and the IOTLB of old and new domain ids; returns after completion. 0 or -1. */
int vtd_context_set(struct vtd_unit *u, u16 sid, u64 slptptr, u32 levels, u16 did);
/* The domain id in sid's present context entry, or -1 if none. */
int vtd_context_did(const struct vtd_unit *u, u16 sid);

/* Invalidation (iommu/inval.c): queued when the unit has QI, register-based otherwise. Each
 * returns only after the hardware reported completion: 0, or -1 (error line) on timeout/error. */
int vtd_inv_context_global(struct vtd_unit *u);
int vtd_inv_context_device(struct vtd_unit *u, u16 did, u16 sid);
int vtd_inv_iotlb_global(struct vtd_unit *u);
int vtd_inv_iotlb_domain(struct vtd_unit *u, u16 did);
/* Page-selective when the unit has PSI and the range needs few requests, else domain-selective. */
int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, u64 iova, u64 size);
/* Write-buffer flush, needed after table writes when CAP.RWBF = 1 (no-op otherwise). */
int vtd_write_buffer_flush(struct vtd_unit *u);
/* Queues one 128-bit descriptor of any type (e.g. an interrupt entry cache invalidation) and a
 * wait descriptor, and returns after completion: 0, or -1 (error line) when the unit has no queue,
 * reported a queue error or timed out. */
int vtd_qi_submit_desc(struct vtd_unit *u, u64 lo, u64 hi, const char *what);
/* Sets up the invalidation queue and enables it (QIE). 0 or -1. */
int vtd_qi_enable(struct vtd_unit *u);

/* Polls until (read32(reg) & mask) == want; false after VTD_TIMEOUT_US. */
bool vtd_wait32(const struct vtd_unit *u, u32 reg, u32 mask, u32 want);
bool vtd_wait64(const struct vtd_unit *u, u32 reg, u64 mask, u64 want);

#endif
