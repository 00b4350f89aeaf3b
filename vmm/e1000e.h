/* vmm/e1000e.h: a small polling driver for Intel 8257x NICs (82574L "e1000e", 82540EM "e1000") with
 * legacy descriptors. It speaks only device addresses: it is given a window of memory as the device
 * sees it (guest-physical base) and how the CPU reaches it, exactly like a driver inside a VM whose
 * NIC sits behind the IOMMU. Used by the NIC DMA self-test. */
#ifndef MOAT_E1000E_H
#define MOAT_E1000E_H

#include "../kernel/pci_addr.h"
#include "../kernel/types.h"

#define E1000E_RING 16        /* descriptors per ring */
#define E1000E_BUF 2048       /* bytes per receive buffer (RCTL.BSIZE = 2048) */
/* Memory the driver needs in its window: TX ring, RX ring, one TX buffer, E1000E_RING RX buffers. */
#define E1000E_WINDOW (3 * PAGE_SIZE + E1000E_RING * E1000E_BUF)

struct e1000e {
	struct pci_addr addr;
	u16 device;
	u64 bar0;
	u8 mac[6];
	u8 *win;      /* the CPU's view of the window */
	u64 win_dev;  /* the device's (guest-physical) address of the window */
	u32 tx_tail, rx_next;
};

/* Finds a supported NIC (first one); 0, or -1 if none. */
int e1000e_find(struct e1000e *n);
/* Resets the NIC, sets up both rings in the window, enables memory decoding and bus mastering,
 * waits for the link (up to 3 s). 0, or -1 with an error line. */
int e1000e_start(struct e1000e *n, u8 *win, u64 win_dev);
/* Queues one frame from the window's TX buffer (copied there first) and waits until the NIC has
 * consumed the descriptor. 0, or -1 on timeout. */
int e1000e_send(struct e1000e *n, const void *frame, u32 len);
/* Queues a descriptor whose buffer is an arbitrary device address (the attack), waits for it. */
int e1000e_send_raw(struct e1000e *n, u64 dev_addr, u32 len);
/* Waits up to timeout_us for a received frame; copies it to buf. Returns its length, 0 on timeout. */
u32 e1000e_recv(struct e1000e *n, void *buf, u32 size, u64 timeout_us);
/* Good packets transmitted since the last call (the NIC's GPTC statistic, clear on read). */
u32 e1000e_tx_count(struct e1000e *n);
/* Stops both rings and bus mastering. */
void e1000e_stop(struct e1000e *n);

#endif
