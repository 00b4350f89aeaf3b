/* vmm/assign_reset.c: resetting an assigned device before its VM sees it and after the VM stops, by
 * the strongest method it supports: function-level reset (PCIe FLR, after its pending transactions
 * drained), else a PM D3hot -> D0 cycle (when the device does not advertise No_Soft_Reset), else a
 * secondary bus reset through its parent bridge when every function below that bridge is an
 * endpoint the same VM gets (no bridge below, nothing of Moat's or of another VM), else the device's
 * own reset bit for the Intel 8254x/8257x NICs Moat knows (CTRL.RST), else none (said so).
 * A conventional reset clears the BARs: Moat reads them before writing back the saved header and says
 * whether the reset visibly took effect; when an FLR or PM reset left the BARs as they were, a known
 * NIC also gets its CTRL.RST. The header registers a reset clears (BARs, ROM, interrupt line) are
 * saved and written back for every function reset; bus mastering stays off afterwards. */
#include "assign.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/pci.h"
#include "../kernel/tsc.h"

#define PCIE_DEVCAP 4
#define PCIE_DEVCAP_FLR BIT(28)
#define PCIE_DEVCTL 8
#define PCIE_DEVCTL_FLR BIT(15)
#define PCIE_DEVSTA 10
#define PCIE_DEVSTA_TRPND BIT(5)
#define PM_CSR 4
#define PM_CSR_STATE_MASK 3u
#define PM_CSR_D3HOT 3u
#define PM_CSR_D0 0u
#define PM_CSR_NO_SOFT_RESET BIT(3)
#define BRIDGE_CONTROL 0x3e
#define BRIDGE_CTL_BUS_RESET BIT(6)
#define FLR_WAIT_US 100000     /* PCIe: 100 ms after an FLR before the function is used again */
#define PM_WAIT_US 10000       /* PCI PM: 10 ms D3hot -> D0 recovery */
#define SBR_ASSERT_US 2000     /* the reset held at least 1 ms (Linux holds 2) */
#define SBR_SETTLE_US 100000   /* PCIe: 100 ms before configuration requests after a bus reset */
#define SBR_READY_US 1000000   /* then up to 1 s more for a function to answer again */
#define PENDING_POLL_US 1000
#define PENDING_TRIES 100      /* up to 100 ms for outstanding transactions to drain before an FLR */
#define SAVED_START 0x10
#define SAVED_END 0x40
#define SAVED_WORDS ((SAVED_END - SAVED_START) / 4)
#define BAR_COUNT 6
#define INTEL_VENDOR 0x8086
#define NIC_CTRL 0
#define NIC_CTRL_RST BIT(26)
#define NIC_RST_WAIT_US 10000
#define BAR_MEM_MASK 0xfffffff0u
#define BAR_IO BIT(0)
#define BAR_TYPE_MASK 6u
#define BAR_TYPE_64 4u
#define VENDOR_NONE 0xffffu
#define SBR_FUNCS_MAX 16

enum method { M_NONE, M_FLR, M_PM, M_SBR, M_NIC };

static const u16 intel_nics[] = {0x100e, 0x100f, 0x10d3, 0x10f5, 0x153a, 0x15b8};

struct saved {
	struct pci_addr a;
	u32 hdr[SAVED_WORDS];
	u16 cmd;
};

static bool intel_nic(const struct pci_addr *a)
{
	const struct pci_func *f = pci_find(a);
	u32 bar0 = pci_cfg_read32(a, SAVED_START);
	if (!f || f->vendor != INTEL_VENDOR || (bar0 & BAR_IO) || !(bar0 & BAR_MEM_MASK))
		return false;
	for (u32 i = 0; i < ARRAY_SIZE(intel_nics); i++)
		if (intel_nics[i] == f->device)
			return true;
	return false;
}

static bool in_group(const struct pci_addr *a, const struct pci_addr *group, u32 ngroup)
{
	for (u32 i = 0; i < ngroup; i++)
		if (group[i].seg == a->seg && pci_addr_rid(&group[i]) == pci_addr_rid(a))
			return true;
	return false;
}

