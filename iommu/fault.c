/* iommu/fault.c: draining the fault recording registers (interrupt and poll), the fault lines,
 * overflow, rate limiting and per-device counts (see fault.h). */
#include "fault.h"
#include "iommu_rt.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/idt.h"
#include "../kernel/irq_vector.h"
#include "../kernel/log.h"
#include "../kernel/tsc.h"

_Static_assert(IOMMU_FAULT_VECTOR > IRQ_VECTOR_LAST, "the fault vector lies in the run-time vector range");

#define SID_BUS(s) ((s) >> 8)
#define SID_DEV(s) (((s) >> 3) & 0x1f)
#define SID_FN(s) ((s) & 7)
#define FSTS_ERRORS_W1C (VTD_FSTS_PFO | VTD_FSTS_AFO | VTD_FSTS_APF)
#define RFLAGS_IF BIT(9)

_Static_assert(IOMMU_REASON_BEYOND_AW == VTD_FR_BEYOND_AW && IOMMU_REASON_WRITE == VTD_FR_WRITE &&
		       IOMMU_REASON_READ == VTD_FR_READ, "fault.h and vtd_regs.h agree");

struct dev_count {
	bool used;
	u16 sid;
	u64 count;
	u64 last_seq; /* total at the last fault: which of a device's alias ids faulted last */
	struct iommu_fault last;
};

static struct dev_count counts[IOMMU_FAULT_DEVICES];
static struct spinlock fault_lock;
static volatile u64 total, irqs, overflows, lines, suppressed_total;
/* The rate limit: a window of one second (TSC) opened by the first fault line after the last one
 * ended; what it suppressed is summarised by the first poll or fault after it ends. */
static u64 window_start, window_lines, suppressed;
static struct iommu_fault last_suppressed;

const char *iommu_fault_reason_name(u8 r)
{
	switch (r) {
	case VTD_FR_ROOT_NOT_PRESENT: return "no root entry";
	case VTD_FR_CTX_NOT_PRESENT: return "no context entry";
	case VTD_FR_CTX_INVALID: return "invalid context entry";
	case VTD_FR_BEYOND_AW: return "address beyond the domain's width";
	case VTD_FR_WRITE: return "write not permitted";
	case VTD_FR_READ: return "read not permitted";
	case VTD_FR_SL_ENTRY_INVALID: return "page-table entry unreadable";
	case VTD_FR_ROOT_TABLE_INVALID: return "root table unreadable";
	case VTD_FR_CTX_TABLE_INVALID: return "context table unreadable";
	case VTD_FR_ROOT_RESERVED: return "reserved bit in root entry";
	case VTD_FR_CTX_RESERVED: return "reserved bit in context entry";
	case VTD_FR_SL_RESERVED: return "reserved bit in page-table entry";
	case VTD_FR_CTX_TT_BLOCKED: return "translation type blocked";
	case VTD_FR_IR_INDEX_OVER: return "interrupt index beyond the table";
	case VTD_FR_IR_ENTRY_NOT_PRESENT: return "interrupt entry not present";
	case VTD_FR_IR_COMPAT_BLOCKED: return "compatibility-format interrupt blocked";
	case VTD_FR_IR_SID_MISMATCH: return "interrupt source id mismatch";
	default: return "other";
	}
}

static void count(const struct iommu_fault *f)
{
	total++;
	struct dev_count *free_slot = NULL;
	for (u32 i = 0; i < IOMMU_FAULT_DEVICES; i++) {
		if (counts[i].used && counts[i].sid == f->sid) {
			counts[i].count++;
			counts[i].last_seq = total;
			counts[i].last = *f;
			return;
		}
		if (!counts[i].used && !free_slot)
			free_slot = &counts[i];
	}
	if (free_slot)
		*free_slot = (struct dev_count){.used = true, .sid = f->sid, .count = 1, .last_seq = total, .last = *f};
}

static void describe(const struct iommu_fault *f, char *who, size_t size)
{
	struct iommu_rt *rt = iommu_rt();
	if (f->unit < rt->nunits)
		iommu_describe_source(&rt->units[f->unit], f->sid, who, size);
	else
		snprintf(who, size, "unit %u", f->unit);
}

/* Ends the rate-limit window once a second has passed since it opened, printing how many fault lines
 * it held back (and whose was the last) so that a burst never goes unmentioned. */
