/* guests/net/proto.c: Ethernet, ARP, IPv4, ICMP echo and UDP framing for the net guest (RFC 826, 791,
 * 792, 768). Addresses are kept in host byte order; frames are big-endian on the wire. */
#include "net.h"

#define ETHERTYPE_IP 0x0800
#define ETHERTYPE_ARP 0x0806
#define IP_HLEN 20
#define UDP_HLEN 8
#define ICMP_HLEN 8
#define IP_PROTO_ICMP 1
#define IP_PROTO_UDP 17
#define IP_TTL 64
#define ARP_LEN 28
#define ARP_REQUEST 1
#define ARP_REPLY 2
#define ICMP_ECHO_REPLY 0
#define ICMP_ECHO 8
#define PING_DATA 32

void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8); p[1] = (u8)v; }
void put32(u8 *p, u32 v) { put16(p, (u16)(v >> 16)); put16(p + 2, (u16)v); }
u16 get16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
u32 get32(const u8 *p) { return (u32)get16(p) << 16 | get16(p + 2); }

void bytes_copy(void *d, const void *s, u64 n)
{
	u8 *dd = d;
	const u8 *ss = s;
	while (n--)
		*dd++ = *ss++;
}

u16 ip_checksum(const void *p, u32 len, u32 sum)
{
	const u8 *b = p;
	for (u32 i = 0; i + 1 < len; i += 2)
		sum += get16(b + i);
	if (len & 1)
		sum += (u32)b[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

void ip_str(u32 ip, char *buf)
{
	gsnprintf(buf, 16, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255, ip & 255);
}

static void eth(u8 *f, const u8 dst[6], const u8 src[6], u16 type)
{
	bytes_copy(f, dst, ETH_ALEN);
	bytes_copy(f + ETH_ALEN, src, ETH_ALEN);
	put16(f + 12, type);
}

static void ipv4(u8 *ip, u32 src, u32 dst, u8 proto, u32 payload)
{
	for (int i = 0; i < IP_HLEN; i++)
		ip[i] = 0;
	ip[0] = 0x45;
	put16(ip + 2, (u16)(IP_HLEN + payload));
	ip[8] = IP_TTL;
	ip[9] = proto;
	put32(ip + 12, src);
	put32(ip + 16, dst);
	put16(ip + 10, ip_checksum(ip, IP_HLEN, 0));
}

u32 udp_frame(u8 *f, const u8 src_mac[6], const u8 dst_mac[6], u32 src_ip, u32 dst_ip, u16 sport, u16 dport,
	      u32 payload_len)
{
	eth(f, dst_mac, src_mac, ETHERTYPE_IP);
	ipv4(f + ETH_HLEN, src_ip, dst_ip, IP_PROTO_UDP, UDP_HLEN + payload_len);
	u8 *u = f + ETH_HLEN + IP_HLEN;
	put16(u, sport);
	put16(u + 2, dport);
	put16(u + 4, (u16)(UDP_HLEN + payload_len));
	put16(u + 6, 0); /* no checksum (allowed over IPv4) */
	return ETH_HLEN + IP_HLEN + UDP_HLEN + payload_len;
}

static u32 arp(u8 *f, u16 op, const u8 sha[6], u32 spa, const u8 tha[6], u32 tpa, const u8 dst[6])
{
	eth(f, dst, sha, ETHERTYPE_ARP);
	u8 *a = f + ETH_HLEN;
	put16(a, 1);
	put16(a + 2, ETHERTYPE_IP);
	a[4] = ETH_ALEN;
	a[5] = 4;
	put16(a + 6, op);
	bytes_copy(a + 8, sha, ETH_ALEN);
	put32(a + 14, spa);
	bytes_copy(a + 18, tha, ETH_ALEN);
	put32(a + 24, tpa);
	return ETH_HLEN + ARP_LEN;
}

u32 arp_request(u8 *f, const u8 mac[6], u32 my_ip, u32 target_ip)
{
	static const u8 bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, zero[ETH_ALEN] = {0};
	return arp(f, ARP_REQUEST, mac, my_ip, zero, target_ip, bcast);
}

bool arp_reply_from(const u8 *f, u32 len, u32 ip, u8 mac[6])
{
	if (len < ETH_HLEN + ARP_LEN || get16(f + 12) != ETHERTYPE_ARP || get16(f + ETH_HLEN + 6) != ARP_REPLY ||
	    get32(f + ETH_HLEN + 14) != ip)
		return false;
	bytes_copy(mac, f + ETH_HLEN + 8, ETH_ALEN);
	return true;
}

u32 icmp_echo(u8 *f, const u8 mac[6], const u8 dst_mac[6], u32 my_ip, u32 dst_ip, u16 id, u16 seq)
{
	eth(f, dst_mac, mac, ETHERTYPE_IP);
	ipv4(f + ETH_HLEN, my_ip, dst_ip, IP_PROTO_ICMP, ICMP_HLEN + PING_DATA);
	u8 *c = f + ETH_HLEN + IP_HLEN;
	c[0] = ICMP_ECHO;
	c[1] = 0;
	put16(c + 2, 0);
	put16(c + 4, id);
	put16(c + 6, seq);
	for (int i = 0; i < PING_DATA; i++)
		c[ICMP_HLEN + i] = (u8)('a' + i % 23);
	put16(c + 2, ip_checksum(c, ICMP_HLEN + PING_DATA, 0));
	return ETH_HLEN + IP_HLEN + ICMP_HLEN + PING_DATA;
}

bool icmp_echo_reply(const u8 *f, u32 len, u32 from_ip, u16 id, u16 seq)
{
	const u8 *ip = f + ETH_HLEN, *c = ip + IP_HLEN;
	return len >= ETH_HLEN + IP_HLEN + ICMP_HLEN && get16(f + 12) == ETHERTYPE_IP && ip[9] == IP_PROTO_ICMP &&
	       get32(ip + 12) == from_ip && c[0] == ICMP_ECHO_REPLY && get16(c + 4) == id && get16(c + 6) == seq;
}

u32 answer_frame(u8 *f, u32 len, const u8 mac[6], u32 my_ip)
{
	if (len >= ETH_HLEN + ARP_LEN && get16(f + 12) == ETHERTYPE_ARP && get16(f + ETH_HLEN + 6) == ARP_REQUEST &&
	    get32(f + ETH_HLEN + 24) == my_ip) {
		u8 sha[ETH_ALEN];
		u32 spa = get32(f + ETH_HLEN + 14);
		bytes_copy(sha, f + ETH_HLEN + 8, ETH_ALEN);
		return arp(f, ARP_REPLY, mac, my_ip, sha, spa, sha);
	}
	u8 *ip = f + ETH_HLEN, *c = ip + IP_HLEN;
	if (len >= ETH_HLEN + IP_HLEN + ICMP_HLEN && get16(f + 12) == ETHERTYPE_IP && ip[9] == IP_PROTO_ICMP &&
	    get32(ip + 16) == my_ip && c[0] == ICMP_ECHO && (ip[0] & 0xf) == 5) {
		u32 total = get16(ip + 2);
		if (total > len - ETH_HLEN || total < IP_HLEN + ICMP_HLEN)
			return 0;
		u8 peer[ETH_ALEN];
		bytes_copy(peer, f + ETH_ALEN, ETH_ALEN);
		eth(f, peer, mac, ETHERTYPE_IP);
		u32 src = get32(ip + 12);
		ipv4(ip, my_ip, src, IP_PROTO_ICMP, total - IP_HLEN);
		c[0] = ICMP_ECHO_REPLY;
		put16(c + 2, 0);
		put16(c + 2, ip_checksum(c, total - IP_HLEN, 0));
		return ETH_HLEN + total;
	}
	return 0;
}