/* a's parent bridge, when a bus reset through it would reach only endpoints of the group; else NULL. */
static const struct pci_func *sbr_bridge(const struct pci_addr *a, const struct pci_addr *group, u32 ngroup)
{
	const struct pci_func *p = pci_parent_bridge(a->seg, a->bus);
	if (!p)
		return NULL;
	u32 below = 0;
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->addr.seg != a->seg || f->addr.bus < p->sec_bus || f->addr.bus > p->sub_bus)
			continue;
		if ((f->hdr_type & PCI_HEADER_TYPE_LAYOUT) != PCI_HEADER_TYPE_NORMAL || !in_group(&f->addr, group, ngroup))
			return NULL;
		below++;
	}
	return below && below <= SBR_FUNCS_MAX ? p : NULL;
}

static enum method pick(const struct pci_addr *a, const struct pci_addr *group, u32 ngroup)
{
	u8 exp = pci_find_cap(a, PCI_CAP_ID_EXP);
	if (exp && (pci_cfg_read32(a, (u16)(exp + PCIE_DEVCAP)) & PCIE_DEVCAP_FLR))
		return M_FLR;
	u8 pm = pci_find_cap(a, PCI_CAP_ID_PM);
	if (pm && !(pci_cfg_read16(a, (u16)(pm + PM_CSR)) & PM_CSR_NO_SOFT_RESET))
		return M_PM;
	if (sbr_bridge(a, group, ngroup))
		return M_SBR;
	return intel_nic(a) ? M_NIC : M_NONE;
}

static const char *const method_names[] = {
    [M_NONE] = "none", [M_FLR] = "FLR", [M_PM] = "PM D3hot->D0", [M_SBR] = "secondary bus reset",
    [M_NIC] = "device reset (CTRL.RST)"};

static void save(struct saved *s, const struct pci_addr *a)
{
	s->a = *a;
	for (u32 i = 0; i < SAVED_WORDS; i++)
		s->hdr[i] = pci_cfg_read32(a, (u16)(SAVED_START + 4 * i));
	s->cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, (u16)(s->cmd & ~PCI_COMMAND_MASTER));
}

static void restore(const struct saved *s)
{
	for (u32 i = 0; i < SAVED_WORDS; i++)
		pci_cfg_write32(&s->a, (u16)(SAVED_START + 4 * i), s->hdr[i]);
	pci_cfg_write16(&s->a, PCI_COMMAND,
			(u16)((s->cmd & ~(PCI_COMMAND_MASTER | PCI_COMMAND_IO)) | PCI_COMMAND_INTX_DISABLE));
}

/* Did the reset clear a memory BAR the firmware had set (read before the header is written back)? */
static bool bars_cleared(const struct saved *s)
{
	for (u32 i = 0; i < BAR_COUNT; i++) {
		u32 was = s->hdr[i];
		if ((was & BAR_IO) || !(was & BAR_MEM_MASK))
			continue;
		if ((pci_cfg_read32(&s->a, (u16)(SAVED_START + 4 * i)) & BAR_MEM_MASK) != (was & BAR_MEM_MASK))
			return true;
		if ((was & BAR_TYPE_MASK) == BAR_TYPE_64)
			i++;
	}
	return false;
}

static void nic_reset(const struct pci_addr *a)
{
	u32 lo = pci_cfg_read32(a, SAVED_START);
	u64 bar = lo & BAR_MEM_MASK;
	if ((lo & BAR_TYPE_MASK) == BAR_TYPE_64)
		bar |= (u64)pci_cfg_read32(a, SAVED_START + 4) << 32;
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, (u16)((cmd & ~PCI_COMMAND_MASTER) | PCI_COMMAND_MEMORY));
	mmio_write32(bar + NIC_CTRL, mmio_read32(bar + NIC_CTRL) | NIC_CTRL_RST);
	tsc_delay_us(NIC_RST_WAIT_US);
}

/* true when no transaction is pending any more (bus mastering is already off). */
static bool drained(const struct pci_addr *a, u8 exp)
{
	for (u32 t = 0; t < PENDING_TRIES; t++) {
		if (!(pci_cfg_read16(a, (u16)(exp + PCIE_DEVSTA)) & PCIE_DEVSTA_TRPND))
			return true;
		tsc_delay_us(PENDING_POLL_US);
	}
	return false;
}

