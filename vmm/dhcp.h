/* vmm/dhcp.h: the two DHCP messages the NIC self-test needs: a DISCOVER as a whole Ethernet frame,
 * and recognising the server's OFFER (RFC 2131/2132 over UDP/IPv4). */
#ifndef MOAT_DHCP_H
#define MOAT_DHCP_H

#include "../kernel/types.h"

#define DHCP_FRAME_MAX 400

struct dhcp_offer {
	u32 yiaddr;    /* offered address, host byte order */
	u32 server_id; /* option 54, host byte order (0 if absent) */
};

/* Writes a broadcast DHCPDISCOVER from mac with transaction id xid into buf; returns its length. */
u32 dhcp_discover(u8 *buf, const u8 mac[6], u32 xid);
/* True when the frame is a DHCPOFFER for xid; fills *out. */
bool dhcp_parse_offer(const u8 *frame, u32 len, u32 xid, struct dhcp_offer *out);

#endif
