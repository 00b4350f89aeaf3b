/* iommu/inval.c: context-cache and IOTLB invalidation: queued (descriptors plus an invalidation
 * wait descriptor whose status write proves completion) or register-based (CCMD, IOTLB), each
 * with a timeout that fails closed; and one queued descriptor of any type (interrupt entry cache). */
#include "unit.h"
#include "table_mem.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/tsc.h"

/* More page-selective requests than this for one range: one domain-selective request instead. */
#define VTD_PSI_MAX_REQUESTS 8
#define VTD_WAIT_DONE_BASE 0x10000u /* status values start here; 0 means "not written yet" */

struct vtd_desc {
	u64 lo, hi;
};

static u64 end_time(void) { return rdtsc() + tsc_hz() / 1000000 * VTD_TIMEOUT_US; }

int vtd_qi_enable(struct vtd_unit *u)
{
	u->iq = vtd_table_alloc();
	u->wait_status = vtd_table_alloc();
	if (!u->iq || !u->wait_status)
		return -1;
	u->iq_tail = 0;
	u->wait_seq = VTD_WAIT_DONE_BASE;
	mmio_write64(u->base + VTD_IQT_REG, 0);
	mmio_write64(u->base + VTD_IQA_REG, u->iq & VTD_IQA_ADDR_MASK); /* QS = 0: 256 entries */
	if (vtd_gcmd(u, VTD_GCMD_QIE, VTD_GSTS_QIES, true) != 0)
		return -1;
	u->qi = true;
	return 0;
}

/* Queues descriptors and a wait descriptor, then spins until the status write lands. */
static int qi_submit(struct vtd_unit *u, const struct vtd_desc *d, u32 n, const char *what)
{
	struct vtd_desc *q = (struct vtd_desc *)(uintptr_t)u->iq;
	volatile u32 *status = (volatile u32 *)(uintptr_t)u->wait_status;
	u32 seq = ++u->wait_seq;
	if (seq < VTD_WAIT_DONE_BASE)
		seq = u->wait_seq = VTD_WAIT_DONE_BASE;
	*status = 0;
	for (u32 i = 0; i <= n; i++) {
		struct vtd_desc *slot = &q[u->iq_tail];
		if (i < n)
			*slot = d[i];
		else
			*slot = (struct vtd_desc){
				.lo = VTD_DESC_TYPE_WAIT | VTD_DESC_WAIT_SW | VTD_DESC_WAIT_FN |
				      ((u64)seq << VTD_DESC_WAIT_DATA_SHIFT),
				.hi = u->wait_status,
			};
		vtd_table_flush(slot, sizeof(*slot));
		u->iq_tail = (u->iq_tail + 1) % VTD_IQ_ENTRIES;
	}
	__asm__ volatile("sfence" ::: "memory");
	mmio_write64(u->base + VTD_IQT_REG, (u64)u->iq_tail << VTD_IQ_HT_SHIFT);
	u64 end = end_time();
	for (;;) {
		if (vtd_table_coherent() == false)
			__asm__ volatile("clflush (%0)" ::"r"(status) : "memory");
		if (*status == seq)
			break;
		u32 fsts = mmio_read32(u->base + VTD_FSTS_REG);
		if (fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE)) {
			pr_err("iommu", "unit %u: %s: invalidation queue error (FSTS 0x%x, IQH 0x%llx, IQT 0x%llx)",
			       u->index, what, fsts, mmio_read64(u->base + VTD_IQH_REG),
			       mmio_read64(u->base + VTD_IQT_REG));
			mmio_write32(u->base + VTD_FSTS_REG, fsts & (VTD_FSTS_IQE | VTD_FSTS_ICE | VTD_FSTS_ITE));
			return -1;
		}
		if (rdtsc() > end) {
			pr_err("iommu", "unit %u: %s: no completion within %u ms: treating the mapping as still live",
			       u->index, what, VTD_TIMEOUT_US / 1000);
			return -1;
		}
		cpu_relax();
	}
	u->inval_count++;
	return 0;
}