static void rate_window_end(u64 now)
{
	if (now - window_start < tsc_hz())
		return;
	if (suppressed) {
		char who[48];
		describe(&last_suppressed, who, sizeof(who));
		pr_warn("iommu",
			"rate limit: %llu more faults in that second were not logged (the last: "
			"%02x:%02x.%u (%s) reason %u (%s) at 0x%llx); per-device fault counts include them",
			suppressed, SID_BUS(last_suppressed.sid), SID_DEV(last_suppressed.sid),
			SID_FN(last_suppressed.sid), who, last_suppressed.reason,
			iommu_fault_reason_name(last_suppressed.reason), last_suppressed.addr);
	}
	window_start = now;
	window_lines = suppressed = 0;
}

/* True when this fault's line may be printed (at most IOMMU_FAULT_LOG_PER_SEC a second). */
static bool rate_ok(const struct iommu_fault *f)
{
	rate_window_end(rdtsc());
	if (window_lines < IOMMU_FAULT_LOG_PER_SEC) {
		window_lines++;
		lines++;
		return true;
	}
	if (!suppressed)
		pr_warn("iommu",
			"rate limit: more than %u faults this second: the rest are counted, not logged; "
			"a summary follows when the second ends",
			IOMMU_FAULT_LOG_PER_SEC);
	suppressed++;
	suppressed_total++;
	last_suppressed = *f;
	return false;
}

static void report(const struct vtd_unit *u, const struct iommu_fault *f)
{
	count(f);
	if (!rate_ok(f))
		return;
	char who[48];
	iommu_describe_source(u, f->sid, who, sizeof(who));
	if (f->reason >= VTD_FR_IR_FIRST) { /* interrupt remapping: the fault info holds the index */
		pr_info("iommu", "interrupt blocked: %02x:%02x.%u (%s) index %llu reason 0x%x (%s)", SID_BUS(f->sid),
			SID_DEV(f->sid), SID_FN(f->sid), who, f->addr >> VTD_FRCD_LO_IR_INDEX_SHIFT, f->reason,
			iommu_fault_reason_name(f->reason));
		return;
	}
	pr_info("iommu", "DMA %s blocked: %02x:%02x.%u (%s) addr 0x%llx reason %u (%s)", f->write ? "write" : "read",
		SID_BUS(f->sid), SID_DEV(f->sid), SID_FN(f->sid), who, f->addr, f->reason,
		iommu_fault_reason_name(f->reason));
}

static u32 drain_unit(struct vtd_unit *u)
{
	u32 n = 0, nfr = u->caps->nfr;
	u32 fsts = mmio_read32(u->base + VTD_FSTS_REG);
	u32 idx = (u32)VTD_FIELD_GET(fsts, VTD_FSTS_FRI_HI, VTD_FSTS_FRI_LO);
	/* walk every register once, from the index the unit points at */
	for (u32 k = 0; k < nfr; k++, idx = (idx + 1) % nfr) {
		u64 rec = u->base + u->caps->fro + (u64)idx * VTD_FRCD_SIZE;
		u64 hi = mmio_read64(rec + VTD_FRCD_HI);
		if (!(hi & VTD_FRCD_HI_F))
			continue;
		u64 lo = mmio_read64(rec + VTD_FRCD_LO);
		mmio_write32(rec + VTD_FRCD_F_DWORD, (u32)VTD_FRCD_F_DWORD_BIT); /* write 1 to clear F */
		struct iommu_fault f = {
			.unit = u->index,
			.sid = (u16)(hi & VTD_FRCD_HI_SID_MASK),
			.reason = (u8)VTD_FIELD_GET(hi, VTD_FRCD_HI_FR_HI, VTD_FRCD_HI_FR_LO),
			.write = !(hi & VTD_FRCD_HI_T),
			.addr = lo & VTD_FRCD_LO_FI_MASK,
		};
		report(u, &f);
		n++;
	}
	if (fsts & VTD_FSTS_PFO) {
		overflows++;
		pr_warn("iommu",
			"unit %u: fault overflow: all %u fault recording registers were full, so later "
			"faults were lost (neither logged nor counted); the devices above fault faster "
			"than Moat drains them",
			u->index, nfr);
	}
	if (fsts & FSTS_ERRORS_W1C)
		mmio_write32(u->base + VTD_FSTS_REG, fsts & FSTS_ERRORS_W1C);
	return n;
}

