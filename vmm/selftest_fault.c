/* vmm/selftest_fault.c: the "fault" suite: iommu/fault.c under load, with real blocked DMA.
 * fault-overflow: two edu devices in the blocking domain fault while the fault interrupt is held off
 * (interrupts off), so QEMU's single fault recording register fills and FSTS.PFO is set; the
 * interrupt then drains it: the recorded fault is reported, the overflow line printed, PFO cleared,
 * and a fresh fault is recorded and reported again.
 * fault-rate-limit: the NIC (e1000e, which faults at once on a transmit descriptor; edu needs 100 ms
 * a DMA) faults FAULT_BURST times within one second: 20 lines, the rest counted per device, one
 * summary line when the second ends. The scenario (qemu_fault.scn) checks the log and QEMU's trace. */
#include "selftest.h"
#include "selftest_dma.h"
#include "e1000e.h"
#include "selftest_nic.h"
#include "../iommu/iommu.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define EDU_XFER 8	       /* bytes per edu DMA */
#define IRQ_WAIT_US 1000000    /* edu completes after 100 ms; the fault interrupt follows at once */
#define FAULT_BURST 30	       /* > IOMMU_FAULT_LOG_PER_SEC */
#define RATE_SECOND_US 1100000 /* a little more than the rate-limit second */
#define NIC_OWNER (OWNER_VM_FIRST + 4)
#define BURST_IOVA GiB(2) /* far outside the NIC's window: every read of it is blocked */
#define NIC_READ_LEN 64
#define VICTIM_PAGES 4
#define WHY_MAX 200

/* What the edus aim at: Moat's own data, in no domain. */
static u8 victim[VICTIM_PAGES][PAGE_SIZE] __attribute__((aligned(PAGE_SIZE)));

struct fault_ctx {
	struct edu a, b;
	char a_bdf[PCI_ADDR_STR_MAX], b_bdf[PCI_ADDR_STR_MAX];
	struct selftest_nic net;
	char why[WHY_MAX];
};

static u64 victim_addr(u32 page)
{
	return (u64)(uintptr_t)victim[page];
}

static bool victims_intact(void)
{
	for (u32 p = 0; p < VICTIM_PAGES; p++)
		for (u32 i = 0; i < EDU_XFER; i++)
			if (victim[p][i] != (u8)(0xa0 + p))
				return false;
	return true;
}

/* Takes the fault event interrupt (held off so far): waits until the handler has run. */
static bool take_fault_irq(struct fault_ctx *c, u64 irqs_before)
{
	irq_enable();
	u64 end = rdtsc() + tsc_hz() / 1000000 * IRQ_WAIT_US;
	while (iommu_fault_irqs() == irqs_before && rdtsc() < end)
		cpu_relax();
	irq_disable();
	if (iommu_fault_irqs() == irqs_before) {
		snprintf(c->why, WHY_MAX, "the fault event interrupt never arrived");
		return false;
	}
	return true;
}

/* dev's count went up by exactly `more`, and its last fault is a write to page `page` of victim. */
static bool counted(struct fault_ctx *c, const struct edu *e, const char *bdf, u64 before, u64 more, u32 page)
{
	struct iommu_fault f;
	u64 now = iommu_fault_count(&e->addr);
	if (now != before + more) {
		snprintf(c->why, WHY_MAX, "edu %s: %llu faults counted, expected %llu", bdf, now - before,
			 more);
		return false;
	}
	if (more && (!iommu_fault_last(&e->addr, &f) || !f.write || f.reason != IOMMU_REASON_WRITE ||
		     f.addr != victim_addr(page))) {
		snprintf(c->why, WHY_MAX, "edu %s: last fault is not the write to 0x%llx", bdf,
			 victim_addr(page));
		return false;
	}
	return true;
}

