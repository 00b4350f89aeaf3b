/* vmm/vacpi_pci.c: the AML of a Linux VM's PCI host bridge (see vacpi.h; pure, unit-tested).
 * Without a PNP0A03 device in the DSDT, Linux x86 with ACPI scans no PCI bus at all (the ACPI
 * root-bridge driver replaces the legacy scan), so a VM with assigned devices gets:
 *   Scope (\_SB) {
 *     Device (PCI0) {
 *       Name (_HID, EisaId ("PNP0A03"))      a PCI host bridge; no _OSC, no _PRT (no INTx)
 *       Name (_UID, Zero)
 *       Name (_BBN, Zero)                     bus 0
 *       Name (_CRS, ResourceTemplate () {
 *         WordBusNumber (ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, 0, 0, 0, 1)
 *         IO (Decode16, 0xCF8, 0xCF8, 1, 8)   the configuration ports
 *         DWordMemory / QWordMemory (ResourceProducer, PosDecode, MinFixed, MaxFixed,
 *                     NonCacheable, ReadWrite, ...)   one per window (below / above 4 GiB)
 *       })
 *     }
 *   }
 * Encodings: ACPI 6.4 chapter 20 (AML) and 6.4 (resource descriptors). */
#include "vacpi.h"
#include "../kernel/string.h"

/* AML opcodes and prefixes */
#define AML_ZERO_OP 0x00
#define AML_NAME_OP 0x08
#define AML_BYTE_PREFIX 0x0a
#define AML_WORD_PREFIX 0x0b
#define AML_DWORD_PREFIX 0x0c
#define AML_SCOPE_OP 0x10
#define AML_BUFFER_OP 0x11
#define AML_EXT_OP_PREFIX 0x5b
#define AML_DEVICE_OP 0x82 /* after AML_EXT_OP_PREFIX */
#define AML_ROOT_CHAR '\\'
#define AML_NAMESEG_LEN 4

/* PkgLength: one byte up to 63, else a lead byte (count of following bytes in bits 7:6, low
 * nibble of the length in bits 3:0) and up to three more bytes of 8 bits each. */
#define PKG_1BYTE_MAX 0x3f
#define PKG_2BYTE_MAX 0xfff
#define PKG_3BYTE_MAX 0xfffff
#define PKG_FOLLOW_SHIFT 6
#define PKG_LOW_NIBBLE 0xf
#define PKG_NIBBLE_BITS 4
#define PKG_MAX_BYTES 4

/* EISA id "PNP0A03": compressed vendor "PNP" = 0x41D0, product 0x0A03, stored big-endian. */
static const u8 eisaid_pnp0a03[] = {0x41, 0xd0, 0x0a, 0x03};

/* Resource descriptors */
#define RES_IO_SMALL 0x47 /* small item: I/O port, 7 bytes of data */
#define RES_IO_DECODE16 0x01
#define RES_END_TAG 0x79
#define RES_WORD_ADDR 0x88
#define RES_DWORD_ADDR 0x87
#define RES_QWORD_ADDR 0x8a
#define RES_WORD_ADDR_LEN 13	/* bytes after the 3-byte large-item header */
#define RES_DWORD_ADDR_LEN 23
#define RES_QWORD_ADDR_LEN 43
#define RES_TYPE_MEMORY 0
#define RES_TYPE_BUS 2
#define RES_FLAGS_FIXED_PRODUCER 0x0c /* MaxFixed | MinFixed, PosDecode, producer (bit 0 clear) */
#define RES_MEM_NONCACHEABLE_RW 0x01
#define RES_BUS_NO_FLAGS 0x00
#define CF8_PORT 0xcf8
#define CF8_PORTS 8
#define CF8_ALIGN 1
#define BELOW_4G 0x100000000ULL

struct out {
	u8 *p;
	size_t len, cap;
	bool overflow;
};

static void emit(struct out *o, const void *src, size_t n)
{
	if (o->len + n > o->cap) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, src, n);
	o->len += n;
}

static void b1(struct out *o, u8 v) { emit(o, &v, 1); }
static void le(struct out *o, u64 v, u32 bytes)
{
	for (u32 i = 0; i < bytes; i++)
		b1(o, (u8)(v >> (8 * i)));
}

/* The PkgLength for `body` bytes after it: its own size counts too. */
static u32 pkg_size(size_t body)
{
	if (body + 1 <= PKG_1BYTE_MAX)
		return 1;
	if (body + 2 <= PKG_2BYTE_MAX)
		return 2;
	return body + 3 <= PKG_3BYTE_MAX ? 3 : PKG_MAX_BYTES;
}

static void pkg_length(struct out *o, size_t body)
{
	u32 n = pkg_size(body);
	u64 total = body + n;
	if (n == 1) {
		b1(o, (u8)total);
		return;
	}
	b1(o, (u8)(((n - 1) << PKG_FOLLOW_SHIFT) | (total & PKG_LOW_NIBBLE)));
	le(o, total >> PKG_NIBBLE_BITS, n - 1);
}