/* Bus reset through p: every function below saved, the reset held, waited out, the headers back. */
static bool bus_reset(const struct pci_func *p, const struct pci_addr *a, bool *cleared)
{
	struct saved s[SBR_FUNCS_MAX];
	u32 n = 0, mine = 0;
	for (u32 i = 0; i < pci_count() && n < SBR_FUNCS_MAX; i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->addr.seg == a->seg && f->addr.bus >= p->sec_bus && f->addr.bus <= p->sub_bus) {
			if (pci_addr_rid(&f->addr) == pci_addr_rid(a))
				mine = n;
			save(&s[n++], &f->addr);
		}
	}
	u16 ctl = pci_cfg_read16(&p->addr, BRIDGE_CONTROL);
	pci_cfg_write16(&p->addr, BRIDGE_CONTROL, (u16)(ctl | BRIDGE_CTL_BUS_RESET));
	tsc_delay_us(SBR_ASSERT_US);
	pci_cfg_write16(&p->addr, BRIDGE_CONTROL, (u16)(ctl & ~BRIDGE_CTL_BUS_RESET));
	tsc_delay_us(SBR_SETTLE_US);
	bool ready = true;
	for (u32 i = 0; i < n; i++) {
		u32 waited = 0;
		while (pci_cfg_read16(&s[i].a, PCI_VENDOR_ID) == VENDOR_NONE && waited < SBR_READY_US) {
			tsc_delay_us(PENDING_POLL_US);
			waited += PENDING_POLL_US;
		}
		ready &= pci_cfg_read16(&s[i].a, PCI_VENDOR_ID) != VENDOR_NONE;
	}
	*cleared = bars_cleared(&s[mine]);
	for (u32 i = 0; i < n; i++)
		restore(&s[i]);
	return ready;
}

const char *assign_reset(const struct pci_addr *a, const struct pci_addr *group, u32 ngroup, char *how, size_t n)
{
	enum method m = pick(a, group, ngroup);
	struct saved s;
	save(&s, a);
	if (m == M_NONE) {
		snprintf(how, n, "none (no FLR, no PM reset, no bus reset of only this VM's devices, no known device reset)");
		return how;
	}
	u8 exp = pci_find_cap(a, PCI_CAP_ID_EXP), pm = pci_find_cap(a, PCI_CAP_ID_PM);
	bool cleared = false, ok = true;
	char bdf[PCI_ADDR_STR_MAX] = "";
	switch (m) {
	case M_FLR:
		ok = drained(a, exp); /* FLR anyway: a stuck transaction is what it is for */
		pci_cfg_write16(a, (u16)(exp + PCIE_DEVCTL), pci_cfg_read16(a, (u16)(exp + PCIE_DEVCTL)) | PCIE_DEVCTL_FLR);
		tsc_delay_us(FLR_WAIT_US);
		cleared = bars_cleared(&s);
		break;
	case M_PM: {
		u16 csr = pci_cfg_read16(a, (u16)(pm + PM_CSR));
		pci_cfg_write16(a, (u16)(pm + PM_CSR), (u16)((csr & ~PM_CSR_STATE_MASK) | PM_CSR_D3HOT));
		tsc_delay_us(PM_WAIT_US);
		pci_cfg_write16(a, (u16)(pm + PM_CSR), (u16)((csr & ~PM_CSR_STATE_MASK) | PM_CSR_D0));
		tsc_delay_us(PM_WAIT_US);
		cleared = bars_cleared(&s);
		break;
	}
	case M_SBR: {
		const struct pci_func *p = sbr_bridge(a, group, ngroup);
		pci_addr_format(&p->addr, bdf, sizeof(bdf));
		ok = bus_reset(p, a, &cleared);
		break;
	}
	default:
		nic_reset(a);
		break;
	}
	restore(&s);
	if (m == M_NIC) {
		snprintf(how, n, "%s", method_names[m]);
	} else if (m == M_SBR) {
		snprintf(how, n, "%s by bridge %s (%s)%s", method_names[m], bdf,
			 cleared ? "its BARs were cleared: it took effect" : "its BARs kept their values",
			 ok ? "" : "; a function did not answer within 1 s");
	} else if (!cleared && intel_nic(a)) {
		nic_reset(a); /* the FLR/PM reset left no trace: the NIC's own reset as well */
		restore(&s);
		snprintf(how, n, "%s (its BARs kept their values) and %s", method_names[m], method_names[M_NIC]);
	} else {
		snprintf(how, n, "%s (%s)%s", method_names[m],
			 cleared ? "its BARs were cleared: it took effect" : "its BARs kept their values",
			 ok ? "" : "; transactions were still pending");
	}
	return how;
}
