/* guests/net/dhcp.c: the DHCP client (RFC 2131/2132): DISCOVER, OFFER, REQUEST, ACK, all broadcast
 * from 0.0.0.0 port 68 to port 67; retried a few times. */
#include "net.h"

#define BOOTP_LEN 236
#define MAGIC 0x63825363u
#define OPT_PAD 0
#define OPT_ROUTER 3
#define OPT_REQ_IP 50
#define OPT_MSG 53
#define OPT_SERVER 54
#define OPT_PARAMS 55
#define OPT_END 255
#define MSG_DISCOVER 1
#define MSG_OFFER 2
#define MSG_REQUEST 3
#define MSG_ACK 5
#define MSG_NAK 6
#define PORT_SERVER 67
#define PORT_CLIENT 68
#define PAYLOAD_OFF 42
#define TRIES 4
#define BROADCAST 0x8000

static const u8 bcast[ETH_ALEN] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};

static u32 build(u8 *f, const struct nic *n, u32 xid, u8 type, u32 req_ip, u32 server)
{
	u8 *b = f + PAYLOAD_OFF;
	for (u32 i = 0; i < BOOTP_LEN + 64; i++)
		b[i] = 0;
	b[0] = 1; /* BOOTREQUEST */
	b[1] = 1; /* Ethernet */
	b[2] = ETH_ALEN;
	put32(b + 4, xid);
	put16(b + 10, BROADCAST);
	bytes_copy(b + 28, n->mac, ETH_ALEN);
	put32(b + BOOTP_LEN, MAGIC);
	u8 *o = b + BOOTP_LEN + 4;
	*o++ = OPT_MSG, *o++ = 1, *o++ = type;
	if (req_ip) {
		*o++ = OPT_REQ_IP, *o++ = 4;
		put32(o, req_ip);
		o += 4;
		*o++ = OPT_SERVER, *o++ = 4;
		put32(o, server);
		o += 4;
	}
	*o++ = OPT_PARAMS, *o++ = 1, *o++ = OPT_ROUTER;
	*o++ = OPT_END;
	return udp_frame(f, n->mac, bcast, 0, 0xffffffffu, PORT_CLIENT, PORT_SERVER, (u32)(o - b));
}

/* The DHCP message type of a reply for xid (0 if it is not one); fills l. */
static u8 parse(const u8 *f, u32 len, u32 xid, struct lease *l)
{
	if (len < PAYLOAD_OFF + BOOTP_LEN + 4 || get16(f + 12) != 0x0800 || f[ETH_HLEN + 9] != 17 ||
	    get16(f + ETH_HLEN + 22) != PORT_CLIENT)
		return 0;
	const u8 *b = f + PAYLOAD_OFF;
	if (b[0] != 2 || get32(b + 4) != xid || get32(b + BOOTP_LEN) != MAGIC)
		return 0;
	u8 type = 0;
	l->ip = get32(b + 16);
	bytes_copy(l->server_mac, f + ETH_ALEN, ETH_ALEN);
	for (u32 i = BOOTP_LEN + 4; i + 1 < len - PAYLOAD_OFF;) {
		u8 op = b[i];
		if (op == OPT_END)
			break;
		if (op == OPT_PAD) {
			i++;
			continue;
		}
		u8 ol = b[i + 1];
		if (i + 2 + ol > len - PAYLOAD_OFF)
			break;
		if (op == OPT_MSG && ol >= 1)
			type = b[i + 2];
		else if (op == OPT_SERVER && ol >= 4)
			l->server = get32(b + i + 2);
		else if (op == OPT_ROUTER && ol >= 4)
			l->router = get32(b + i + 2);
		i += 2u + ol;
	}
	return type;
}

static u8 exchange(struct nic *n, u32 xid, u8 type, u32 req, u32 server, u8 want, struct lease *l, u64 hz)
{
	static u8 f[FRAME_MAX];
	for (int t = 0; t < TRIES; t++) {
		u32 len = build(f, n, xid, type, req, server);
		if (nic_send(n, f, len) != 0) {
			gprintf("net: transmit timed out\n");
			return 0;
		}
		u64 end = rdtsc() + hz;
		while (rdtsc() < end) {
			u32 got = nic_recv(n, f, sizeof(f), hz / 10);
			u8 m = got ? parse(f, got, xid, l) : 0;
			if (m == want || m == MSG_NAK)
				return m;
		}
	}
	return 0;
}

int dhcp_lease(struct nic *n, struct lease *l, u64 hz)
{
	u32 xid = 0x4d6f6174u ^ (u32)rdtsc();
	struct lease offer = {0};
	if (exchange(n, xid, MSG_DISCOVER, 0, 0, MSG_OFFER, &offer, hz) != MSG_OFFER) {
		gprintf("net: no DHCP offer\n");
		return -1;
	}
	*l = offer;
	u8 m = exchange(n, xid, MSG_REQUEST, offer.ip, offer.server, MSG_ACK, l, hz);
	if (m != MSG_ACK) {
		gprintf("net: DHCP request for the offer was %s\n", m == MSG_NAK ? "refused (NAK)" : "not answered");
		return -1;
	}
	if (!l->server)
		l->server = offer.server;
	return 0;
}
