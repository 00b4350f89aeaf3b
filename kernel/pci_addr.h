/* kernel/pci_addr.h: a PCI function's address (segment:bus:device.function), as users write it. */
#ifndef MOAT_PCI_ADDR_H
#define MOAT_PCI_ADDR_H

#include "types.h"

struct pci_addr {
	u16 seg;
	u8 bus;
	u8 dev; /* 0..31 */
	u8 fn;  /* 0..7 */
};

#define PCI_ADDR_STR_MAX 16 /* "ssss:bb:dd.f" + NUL */

/* Parses "0000:00:02.0" or "00:02.0" (segment 0). Returns 0, or -1 if malformed or out of range. */
int pci_addr_parse(const char *s, size_t len, struct pci_addr *out);
/* Writes "ssss:bb:dd.f"; returns buf. */
char *pci_addr_format(const struct pci_addr *a, char *buf, size_t size);
/* Requester id (bus << 8 | dev << 3 | fn), as VT-d source-ids use it. */
static inline u16 pci_addr_rid(const struct pci_addr *a)
{
	return (u16)((a->bus << 8) | (a->dev << 3) | a->fn);
}

#endif
