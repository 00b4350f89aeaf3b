/* guests/net/main.c: the net guest: finds its NIC on its virtual PCI bus, places BAR0, brings the link
 * up, gets a DHCP lease and pings the DHCP server, printing
 *   net: lease 10.0.2.15 from 10.0.2.2
 * A VM named "net-bench" then sends BENCH_PACKETS frames and prints packets per second and cycles per
 * packet (the guest TSC counts Bochs instructions). A VM named "net-irq" lists the NIC's capabilities
 * (irq.c). Returns 0 when it has its lease. */
#include "net.h"

#define NET_BAR_GPA 0xc0000000ULL
#define DEFAULT_HZ 50000000ULL
#define KHZ 1000ULL
#define PING_ID 0x4d74
#define BENCH_PACKETS 200
#define BENCH_PAYLOAD 64

static struct nic nic;
static u8 frame[FRAME_MAX];

static u64 cycles_per_s(void)
{
	u32 r[4];
	cpuid(MOAT_CPUID_INFO_LEAF, 0, r);
	return r[0] ? r[0] * KHZ : DEFAULT_HZ;
}

static void ping(struct nic *n, const struct lease *l, u64 hz)
{
	char ip[16];
	u8 peer[ETH_ALEN];
	u32 target = l->server;
	ip_str(target, ip);
	bool have = false;
	for (int t = 0; t < 3 && !have; t++) {
		nic_send(n, frame, arp_request(frame, n->mac, l->ip, target));
		u64 end = rdtsc() + hz / 2;
		while (!have && rdtsc() < end) {
			u32 got = nic_recv(n, frame, sizeof(frame), hz / 10);
			have = got && arp_reply_from(frame, got, target, peer);
		}
	}
	if (!have) {
		gprintf("net: ping %s: no ARP reply (the network offers no ping)\n", ip);
		return;
	}
	u64 t0 = rdtsc();
	nic_send(n, frame, icmp_echo(frame, n->mac, peer, l->ip, target, PING_ID, 1));
	u64 end = t0 + hz;
	while (rdtsc() < end) {
		u32 got = nic_recv(n, frame, sizeof(frame), hz / 10);
		if (got && icmp_echo_reply(frame, got, target, PING_ID, 1)) {
			gprintf("net: ping %s: echo reply seq 1 after %llu cycles\n", ip, rdtsc() - t0);
			return;
		}
		u32 ans = got ? answer_frame(frame, got, n->mac, l->ip) : 0;
		if (ans)
			nic_send(n, frame, ans);
	}
	gprintf("net: ping %s: no echo reply (the network offers no ping)\n", ip);
}

static void bench(struct nic *n, const struct lease *l, u64 hz)
{
	static const u8 bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
	u64 polls0 = n->polls, t0 = rdtsc();
	u32 sent = 0;
	for (u32 i = 0; i < BENCH_PACKETS; i++) {
		for (u32 k = 0; k < BENCH_PAYLOAD; k++)
			frame[42 + k] = (u8)i;
		u32 len = udp_frame(frame, n->mac, bcast, l->ip, 0xffffffffu, 9, 9, BENCH_PAYLOAD);
		if (nic_send(n, frame, len) == 0)
			sent++;
	}
	u64 dt = rdtsc() - t0;
	gprintf("net: bench: %u packets sent in %llu cycles: %llu cycles per packet, %llu packets per second, %llu polls per packet\n",
		sent, dt, sent ? dt / sent : 0, dt ? (u64)sent * hz / dt : 0, sent ? (n->polls - polls0) / sent : 0);
}

int guest_main(u64 ram, u64 area)
{
	(void)area;
	char name[32], a[16], b[16];
	if (hypercall(HC_VM_NAME, (u64)(uintptr_t)name, sizeof(name)) < 0)
		name[0] = 0;
	gprintf("net: started, %llu KiB of RAM\n", ram >> 10);
	s64 base = hypercall(HC_DMA_BASE, 0, 0);
	if (base < 0) {
		gprintf("net: no assigned device (HC_DMA_BASE returned %lld)\n", base);
		return 1;
	}
	u64 hz = cycles_per_s();
	net_paging_init();
	nic.dma_off = (u64)base;
	gprintf("net: device address = guest-physical + 0x%llx (%s)\n", nic.dma_off,
		nic.dma_off ? "unprotected identity: RAM aliased at its host address" : "DMA domain: IOVA = guest-physical");
	if (nic_find(&nic, NET_BAR_GPA) != 0)
		return 2;
	if (gstrcmp(name, "net-attack") == 0) {
		net_attacks(&nic, nic.dma_off);
		if (nic_find(&nic, NET_BAR_GPA) != 0)
			return 2;
	}
	if (gstrcmp(name, "net-irq") == 0)
		net_irq_probe(&nic);
	if (nic_start(&nic, 3 * hz) != 0)
		return 2;
	gprintf("net: link up, mac %02x:%02x:%02x:%02x:%02x:%02x\n", nic.mac[0], nic.mac[1], nic.mac[2], nic.mac[3],
		nic.mac[4], nic.mac[5]);
	struct lease l;
	if (dhcp_lease(&nic, &l, hz) != 0)
		return 3;
	ip_str(l.ip, a);
	ip_str(l.server, b);
	gprintf("net: lease %s from %s\n", a, b);
	ping(&nic, &l, hz);
	if (gstrcmp(name, "net-bench") == 0)
		bench(&nic, &l, hz);
	gprintf("net: done: %llu frames sent, %llu received\n", nic.tx_packets, nic.rx_packets);
	return 0;
}