static bool overflow(struct fault_ctx *c)
{
	for (u32 p = 0; p < VICTIM_PAGES; p++)
		memset(victim[p], 0xa0 + p, PAGE_SIZE);
	irq_disable(); /* the fault interrupt stays pending until take_fault_irq() */
	iommu_fault_poll();
	if (iommu_fault_overflow_pending()) {
		snprintf(c->why, WHY_MAX, "FSTS.PFO was already set before the test");
		return false;
	}
	u64 irqs = iommu_fault_irqs(), ov = iommu_fault_overflows();
	u64 ca = iommu_fault_count(&c->a.addr), cb = iommu_fault_count(&c->b.addr);
	/* a fills the only recording register; b (another source id) finds it full: PFO; a again: dropped */
	if (edu_dma(&c->a, victim_addr(0), 0, EDU_XFER, true) ||
	    edu_dma(&c->b, victim_addr(1), 0, EDU_XFER, true) ||
	    edu_dma(&c->a, victim_addr(2), 0, EDU_XFER, true)) {
		snprintf(c->why, WHY_MAX, "an edu DMA did not finish");
		return false;
	}
	u32 pending = iommu_fault_overflow_pending();
	pr_info(
	    "test",
	    "fault: 3 blocked DMA writes with the fault interrupt held off: %s to 0x%llx, %s to 0x%llx, %s "
	    "to 0x%llx: FSTS.PFO %s",
	    c->a_bdf, victim_addr(0), c->b_bdf, victim_addr(1), c->a_bdf, victim_addr(2),
	    pending ? "set" : "clear");
	if (!(pending & 1)) {
		snprintf(c->why, WHY_MAX,
			 "unit 0 did not set FSTS.PFO (more than one fault recording register?)");
		return false;
	}
	if (!take_fault_irq(c, irqs))
		return false;
	if (iommu_fault_overflows() != ov + 1) {
		snprintf(c->why, WHY_MAX, "%llu overflows reported, expected 1",
			 iommu_fault_overflows() - ov);
		return false;
	}
	if (iommu_fault_overflow_pending()) {
		snprintf(c->why, WHY_MAX, "FSTS.PFO still set after the fault interrupt");
		return false;
	}
	/* the recorded fault survives; the two lost ones are not counted (nobody saw them) */
	if (!counted(c, &c->a, c->a_bdf, ca, 1, 0) || !counted(c, &c->b, c->b_bdf, cb, 0, 0))
		return false;
	/* recording works again: a fresh fault from b, reported through the interrupt */
	irqs = iommu_fault_irqs();
	if (edu_dma(&c->b, victim_addr(3), 0, EDU_XFER, true)) {
		snprintf(c->why, WHY_MAX, "an edu DMA did not finish");
		return false;
	}
	pr_info("test", "fault: after the overflow: %s writes to 0x%llx", c->b_bdf, victim_addr(3));
	if (!take_fault_irq(c, irqs) || !counted(c, &c->b, c->b_bdf, cb, 1, 3))
		return false;
	if (iommu_fault_overflows() != ov + 1 || iommu_fault_overflow_pending()) {
		snprintf(c->why, WHY_MAX, "the fault after the overflow overflowed again");
		return false;
	}
	if (!victims_intact()) {
		snprintf(c->why, WHY_MAX, "a blocked DMA changed Moat's memory");
		return false;
	}
	return true;
}

/* ---- the rate limit, with the NIC ---- */

/* One blocked read by the NIC (a transmit descriptor aimed outside its domain), drained at once. */
static bool nic_fault(struct fault_ctx *c, u64 iova)
{
	if (e1000e_send_raw(&c->net.nic, iova, NIC_READ_LEN) != 0) {
		snprintf(c->why, WHY_MAX, "the NIC hung on a blocked descriptor");
		return false;
	}
	iommu_fault_poll();
	return true;
}

