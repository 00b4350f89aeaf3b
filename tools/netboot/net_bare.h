/* tools/netboot/net_bare.h: the bare run of guests/net (net_bare.c), called by the EFI app (netboot.c). */
#ifndef NET_BARE_H
#define NET_BARE_H

/* Runs guests/net's guest_main with interrupts disabled on the firmware's page tables and prints
 * "net bare: N packets in T ticks: X ticks per packet, ..."; guest_main's return value. */
int net_bare_run(void);

#endif