static void name_seg(struct out *o, const char *seg) { emit(o, seg, AML_NAMESEG_LEN); }

static void name_zero(struct out *o, const char *seg)
{
	b1(o, AML_NAME_OP);
	name_seg(o, seg);
	b1(o, AML_ZERO_OP);
}

static void word_bus(struct out *o)
{
	b1(o, RES_WORD_ADDR);
	le(o, RES_WORD_ADDR_LEN, 2);
	b1(o, RES_TYPE_BUS);
	b1(o, RES_FLAGS_FIXED_PRODUCER);
	b1(o, RES_BUS_NO_FLAGS);
	le(o, 0, 2); /* granularity */
	le(o, 0, 2); /* minimum: bus 0 */
	le(o, 0, 2); /* maximum: bus 0 */
	le(o, 0, 2); /* translation */
	le(o, 1, 2); /* length: one bus */
}

static void io_cf8(struct out *o)
{
	b1(o, RES_IO_SMALL);
	b1(o, RES_IO_DECODE16);
	le(o, CF8_PORT, 2);
	le(o, CF8_PORT, 2);
	b1(o, CF8_ALIGN);
	b1(o, CF8_PORTS);
}

static void mem_window(struct out *o, const struct vacpi_pci_window *w)
{
	bool dword = w->base + w->size <= BELOW_4G;
	u32 width = dword ? 4 : 8;
	b1(o, dword ? RES_DWORD_ADDR : RES_QWORD_ADDR);
	le(o, dword ? RES_DWORD_ADDR_LEN : RES_QWORD_ADDR_LEN, 2);
	b1(o, RES_TYPE_MEMORY);
	b1(o, RES_FLAGS_FIXED_PRODUCER);
	b1(o, RES_MEM_NONCACHEABLE_RW);
	le(o, 0, width);			/* granularity */
	le(o, w->base, width);			/* minimum */
	le(o, w->base + w->size - 1, width);	/* maximum */
	le(o, 0, width);			/* translation */
	le(o, w->size, width);			/* length */
}

static size_t crs_template(const struct vacpi_pci *pci, u8 *buf, size_t cap)
{
	struct out o = {.p = buf, .cap = cap};
	word_bus(&o);
	io_cf8(&o);
	for (u32 i = 0; i < pci->nwin && i < VACPI_PCI_WINDOWS; i++)
		if (pci->win[i].size)
			mem_window(&o, &pci->win[i]);
	b1(&o, RES_END_TAG);
	b1(&o, 0); /* checksum 0: "treated as if the checksum operation succeeded" */
	return o.overflow ? 0 : o.len;
}

#define CRS_FIXED_MAX 64 /* the bus and CF8 descriptors, the end tag */
#define CRS_MAX (CRS_FIXED_MAX + VACPI_PCI_WINDOWS * (3 + RES_QWORD_ADDR_LEN))
#define DEVICE_BODY_MAX (CRS_MAX + 128)

size_t vacpi_pci_aml(const struct vacpi_pci *pci, u8 *dst, size_t cap)
{
	u8 crs[CRS_MAX], dev[DEVICE_BODY_MAX];
	size_t crs_len = crs_template(pci, crs, sizeof(crs));
	if (!crs_len)
		return 0;

	/* Device body: name, then the named objects */
	struct out d = {.p = dev, .cap = sizeof(dev)};
	name_seg(&d, "PCI0");
	b1(&d, AML_NAME_OP);
	name_seg(&d, "_HID");
	b1(&d, AML_DWORD_PREFIX);
	emit(&d, eisaid_pnp0a03, sizeof(eisaid_pnp0a03));
	name_zero(&d, "_UID");
	name_zero(&d, "_BBN");
	b1(&d, AML_NAME_OP);
	name_seg(&d, "_CRS");
	b1(&d, AML_BUFFER_OP);
	u32 size_bytes = crs_len <= 0xff ? 1 : 2;
	pkg_length(&d, 1 + size_bytes + crs_len);
	b1(&d, size_bytes == 1 ? AML_BYTE_PREFIX : AML_WORD_PREFIX);
	le(&d, crs_len, size_bytes);
	emit(&d, crs, crs_len);
	if (d.overflow)
		return 0;

	/* Scope (\_SB) { Device (...) { body } } */
	size_t dev_len = 2 + pkg_size(d.len) + d.len;
	struct out o = {.p = dst, .cap = cap};
	b1(&o, AML_SCOPE_OP);
	pkg_length(&o, 1 + AML_NAMESEG_LEN + dev_len);
	b1(&o, AML_ROOT_CHAR);
	name_seg(&o, "_SB_");
	b1(&o, AML_EXT_OP_PREFIX);
	b1(&o, AML_DEVICE_OP);
	pkg_length(&o, d.len);
	emit(&o, dev, d.len);
	return o.overflow ? 0 : o.len;
}