static u64 irq_save(void)
{
	u64 f;
	__asm__ volatile("pushfq; popq %0; cli" : "=r"(f)::"memory");
	return f;
}

static void irq_restore(u64 f)
{
	if (f & RFLAGS_IF)
		irq_enable();
}

u32 iommu_fault_poll(void)
{
	struct iommu_rt *rt = iommu_rt();
	u32 n = 0;
	/* the fault interrupt, taken on this CPU while the lock is held, would spin on it forever */
	u64 flags = irq_save();
	spin_lock(&fault_lock);
	for (u32 i = 0; i < rt->nunits; i++)
		if (rt->units[i].root_table)
			n += drain_unit(&rt->units[i]);
	rate_window_end(rdtsc());
	spin_unlock(&fault_lock);
	irq_restore(flags);
	return n;
}

u32 iommu_fault_overflow_pending(void)
{
	struct iommu_rt *rt = iommu_rt();
	u32 units = 0;
	for (u32 i = 0; i < rt->nunits; i++)
		if (rt->units[i].root_table && (mmio_read32(rt->units[i].base + VTD_FSTS_REG) & VTD_FSTS_PFO))
			units |= 1u << i;
	return units;
}

static void fault_irq(struct int_frame *fr __unused)
{
	irqs++;
	iommu_fault_poll();
	apic_eoi();
}

void iommu_fault_setup_unit(struct vtd_unit *u)
{
	idt_set_handler(IOMMU_FAULT_VECTOR, fault_irq);
	mmio_write32(u->base + VTD_FECTL_REG, VTD_FECTL_IM);
	mmio_write32(u->base + VTD_FEDATA_REG, IOMMU_FAULT_VECTOR);
	mmio_write32(u->base + VTD_FEADDR_REG, VTD_MSI_ADDR_BASE | (apic_id() << VTD_MSI_ADDR_DEST_SHIFT));
	mmio_write32(u->base + VTD_FEUADDR_REG, 0);
	/* faults recorded before Moat owned the unit are reported once, then the interrupt is unmasked */
	iommu_fault_poll();
	mmio_write32(u->base + VTD_FECTL_REG, 0);
}

/* The counts of every requester id dev's DMA may carry: behind a PCIe-to-PCI bridge its faults are
 * recorded under the bridge's alias id, never its own. Fills out[], returns how many. */
static u32 find(const struct pci_addr *dev, struct dev_count **out)
{
	u16 rids[IOMMU_MAX_DMA_ALIASES];
	u32 nr = iommu_dma_aliases(dev, rids, IOMMU_MAX_DMA_ALIASES), n = 0;
	for (u32 r = 0; r < nr; r++)
		for (u32 i = 0; i < IOMMU_FAULT_DEVICES; i++)
			if (counts[i].used && counts[i].sid == rids[r])
				out[n++] = &counts[i];
	return n;
}

u64 iommu_fault_count(const struct pci_addr *dev)
{
	struct dev_count *c[IOMMU_MAX_DMA_ALIASES];
	u32 n = find(dev, c);
	u64 sum = 0;
	for (u32 i = 0; i < n; i++)
		sum += c[i]->count;
	return sum;
}

bool iommu_fault_last(const struct pci_addr *dev, struct iommu_fault *out)
{
	struct dev_count *c[IOMMU_MAX_DMA_ALIASES], *latest = NULL;
	u32 n = find(dev, c);
	for (u32 i = 0; i < n; i++)
		if (!latest || c[i]->last_seq > latest->last_seq)
			latest = c[i];
	if (latest)
		*out = latest->last;
	return latest != NULL;
}

u64 iommu_fault_total(void) { return total; }
u64 iommu_fault_irqs(void) { return irqs; }
u64 iommu_fault_overflows(void) { return overflows; }

void iommu_fault_stats(struct iommu_fault_stats *s)
{
	u64 flags = irq_save();
	spin_lock(&fault_lock);
	*s = (struct iommu_fault_stats){.total = total,
					.irqs = irqs,
					.overflows = overflows,
					.lines = lines,
					.suppressed = suppressed_total,
					.suppressed_unsummarised = suppressed};
	spin_unlock(&fault_lock);
	irq_restore(flags);
}
