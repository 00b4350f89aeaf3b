/* vmm/e1000e.c: polling 8257x driver with legacy descriptors (see e1000e.h). Register layout per
 * the Intel 82574 and 8254x developer manuals. */
#include "e1000e.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define INTEL_VENDOR 0x8086
#define DEV_82574L 0x10d3
#define DEV_82540EM 0x100e

#define PCI_BAR0 0x10
#define PCI_BAR_MEM_MASK 0xfffffff0u
#define PCI_BAR_MEM64 0x4u

#define REG_CTRL 0x0000
#define REG_STATUS 0x0008
#define REG_IMC 0x00d8
#define REG_RCTL 0x0100
#define REG_TCTL 0x0400
#define REG_TIPG 0x0410
#define REG_RDBAL 0x2800
#define REG_RDBAH 0x2804
#define REG_RDLEN 0x2808
#define REG_RDH 0x2810
#define REG_RDT 0x2818
#define REG_TDBAL 0x3800
#define REG_TDBAH 0x3804
#define REG_TDLEN 0x3808
#define REG_TDH 0x3810
#define REG_TDT 0x3818
#define REG_GPTC 0x4080
#define REG_RAL0 0x5400
#define REG_RAH0 0x5404

#define CTRL_SLU BIT(6)
#define CTRL_RST BIT(26)
#define STATUS_LU BIT(1)
#define RCTL_EN BIT(1)
#define RCTL_UPE BIT(3)
#define RCTL_MPE BIT(4)
#define RCTL_BAM BIT(15)
#define RCTL_SECRC BIT(26)
#define TCTL_EN BIT(1)
#define TCTL_PSP BIT(3)
#define TCTL_CT_SHIFT 4
#define TCTL_CT 0x0f
#define TCTL_COLD_SHIFT 12
#define TCTL_COLD 0x3f
#define TIPG_DEFAULT 0x0060200a /* IPGT 10, IPGR1 8, IPGR2 6 */
#define RAH_AV BIT(31)
#define IMC_ALL 0xffffffffu

#define TXD_CMD_EOP BIT(0)
#define TXD_CMD_IFCS BIT(1)
#define TXD_CMD_RS BIT(3)
#define TXD_STA_DD BIT(0)
#define RXD_STA_DD BIT(0)
#define RXD_STA_EOP BIT(1)

#define RESET_WAIT_US 10000
#define LINK_WAIT_US 3000000
#define TX_WAIT_US 1000000
#define ETH_MIN 60
#define DEFAULT_MAC {0x52, 0x54, 0x00, 0x12, 0x34, 0x56}

struct txd {
	u64 addr;
	u16 len;
	u8 cso, cmd, status, css;
	u16 special;
} __packed;

struct rxd {
	u64 addr;
	u16 len, csum;
	u8 status, errors;
	u16 special;
} __packed;

/* Window layout (offsets). */
#define OFF_TXR 0
#define OFF_RXR PAGE_SIZE
#define OFF_TXBUF (2 * PAGE_SIZE)
#define OFF_RXBUF (3 * PAGE_SIZE)

static u32 rd(const struct e1000e *n, u32 reg) { return mmio_read32(n->bar0 + reg); }
static void wr(const struct e1000e *n, u32 reg, u32 v) { mmio_write32(n->bar0 + reg, v); }
static struct txd *txr(const struct e1000e *n) { return (struct txd *)(n->win + OFF_TXR); }
static struct rxd *rxr(const struct e1000e *n) { return (struct rxd *)(n->win + OFF_RXR); }
static u64 deadline(u64 us) { return rdtsc() + tsc_hz() / 1000000 * us; }

int e1000e_find(struct e1000e *n)
{
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		if (f->vendor != INTEL_VENDOR || (f->device != DEV_82574L && f->device != DEV_82540EM))
			continue;
		memset(n, 0, sizeof(*n));
		n->addr = f->addr;
		n->device = f->device;
		u32 lo = pci_cfg_read32(&f->addr, PCI_BAR0);
		n->bar0 = lo & PCI_BAR_MEM_MASK;
		if (lo & PCI_BAR_MEM64)
			n->bar0 |= (u64)pci_cfg_read32(&f->addr, PCI_BAR0 + 4) << 32;
		return n->bar0 ? 0 : -1;
	}
	return -1;
}

