/* guests/net/e1000.c: a polling driver for the Intel 82540EM (e1000) and 82574L (e1000e) with legacy
 * descriptors: one TX and one RX ring of NIC_RING entries in this guest's memory. Every address given to
 * the NIC is a device address: guest-physical + dma_off (0 behind an IOMMU domain, the RAM's host
 * address with dma = unprotected-identity). Interrupts stay masked: the guest polls. */
#include "net.h"

#define CTRL 0x0000
#define STATUS 0x0008
#define IMC 0x00d8
#define RCTL 0x0100
#define TCTL 0x0400
#define TIPG 0x0410
#define RDBAL 0x2800
#define RDBAH 0x2804
#define RDLEN 0x2808
#define RDH 0x2810
#define RDT 0x2818
#define TDBAL 0x3800
#define TDBAH 0x3804
#define TDLEN 0x3808
#define TDH 0x3810
#define TDT 0x3818
#define RAL0 0x5400
#define RAH0 0x5404
#define MTA 0x5200
#define MTA_WORDS 128

#define CTRL_SLU (1u << 6)
#define CTRL_RST (1u << 26)
#define STATUS_LU (1u << 1)
#define RCTL_EN (1u << 1)
#define RCTL_BAM (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN (1u << 1)
#define TCTL_PSP (1u << 3)
#define TCTL_CT (0x0fu << 4)
#define TCTL_COLD (0x3fu << 12)
#define TIPG_DEFAULT 0x0060200au
#define RAH_AV (1u << 31)
#define TXD_EOP 0x01
#define TXD_IFCS 0x02
#define TXD_RS 0x08
#define DD 0x01
#define ETH_MIN 60

struct txd {
	u64 addr;
	u16 len;
	u8 cso, cmd, status, css;
	u16 special;
} __attribute__((packed));

struct rxd {
	u64 addr;
	u16 len, csum;
	u8 status, errors;
	u16 special;
} __attribute__((packed));

static struct txd txr[NIC_RING] __attribute__((aligned(4096)));
static struct rxd rxr[NIC_RING] __attribute__((aligned(4096)));
static u8 txbuf[NIC_BUF] __attribute__((aligned(4096)));
static u8 rxbuf[NIC_RING][NIC_BUF] __attribute__((aligned(4096)));

static u32 rd(const struct nic *n, u32 r) { return *(volatile u32 *)(uintptr_t)(n->bar + r); }
static void wr(const struct nic *n, u32 r, u32 v) { *(volatile u32 *)(uintptr_t)(n->bar + r) = v; }
static u64 dev_addr(const struct nic *n, const void *p) { return (u64)(uintptr_t)p + n->dma_off; }

static bool wait_clear(const struct nic *n, u32 reg, u32 bit, bool want_set, u64 timeout)
{
	u64 end = rdtsc() + timeout;
	while (((rd(n, reg) & bit) != 0) != want_set)
		if (rdtsc() > end)
			return false;
	return true;
}

int nic_start(struct nic *n, u64 timeout)
{
	wr(n, IMC, 0xffffffffu);
	wr(n, CTRL, rd(n, CTRL) | CTRL_RST);
	if (!wait_clear(n, CTRL, CTRL_RST, false, timeout)) {
		gprintf("net: reset did not complete\n");
		return -1;
	}
	wr(n, IMC, 0xffffffffu);
	u32 ral = rd(n, RAL0), rah = rd(n, RAH0);
	for (int i = 0; i < 4; i++)
		n->mac[i] = (u8)(ral >> (8 * i));
	n->mac[4] = (u8)rah;
	n->mac[5] = (u8)(rah >> 8);
	if (!(rah & RAH_AV) && !ral) { /* no EEPROM MAC: a locally administered one */
		static const u8 fallback[ETH_ALEN] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
		bytes_copy(n->mac, fallback, ETH_ALEN);
	}
	wr(n, RAL0, (u32)n->mac[0] | (u32)n->mac[1] << 8 | (u32)n->mac[2] << 16 | (u32)n->mac[3] << 24);
	wr(n, RAH0, (u32)n->mac[4] | (u32)n->mac[5] << 8 | RAH_AV);
	for (u32 i = 0; i < MTA_WORDS; i++)
		wr(n, MTA + 4 * i, 0);
	for (u32 i = 0; i < NIC_RING; i++) {
		rxr[i].addr = dev_addr(n, rxbuf[i]);
		rxr[i].status = 0;
		txr[i].status = 0;
	}
	wr(n, TDBAL, (u32)dev_addr(n, txr));
	wr(n, TDBAH, (u32)(dev_addr(n, txr) >> 32));
	wr(n, TDLEN, sizeof(txr));
	wr(n, TDH, 0);
	wr(n, TDT, 0);
	wr(n, RDBAL, (u32)dev_addr(n, rxr));
	wr(n, RDBAH, (u32)(dev_addr(n, rxr) >> 32));
	wr(n, RDLEN, sizeof(rxr));
	wr(n, RDH, 0);
	wr(n, RDT, NIC_RING - 1);
	n->tx_tail = n->rx_next = 0;
	wr(n, TIPG, TIPG_DEFAULT);
	wr(n, TCTL, TCTL_EN | TCTL_PSP | TCTL_CT | TCTL_COLD);
	wr(n, RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);
	wr(n, CTRL, rd(n, CTRL) | CTRL_SLU);
	if (!wait_clear(n, STATUS, STATUS_LU, true, timeout)) {
		gprintf("net: link did not come up\n");
		return -1;
	}
	return 0;
}

int nic_send(struct nic *n, const void *frame, u32 len)
{
	if (len > NIC_BUF)
		return -1;
	bytes_copy(txbuf, frame, len);
	for (; len < ETH_MIN; len++)
		txbuf[len] = 0;
	volatile struct txd *d = &txr[n->tx_tail];
	d->addr = dev_addr(n, txbuf);
	d->len = (u16)len;
	d->cmd = TXD_EOP | TXD_IFCS | TXD_RS;
	d->status = 0;
	n->tx_tail = (n->tx_tail + 1) % NIC_RING;
	__asm__ volatile("sfence" ::: "memory");
	wr(n, TDT, n->tx_tail);
	u64 end = rdtsc() + 50000000ULL;
	while (!(d->status & DD)) {
		n->polls++;
		if (rdtsc() > end)
			return -1;
	}
	n->tx_packets++;
	return 0;
}

u32 nic_recv(struct nic *n, void *buf, u32 size, u64 timeout)
{
	u64 end = rdtsc() + timeout;
	for (;;) {
		volatile struct rxd *d = &rxr[n->rx_next];
		if (d->status & DD) {
			u32 len = d->len < size ? d->len : size;
			bytes_copy(buf, rxbuf[n->rx_next], len);
			d->status = 0;
			wr(n, RDT, n->rx_next);
			n->rx_next = (n->rx_next + 1) % NIC_RING;
			n->rx_packets++;
			return len;
		}
		n->polls++;
		if (rdtsc() > end)
			return 0;
	}
}