int vtd_qi_submit_desc(struct vtd_unit *u, u64 lo, u64 hi, const char *what)
{
	if (!u->qi) {
		pr_err("iommu", "unit %u: %s needs queued invalidation, which is off", u->index, what);
		return -1;
	}
	struct vtd_desc d = {lo, hi};
	return qi_submit(u, &d, 1, what);
}

/* Register-based invalidation (used only while QI is off: the two may not be mixed). One request
 * at a time: software may write a command only while ICC/IVT reads 0; the unit clears it when the
 * invalidation is done and reports in CAIG/IAIG the granularity it actually used (coarser is fine;
 * 0 means it found the request invalid and did nothing). A timeout, a busy register or a refused
 * request all fail closed. */
static int reg_ccmd(struct vtd_unit *u, u64 cmd, const char *what)
{
	if (mmio_read64(u->base + VTD_CCMD_REG) & VTD_CCMD_ICC) {
		pr_err("iommu", "unit %u: %s: an earlier context command is still pending (CCMD.ICC = 1)", u->index,
		       what);
		return -1;
	}
	mmio_write64(u->base + VTD_CCMD_REG, cmd | VTD_CCMD_ICC);
	if (!vtd_wait64(u, VTD_CCMD_REG, VTD_CCMD_ICC, 0)) {
		pr_err("iommu", "unit %u: %s: context command did not complete within %u ms", u->index, what,
		       VTD_TIMEOUT_US / 1000);
		return -1;
	}
	u64 v = mmio_read64(u->base + VTD_CCMD_REG);
	if (!((v >> VTD_CCMD_CAIG_SHIFT) & VTD_CCMD_GRAN_MASK)) {
		pr_err("iommu", "unit %u: %s: refused by the unit (CCMD 0x%016llx, CAIG = 0): treating the entry as still cached",
		       u->index, what, v);
		return -1;
	}
	u->inval_count++;
	return 0;
}

/* gran: VTD_IOTLB_GLOBAL/DOMAIN/PAGE; iva (page-selective only): address | AM, written to IVA first. */
static int reg_iotlb(struct vtd_unit *u, u64 gran, u16 did, u64 iva, const char *what)
{
	u32 iotlb = u->caps->iro + VTD_IOTLB_OFF;
	u64 cmd = VTD_IOTLB_IVT | (gran << VTD_IOTLB_IIRG_SHIFT);
	if (gran != VTD_IOTLB_GLOBAL)
		cmd |= (u64)did << VTD_IOTLB_DID_SHIFT;
	if (u->caps->drd)
		cmd |= VTD_IOTLB_DR;
	if (u->caps->dwd)
		cmd |= VTD_IOTLB_DW;
	if (mmio_read64(u->base + iotlb) & VTD_IOTLB_IVT) {
		pr_err("iommu", "unit %u: %s: an earlier IOTLB invalidation is still pending (IOTLB.IVT = 1)", u->index,
		       what);
		return -1;
	}
	if (gran == VTD_IOTLB_PAGE) /* always, even for page 0 with AM 0: IVA keeps the last request's */
		mmio_write64(u->base + u->caps->iro + VTD_IVA_OFF, iva);
	mmio_write64(u->base + iotlb, cmd);
	if (!vtd_wait64(u, iotlb, VTD_IOTLB_IVT, 0)) {
		pr_err("iommu", "unit %u: %s: IOTLB invalidation did not complete within %u ms", u->index, what,
		       VTD_TIMEOUT_US / 1000);
		return -1;
	}
	u64 v = mmio_read64(u->base + iotlb);
	if (!((v >> VTD_IOTLB_IAIG_SHIFT) & VTD_IOTLB_GRAN_MASK)) {
		pr_err("iommu", "unit %u: %s: refused by the unit (IOTLB 0x%016llx, IAIG = 0): treating the mapping as still live",
		       u->index, what, v);
		return -1;
	}
	u->inval_count++;
	return 0;
}

int vtd_inv_context_global(struct vtd_unit *u)
{
	if (u->qi) {
		struct vtd_desc d = {VTD_DESC_TYPE_CC | (VTD_DESC_CC_GLOBAL << VTD_DESC_GRAN_SHIFT), 0};
		return qi_submit(u, &d, 1, "global context invalidation");
	}
	return reg_ccmd(u, VTD_CCMD_GLOBAL << VTD_CCMD_CIRG_SHIFT, "global context invalidation");
}

