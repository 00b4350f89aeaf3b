/* kernel/pci_addr.c: parsing and printing PCI addresses in lspci's "ssss:bb:dd.f" form. */
#include "pci_addr.h"
#include "fmt.h"

#define PCI_DEV_MAX 0x1f
#define PCI_FN_MAX 7

/* Digit counts of each field, exactly as lspci -D prints them. */
#define SEG_DIGITS 4
#define BUS_DIGITS 2
#define DEV_DIGITS 2
#define FN_DIGITS 1

static int hex_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Reads exactly n hex digits at s[*pos], advancing *pos. Returns -1 if any is not hex. */
static int take_hex(const char *s, size_t len, size_t *pos, unsigned n, u32 *out)
{
	u32 v = 0;

	if (len - *pos < n)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		int d = hex_val(s[*pos + i]);
		if (d < 0)
			return -1;
		v = (v << 4) | (u32)d;
	}
	*pos += n;
	*out = v;
	return 0;
}

static int take_char(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos >= len || s[*pos] != c)
		return -1;
	(*pos)++;
	return 0;
}

int pci_addr_parse(const char *s, size_t len, struct pci_addr *out)
{
	size_t pos = 0;
	u32 seg = 0, bus, dev, fn;

	if (!s || !out)
		return -1;
	/* "ssss:bb:dd.f" is 12 characters, "bb:dd.f" is 7; nothing else is accepted. */
	if (len == SEG_DIGITS + 1 + BUS_DIGITS + 1 + DEV_DIGITS + 1 + FN_DIGITS) {
		if (take_hex(s, len, &pos, SEG_DIGITS, &seg) || take_char(s, len, &pos, ':'))
			return -1;
	} else if (len != BUS_DIGITS + 1 + DEV_DIGITS + 1 + FN_DIGITS) {
		return -1;
	}
	if (take_hex(s, len, &pos, BUS_DIGITS, &bus) || take_char(s, len, &pos, ':') ||
	    take_hex(s, len, &pos, DEV_DIGITS, &dev) || take_char(s, len, &pos, '.') ||
	    take_hex(s, len, &pos, FN_DIGITS, &fn))
		return -1;
	if (pos != len || dev > PCI_DEV_MAX || fn > PCI_FN_MAX)
		return -1;

	out->seg = (u16)seg;
	out->bus = (u8)bus;
	out->dev = (u8)dev;
	out->fn = (u8)fn;
	return 0;
}

char *pci_addr_format(const struct pci_addr *a, char *buf, size_t size)
{
	if (!buf || size == 0)
		return buf;
	snprintf(buf, size, "%04x:%02x:%02x.%x", a->seg, a->bus, a->dev, a->fn);
	return buf;
}
