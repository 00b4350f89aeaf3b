/* vmm/dhcp.c: building a DHCPDISCOVER frame and parsing a DHCPOFFER (see dhcp.h). */
#include "dhcp.h"
#include "../kernel/string.h"

#define ETH_HLEN 14
#define ETH_TYPE_IPV4 0x0800
#define IP_HLEN 20
#define IP_VER_IHL 0x45
#define IP_TTL 64
#define IP_PROTO_UDP 17
#define UDP_HLEN 8
#define PORT_SERVER 67
#define PORT_CLIENT 68
#define BOOTP_LEN 236 /* fixed part, before the magic cookie */
#define BOOTP_REQUEST 1
#define BOOTP_REPLY 2
#define BOOTP_HTYPE_ETH 1
#define BOOTP_FLAG_BROADCAST 0x8000
#define DHCP_MAGIC 0x63825363u
#define OPT_PAD 0
#define OPT_SUBNET 1
#define OPT_ROUTER 3
#define OPT_DNS 6
#define OPT_MSG_TYPE 53
#define OPT_SERVER_ID 54
#define OPT_PARAMS 55
#define OPT_END 255
#define MSG_DISCOVER 1
#define MSG_OFFER 2
#define BOOTP_MIN_PAYLOAD 300 /* BOOTP messages are at least this long */
/* Offsets in the BOOTP message. */
#define B_OP 0
#define B_HTYPE 1
#define B_HLEN 2
#define B_XID 4
#define B_FLAGS 10
#define B_YIADDR 16
#define B_CHADDR 28
#define B_MAGIC BOOTP_LEN
#define B_OPTIONS (BOOTP_LEN + 4)

static void put16(u8 *p, u16 v) { p[0] = (u8)(v >> 8), p[1] = (u8)v; }
static void put32(u8 *p, u32 v) { put16(p, (u16)(v >> 16)), put16(p + 2, (u16)v); }
static u16 get16(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static u32 get32(const u8 *p) { return (u32)get16(p) << 16 | get16(p + 2); }

static u16 ip_checksum(const u8 *p, u32 len)
{
	u32 sum = 0;
	for (u32 i = 0; i + 1 < len; i += 2)
		sum += get16(p + i);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (u16)~sum;
}

u32 dhcp_discover(u8 *buf, const u8 mac[6], u32 xid)
{
	u32 blen = BOOTP_MIN_PAYLOAD;
	u32 ulen = UDP_HLEN + blen, iplen = IP_HLEN + ulen, total = ETH_HLEN + iplen;
	memset(buf, 0, total);
	/* Ethernet: broadcast */
	memset(buf, 0xff, 6);
	memcpy(buf + 6, mac, 6);
	put16(buf + 12, ETH_TYPE_IPV4);
	/* IPv4: 0.0.0.0 -> 255.255.255.255 */
	u8 *ip = buf + ETH_HLEN;
	ip[0] = IP_VER_IHL;
	put16(ip + 2, (u16)iplen);
	ip[8] = IP_TTL;
	ip[9] = IP_PROTO_UDP;
	put32(ip + 16, 0xffffffffu);
	put16(ip + 10, ip_checksum(ip, IP_HLEN));
	/* UDP 68 -> 67, no checksum */
	u8 *udp = ip + IP_HLEN;
	put16(udp, PORT_CLIENT);
	put16(udp + 2, PORT_SERVER);
	put16(udp + 4, (u16)ulen);
	/* BOOTP + DHCP options */
	u8 *b = udp + UDP_HLEN;
	b[B_OP] = BOOTP_REQUEST;
	b[B_HTYPE] = BOOTP_HTYPE_ETH;
	b[B_HLEN] = 6;
	put32(b + B_XID, xid);
	put16(b + B_FLAGS, BOOTP_FLAG_BROADCAST);
	memcpy(b + B_CHADDR, mac, 6);
	put32(b + B_MAGIC, DHCP_MAGIC);
	u8 *o = b + B_OPTIONS;
	*o++ = OPT_MSG_TYPE, *o++ = 1, *o++ = MSG_DISCOVER;
	*o++ = OPT_PARAMS, *o++ = 3, *o++ = OPT_SUBNET, *o++ = OPT_ROUTER, *o++ = OPT_DNS;
	*o++ = OPT_END;
	return total;
}

bool dhcp_parse_offer(const u8 *f, u32 len, u32 xid, struct dhcp_offer *out)
{
	if (len < ETH_HLEN + IP_HLEN + UDP_HLEN + B_OPTIONS || get16(f + 12) != ETH_TYPE_IPV4)
		return false;
	const u8 *ip = f + ETH_HLEN;
	u32 ihl = (ip[0] & 0xf) * 4;
	if ((ip[0] >> 4) != 4 || ihl < IP_HLEN || ip[9] != IP_PROTO_UDP || len < ETH_HLEN + ihl + UDP_HLEN + B_OPTIONS)
		return false;
	const u8 *udp = ip + ihl;
	if (get16(udp) != PORT_SERVER || get16(udp + 2) != PORT_CLIENT)
		return false;
	const u8 *b = udp + UDP_HLEN;
	if (b[B_OP] != BOOTP_REPLY || get32(b + B_XID) != xid || get32(b + B_MAGIC) != DHCP_MAGIC)
		return false;
	const u8 *o = b + B_OPTIONS, *end = f + len;
	bool offer = false;
	out->yiaddr = get32(b + B_YIADDR);
	out->server_id = 0;
	while (o < end && *o != OPT_END) {
		if (*o == OPT_PAD) {
			o++;
			continue;
		}
		if (o + 2 > end || o + 2 + o[1] > end)
			break;
		if (o[0] == OPT_MSG_TYPE && o[1] == 1)
			offer = o[2] == MSG_OFFER;
		if (o[0] == OPT_SERVER_ID && o[1] == 4)
			out->server_id = get32(o + 2);
		o += 2 + o[1];
	}
	return offer;
}