int vtd_inv_context_device(struct vtd_unit *u, u16 did, u16 sid)
{
	if (u->qi) {
		struct vtd_desc d = {VTD_DESC_TYPE_CC | (VTD_DESC_CC_DEVICE << VTD_DESC_GRAN_SHIFT) |
					     ((u64)did << VTD_DESC_DID_SHIFT) | ((u64)sid << VTD_DESC_CC_SID_SHIFT),
				     0};
		return qi_submit(u, &d, 1, "device context invalidation");
	}
	return reg_ccmd(u, (VTD_CCMD_DEVICE << VTD_CCMD_CIRG_SHIFT) | ((u64)sid << VTD_CCMD_SID_SHIFT) |
				((u64)did << VTD_CCMD_DID_SHIFT),
			"device context invalidation");
}

static u64 qi_iotlb_lo(const struct vtd_unit *u, u64 gran, u16 did)
{
	u64 lo = VTD_DESC_TYPE_IOTLB | (gran << VTD_DESC_GRAN_SHIFT) | ((u64)did << VTD_DESC_DID_SHIFT);
	if (u->caps->drd)
		lo |= VTD_DESC_IOTLB_DR;
	if (u->caps->dwd)
		lo |= VTD_DESC_IOTLB_DW;
	return lo;
}

int vtd_inv_iotlb_global(struct vtd_unit *u)
{
	if (u->qi) {
		struct vtd_desc d = {qi_iotlb_lo(u, VTD_DESC_IOTLB_GLOBAL, 0), 0};
		return qi_submit(u, &d, 1, "global IOTLB invalidation");
	}
	return reg_iotlb(u, VTD_IOTLB_GLOBAL, 0, 0, "global IOTLB invalidation");
}

int vtd_inv_iotlb_domain(struct vtd_unit *u, u16 did)
{
	if (u->qi) {
		struct vtd_desc d = {qi_iotlb_lo(u, VTD_DESC_IOTLB_DOMAIN, did), 0};
		return qi_submit(u, &d, 1, "domain IOTLB invalidation");
	}
	return reg_iotlb(u, VTD_IOTLB_DOMAIN, did, 0, "domain IOTLB invalidation");
}

/* Largest naturally aligned power-of-two block of pages at page `pfn`, at most `left` pages
 * and 2^mamv pages: its order. */
static u32 block_order(u64 pfn, u64 left, u32 mamv)
{
	u32 o = 0;
	while (o < mamv && !(pfn & (1ULL << o)) && (2ULL << o) <= left)
		o++;
	return o;
}

int vtd_inv_iotlb_range(struct vtd_unit *u, u16 did, u64 iova, u64 size)
{
	if (!u->caps->psi)
		return vtd_inv_iotlb_domain(u, did);
	struct vtd_desc d[VTD_PSI_MAX_REQUESTS];
	u32 n = 0;
	u64 pfn = iova >> PAGE_SHIFT, left = ALIGN_UP(size, PAGE_SIZE) >> PAGE_SHIFT;
	while (left) {
		if (n == VTD_PSI_MAX_REQUESTS)
			return vtd_inv_iotlb_domain(u, did);
		u32 o = block_order(pfn, left, u->caps->mamv);
		d[n].lo = qi_iotlb_lo(u, VTD_DESC_IOTLB_PAGE, did);
		d[n].hi = (pfn << PAGE_SHIFT) | o; /* IH = 0: paging-structure caches go too */
		n++;
		pfn += 1ULL << o;
		left -= 1ULL << o;
	}
	if (u->qi)
		return qi_submit(u, d, n, "page IOTLB invalidation");
	for (u32 i = 0; i < n; i++)
		if (reg_iotlb(u, VTD_IOTLB_PAGE, did, d[i].hi, "page IOTLB invalidation") != 0)
			return -1;
	return 0;
}

int vtd_write_buffer_flush(struct vtd_unit *u)
{
	if (!u->caps->rwbf)
		return 0;
	return vtd_gcmd(u, VTD_GCMD_WBF, VTD_GSTS_WBFS, true);
}