int e1000e_start(struct e1000e *n, u8 *win, u64 win_dev)
{
	n->win = win;
	n->win_dev = win_dev;
	u16 cmd = pci_cfg_read16(&n->addr, PCI_COMMAND);
	pci_cfg_write16(&n->addr, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY);
	wr(n, REG_IMC, IMC_ALL);
	wr(n, REG_CTRL, rd(n, REG_CTRL) | CTRL_RST);
	tsc_delay_us(RESET_WAIT_US);
	u64 end = deadline(RESET_WAIT_US * 10);
	while ((rd(n, REG_CTRL) & CTRL_RST) && rdtsc() < end)
		cpu_relax();
	wr(n, REG_IMC, IMC_ALL);

	u32 ral = rd(n, REG_RAL0), rah = rd(n, REG_RAH0);
	static const u8 fallback[6] = DEFAULT_MAC;
	for (int i = 0; i < 4; i++)
		n->mac[i] = (u8)(ral >> (8 * i));
	n->mac[4] = (u8)rah;
	n->mac[5] = (u8)(rah >> 8);
	if (!(rah & RAH_AV) && !ral)
		memcpy(n->mac, fallback, 6);
	wr(n, REG_RAL0, (u32)n->mac[0] | (u32)n->mac[1] << 8 | (u32)n->mac[2] << 16 | (u32)n->mac[3] << 24);
	wr(n, REG_RAH0, (u32)n->mac[4] | (u32)n->mac[5] << 8 | RAH_AV);

	memset(win, 0, E1000E_WINDOW);
	for (u32 i = 0; i < E1000E_RING; i++)
		rxr(n)[i].addr = win_dev + OFF_RXBUF + (u64)i * E1000E_BUF;
	wr(n, REG_TDBAL, (u32)(win_dev + OFF_TXR));
	wr(n, REG_TDBAH, (u32)((win_dev + OFF_TXR) >> 32));
	wr(n, REG_TDLEN, E1000E_RING * sizeof(struct txd));
	wr(n, REG_TDH, 0);
	wr(n, REG_TDT, 0);
	wr(n, REG_RDBAL, (u32)(win_dev + OFF_RXR));
	wr(n, REG_RDBAH, (u32)((win_dev + OFF_RXR) >> 32));
	wr(n, REG_RDLEN, E1000E_RING * sizeof(struct rxd));
	wr(n, REG_RDH, 0);
	wr(n, REG_RDT, E1000E_RING - 1);
	n->tx_tail = n->rx_next = 0;

	pci_cfg_write16(&n->addr, PCI_COMMAND, cmd | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	wr(n, REG_TIPG, TIPG_DEFAULT);
	wr(n, REG_TCTL, TCTL_EN | TCTL_PSP | (TCTL_CT << TCTL_CT_SHIFT) | (TCTL_COLD << TCTL_COLD_SHIFT));
	wr(n, REG_RCTL, RCTL_EN | RCTL_UPE | RCTL_MPE | RCTL_BAM | RCTL_SECRC);
	wr(n, REG_CTRL, rd(n, REG_CTRL) | CTRL_SLU);
	end = deadline(LINK_WAIT_US);
	while (!(rd(n, REG_STATUS) & STATUS_LU)) {
		if (rdtsc() > end) {
			pr_err("nic", "link did not come up within %u s", LINK_WAIT_US / 1000000);
			return -1;
		}
		cpu_relax();
	}
	e1000e_tx_count(n);
	return 0;
}

int e1000e_send_raw(struct e1000e *n, u64 dev_addr, u32 len)
{
	struct txd *d = &txr(n)[n->tx_tail];
	*d = (struct txd){.addr = dev_addr, .len = (u16)len, .cmd = TXD_CMD_EOP | TXD_CMD_IFCS | TXD_CMD_RS};
	n->tx_tail = (n->tx_tail + 1) % E1000E_RING;
	__asm__ volatile("sfence" ::: "memory");
	wr(n, REG_TDT, n->tx_tail);
	u64 end = deadline(TX_WAIT_US);
	while (rd(n, REG_TDH) != n->tx_tail) {
		if (rdtsc() > end) {
			pr_err("nic", "transmit descriptor not consumed (TDH %u TDT %u)", rd(n, REG_TDH), n->tx_tail);
			return -1;
		}
		cpu_relax();
	}
	return 0;
}

int e1000e_send(struct e1000e *n, const void *frame, u32 len)
{
	if (len > E1000E_BUF)
		return -1;
	memcpy(n->win + OFF_TXBUF, frame, len);
	if (len < ETH_MIN) {
		memset(n->win + OFF_TXBUF + len, 0, ETH_MIN - len);
		len = ETH_MIN;
	}
	return e1000e_send_raw(n, n->win_dev + OFF_TXBUF, len);
}

u32 e1000e_recv(struct e1000e *n, void *buf, u32 size, u64 timeout_us)
{
	u64 end = deadline(timeout_us);
	for (;;) {
		volatile struct rxd *d = &rxr(n)[n->rx_next];
		if (d->status & RXD_STA_DD) {
			u32 len = MIN((u32)d->len, size);
			memcpy(buf, n->win + OFF_RXBUF + (u64)n->rx_next * E1000E_BUF, len);
			d->status = 0;
			wr(n, REG_RDT, n->rx_next);
			n->rx_next = (n->rx_next + 1) % E1000E_RING;
			return len;
		}
		if (rdtsc() > end)
			return 0;
		cpu_relax();
	}
}

u32 e1000e_tx_count(struct e1000e *n) { return rd(n, REG_GPTC); }

void e1000e_stop(struct e1000e *n)
{
	wr(n, REG_RCTL, 0);
	wr(n, REG_TCTL, 0);
	u16 cmd = pci_cfg_read16(&n->addr, PCI_COMMAND);
	pci_cfg_write16(&n->addr, PCI_COMMAND, cmd & ~PCI_COMMAND_MASTER);
}