static bool rate_limit(struct fault_ctx *c)
{
	char bdf[PCI_ADDR_STR_MAX];
	pci_addr_format(&c->net.nic.addr, bdf, sizeof(bdf));
	iommu_fault_poll();
	tsc_delay_us(RATE_SECOND_US); /* the last rate-limit second is over: the burst opens a new one */
	iommu_fault_poll();
	struct iommu_fault_stats s0, s1, s2;
	iommu_fault_stats(&s0);
	if (s0.suppressed_unsummarised) {
		snprintf(c->why, WHY_MAX, "%llu suppressed faults of an old second were never summarised",
			 s0.suppressed_unsummarised);
		return false;
	}
	u64 n0 = iommu_fault_count(&c->net.nic.addr);
	pr_info("test", "fault: rate burst start: %u blocked DMA reads from %s", FAULT_BURST, bdf);
	u64 t0 = rdtsc();
	for (u32 i = 0; i < FAULT_BURST; i++)
		if (!nic_fault(c, BURST_IOVA + (u64)i * PAGE_SIZE))
			return false;
	u64 us = (rdtsc() - t0) / (tsc_hz() / 1000000);
	iommu_fault_stats(&s1);
	u64 n1 = iommu_fault_count(&c->net.nic.addr);
	pr_info("test",
		"fault: rate burst end: %llu faults counted for %s in %llu us, %llu lines, %llu not logged",
		n1 - n0, bdf, us, s1.lines - s0.lines, s1.suppressed - s0.suppressed);
	if (us >= RATE_SECOND_US - 100000) {
		snprintf(c->why, WHY_MAX, "the burst took %llu us: not within one second, inconclusive", us);
		return false;
	}
	struct iommu_fault f;
	if (n1 - n0 != FAULT_BURST || !iommu_fault_last(&c->net.nic.addr, &f) || f.write ||
	    f.addr != BURST_IOVA + (FAULT_BURST - 1) * PAGE_SIZE) {
		snprintf(c->why, WHY_MAX,
			 "%llu faults counted for %s, expected %u (the last a read of 0x%llx)", n1 - n0, bdf,
			 FAULT_BURST, BURST_IOVA + (FAULT_BURST - 1) * PAGE_SIZE);
		return false;
	}
	if (s1.lines - s0.lines != IOMMU_FAULT_LOG_PER_SEC ||
	    s1.suppressed - s0.suppressed != FAULT_BURST - IOMMU_FAULT_LOG_PER_SEC ||
	    s1.suppressed_unsummarised != FAULT_BURST - IOMMU_FAULT_LOG_PER_SEC) {
		snprintf(c->why, WHY_MAX, "%llu lines and %llu suppressed in the burst, expected %u and %u",
			 s1.lines - s0.lines, s1.suppressed - s0.suppressed, IOMMU_FAULT_LOG_PER_SEC,
			 FAULT_BURST - IOMMU_FAULT_LOG_PER_SEC);
		return false;
	}
	/* when the second is over, a poll alone (no new fault) prints the summary */
	tsc_delay_us(RATE_SECOND_US);
	iommu_fault_poll();
	iommu_fault_stats(&s2);
	if (s2.suppressed_unsummarised || s2.lines != s1.lines) {
		snprintf(c->why, WHY_MAX, "no summary of the suppressed faults after the second ended");
		return false;
	}
	/* and the next fault is logged again */
	u64 after = BURST_IOVA + FAULT_BURST * PAGE_SIZE;
	if (!nic_fault(c, after))
		return false;
	iommu_fault_stats(&s2);
	if (s2.lines != s1.lines + 1 || iommu_fault_count(&c->net.nic.addr) != n1 + 1) {
		snprintf(c->why, WHY_MAX,
			 "the fault after the rate-limited second was not logged and counted");
		return false;
	}
	return true;
}

static int open_edus(struct fault_ctx *c)
{
	u32 found = 0;
	for (u32 i = 0; i < pci_count() && found < 2; i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->vendor != EDU_VENDOR || f->device != EDU_DEVICE)
			continue;
		struct edu *e = found ? &c->b : &c->a;
		if (edu_open_at(e, &f->addr) != 0)
			return -1;
		pci_addr_format(&e->addr, found ? c->b_bdf : c->a_bdf, PCI_ADDR_STR_MAX);
		found++;
	}
	return found == 2 ? 0 : -1;
}

void selftest_fault(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	static struct fault_ctx c;
	memset(&c, 0, sizeof(c));
	if (open_edus(&c) != 0) {
		selftest_report(r, "fault-setup", false,
				"two edu devices are needed (QEMU -device edu twice)");
	} else {
		bool ok = overflow(&c);
		selftest_report(r, "fault-overflow", ok, c.why);
	}
	if (selftest_nic_open(&c.net, NIC_OWNER, "fault-nic", c.why, WHY_MAX) != 0) {
		selftest_report(r, "fault-setup", false, c.why);
	} else {
		bool ok = rate_limit(&c);
		selftest_report(r, "fault-rate-limit", ok, c.why);
	}
	selftest_nic_close(&c.net);
	struct iommu_fault_stats s;
	iommu_fault_stats(&s);
	pr_info("test",
		"fault: %llu faults, %llu fault interrupts, %llu overflows, %llu lines, %llu not logged",
		s.total, s.irqs, s.overflows, s.lines, s.suppressed);
}
