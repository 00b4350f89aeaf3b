/* guests/net/net.h: the net guest's parts: its page tables (paging.c), PCI configuration access on its
 * virtual bus (pci.c), a polling e1000/e1000e driver (e1000.c) and the frames it speaks: ARP, IPv4,
 * ICMP echo, UDP and DHCP (proto.c, dhcp.c). Freestanding guest code: nothing here is Moat's. */
#ifndef NET_H
#define NET_H

#include "guest.h"

#define PAGE 4096ULL
#define ETH_ALEN 6
#define ETH_HLEN 14
#define FRAME_MAX 1536
#define NIC_RING 16
#define NIC_BUF 2048

/* paging.c: identity map of 0-4 GiB (2 MiB pages; the top GiB uncached, for BARs). */
void net_paging_init(void);

/* pci.c: configuration access through CF8/CFC. */
u32 pci_read32(u8 dev, u8 fn, u8 off);
void pci_write32(u8 dev, u8 fn, u8 off, u32 v);
u16 pci_read16(u8 dev, u8 fn, u8 off);
void pci_write16(u8 dev, u8 fn, u8 off, u16 v);

struct nic {
	u8 dev, fn;
	u16 device;
	u64 bar, bar_size;
	u8 mac[ETH_ALEN];
	u64 dma_off;          /* device address = guest-physical + dma_off */
	u32 tx_tail, rx_next;
	u64 tx_packets, rx_packets, polls;
};

/* Finds an Intel e1000 (8086:100e) or e1000e (8086:10d3) on bus 0; sizes BAR0 and places it at
 * bar_gpa. 0, or -1 with a printed reason. */
int nic_find(struct nic *n, u64 bar_gpa);
/* Reset, rings, MAC, link up (waits up to timeout cycles). 0 or -1. */
int nic_start(struct nic *n, u64 timeout);
int nic_send(struct nic *n, const void *frame, u32 len);
/* A received frame copied to buf (its length), or 0 after timeout cycles. */
u32 nic_recv(struct nic *n, void *buf, u32 size, u64 timeout);

/* proto.c: building and checking frames. */
u16 ip_checksum(const void *p, u32 len, u32 sum);
void put16(u8 *p, u16 v);
void put32(u8 *p, u32 v);
u16 get16(const u8 *p);
u32 get32(const u8 *p);
void bytes_copy(void *d, const void *s, u64 n);
/* Ethernet + IPv4 + UDP headers in front of payload (already at f + 42); returns the frame length. */
u32 udp_frame(u8 *f, const u8 src_mac[6], const u8 dst_mac[6], u32 src_ip, u32 dst_ip, u16 sport, u16 dport,
	      u32 payload_len);
u32 arp_request(u8 *f, const u8 mac[6], u32 my_ip, u32 target_ip);
/* The sender MAC of an ARP reply from ip: true and *mac filled. */
bool arp_reply_from(const u8 *f, u32 len, u32 ip, u8 mac[6]);
u32 icmp_echo(u8 *f, const u8 mac[6], const u8 dst_mac[6], u32 my_ip, u32 dst_ip, u16 id, u16 seq);
bool icmp_echo_reply(const u8 *f, u32 len, u32 from_ip, u16 id, u16 seq);
/* An ARP request for my_ip or an ICMP echo request to my_ip: the answer is written into f (in place);
 * its length, else 0. */
u32 answer_frame(u8 *f, u32 len, const u8 mac[6], u32 my_ip);
void ip_str(u32 ip, char *buf);

/* attack.c: the hostile attempts of a VM named "net-attack" (BAR0 is left at 0, decoding off). */
void net_attacks(struct nic *n, u64 dma_off);

/* irq.c: a VM named "net-irq": the NIC's capabilities; the MSI capability's offset or 0. */
u8 net_irq_probe(struct nic *n);

/* dhcp.c */
struct lease {
	u32 ip, server, router;
	u8 server_mac[ETH_ALEN];
};
/* DISCOVER/OFFER/REQUEST/ACK; 0 with *l, or -1. */
int dhcp_lease(struct nic *n, struct lease *l, u64 cycles_per_s);

#endif
