/* tests/unit/test_pci.c: PCI address parsing, enumeration over a fake configuration space (bridges,
 * multifunction devices, absent functions, bridge loops, deep chains, a full table), bus-master
 * disabling, capability walks, and ECAM bus-range checks over an exact-size heap window. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "kernel/pci.h"
#include "kernel/pci_addr.h"

/* kernel/pci_ecam.c maps ECAM windows; host memory needs no mapping. */
static unsigned map_calls;
int paging_map_mmio(u64 phys, u64 size)
{
	(void)phys;
	(void)size;
	map_calls++;
	return 0;
}

/* ---- pci_addr ---- */

static int parse(const char *s, struct pci_addr *a)
{
	return pci_addr_parse(s, strlen(s), a);
}

static void pci_addr_good(void)
{
	struct pci_addr a;
	char buf[PCI_ADDR_STR_MAX];

	CHECK_EQ(parse("0000:00:02.0", &a), 0);
	CHECK_EQ(a.seg, 0);
	CHECK_EQ(a.bus, 0);
	CHECK_EQ(a.dev, 2);
	CHECK_EQ(a.fn, 0);
	CHECK_STR(pci_addr_format(&a, buf, sizeof(buf)), "0000:00:02.0");

	CHECK_EQ(parse("00:1f.7", &a), 0);
	CHECK_EQ(a.seg, 0);
	CHECK_EQ(a.dev, 0x1f);
	CHECK_EQ(a.fn, 7);
	CHECK_STR(pci_addr_format(&a, buf, sizeof(buf)), "0000:00:1f.7");

	CHECK_EQ(parse("ffff:ff:1f.7", &a), 0);
	CHECK_EQ(a.seg, 0xffff);
	CHECK_EQ(a.bus, 0xff);
	CHECK_STR(pci_addr_format(&a, buf, sizeof(buf)), "ffff:ff:1f.7");

	CHECK_EQ(parse("0001:0A:0b.3", &a), 0); /* upper-case hex is accepted, printed lower-case */
	CHECK_STR(pci_addr_format(&a, buf, sizeof(buf)), "0001:0a:0b.3");
	CHECK_EQ(pci_addr_rid(&a), (0x0a << 8) | (0x0b << 3) | 3);

	/* Only len bytes are read: a longer buffer with the address as prefix parses. */
	CHECK_EQ(pci_addr_parse("00:02.0,00:03.0", 7, &a), 0);
	CHECK_EQ(a.dev, 2);
}

static void pci_addr_bad(void)
{
	static const char *const bad[] = {
	    "",
	    "0",
	    "0:0:0.0",
	    "0000:00:20.0",
	    "00:20.0",
	    "00:00.8",
	    "0000:00:02.0 ",
	    " 0000:00:02.0",
	    "000:00:02.0",
	    "00000:00:02.0",
	    "00:02",
	    "00:02.",
	    "00-02.0",
	    "0000:00:02.00",
	    "0000:000:02.0",
	    "g0:00.0",
	    "00:0x.0",
	    "0000.00:02.0",
	    "0000:00:02:0",
	    "+0:00.0",
	    "00:2.0",
	    "0:00:02.0",
	};
	struct pci_addr a = {.seg = 0x1234, .bus = 0x56, .dev = 7, .fn = 1};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i], &a) != -1)
			CHECK_STR(bad[i], "(rejected)");
	}
	/* A failed parse leaves the output untouched. */
	CHECK_EQ(a.seg, 0x1234);
	CHECK_EQ(a.bus, 0x56);
	/* Length shorter than the text: "0000:00:02.0" cut to 11 characters is malformed. */
	CHECK_EQ(pci_addr_parse("0000:00:02.0", 11, &a), -1);
	CHECK_EQ(pci_addr_parse(NULL, 0, &a), -1);
}

static void pci_addr_format_small(void)
{
	struct pci_addr a = {.seg = 0, .bus = 1, .dev = 2, .fn = 3};
	char buf[8];

	pci_addr_format(&a, buf, sizeof(buf));
	CHECK_STR(buf, "0000:01"); /* truncated, terminated */
}

/* ---- a fake configuration space: a list of functions with 256-byte spaces ---- */

#define FAKE_MAX 64

struct fake_fn {
	u8 bus, dev, fn;
	u8 cfg[PCI_CFG_SIZE];
};

static struct fake_fn fake[FAKE_MAX];
static unsigned nfake;
static unsigned fake_reads, fake_writes;

static struct fake_fn *fake_lookup(const struct pci_addr *a)
{
	for (unsigned i = 0; i < nfake; i++)
		if (a->seg == 0 && fake[i].bus == a->bus && fake[i].dev == a->dev && fake[i].fn == a->fn)
			return &fake[i];
	return NULL;
}

static u32 fake_read(const struct pci_addr *a, u16 off, u8 size)
{
	struct fake_fn *f = fake_lookup(a);
	u32 v = 0;

	fake_reads++;
	CHECK(size == 1 || size == 2 || size == 4);
	CHECK((off & (size - 1)) == 0);
	if (!f || off + size > PCI_CFG_SIZE)
		return ~0u;
	memcpy(&v, f->cfg + off, size);
	return v;
}

static void fake_write(const struct pci_addr *a, u16 off, u8 size, u32 val)
{
	struct fake_fn *f = fake_lookup(a);

	fake_writes++;
	CHECK((off & (size - 1)) == 0);
	if (f && off + size <= PCI_CFG_SIZE)
		memcpy(f->cfg + off, &val, size);
}

static const struct pci_cfg_ops fake_ops = {.name = "fake", .read = fake_read, .write = fake_write};

static void put16(u8 *c, u16 off, u16 v)
{
	memcpy(c + off, &v, 2);
}
static void put32(u8 *c, u16 off, u32 v)
{
	memcpy(c + off, &v, 4);
}
static u16 get16(const u8 *c, u16 off)
{
	u16 v;
	memcpy(&v, c + off, 2);
	return v;
}

static void fake_reset(void)
{
	memset(fake, 0, sizeof(fake));
	nfake = 0;
	fake_reads = fake_writes = 0;
}

static u8 *fake_add(u8 bus, u8 dev, u8 fn, u16 vendor, u16 device, u32 class_code, u8 hdr, u16 cmd)
{
	struct fake_fn *f = &fake[nfake++];

	CHECK(nfake <= FAKE_MAX);
	f->bus = bus;
	f->dev = dev;
	f->fn = fn;
	put16(f->cfg, PCI_VENDOR_ID, vendor);
	put16(f->cfg, PCI_DEVICE_ID, device);
	put16(f->cfg, PCI_COMMAND, cmd);
	put32(f->cfg, PCI_CLASS_REVISION, class_code << 8 | 0x02);
	f->cfg[PCI_HEADER_TYPE] = hdr;
	return f->cfg;
}

static u8 *fake_bridge(u8 bus, u8 dev, u8 fn, u8 sec, u8 sub)
{
	u8 *c = fake_add(bus, dev, fn, 0x8086, 0x2448, 0x060400, PCI_HEADER_TYPE_BRIDGE,
			 PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	c[PCI_PRIMARY_BUS] = bus;
	c[PCI_SECONDARY_BUS] = sec;
	c[PCI_SUBORDINATE_BUS] = sub;
	return c;
}

static u16 fake_cmd(u8 bus, u8 dev, u8 fn)
{
	struct pci_addr a = {.seg = 0, .bus = bus, .dev = dev, .fn = fn};
	struct fake_fn *f = fake_lookup(&a);
	return f ? get16(f->cfg, PCI_COMMAND) : 0xffff;
}

static void add_cap(u8 *c, u8 at, u8 id, u8 next)
{
	c[at + PCI_CAP_ID] = id;
	c[at + PCI_CAP_NEXT] = next;
}

/* The topology of the main enumeration test. */
static u8 *nic, *sata, *edu, *host;
static void build_topology(void)
{
	fake_reset();
	/* 00:00.0 host bridge, bus mastering on: left alone. */
	host = fake_add(0, 0, 0, 0x8086, 0x29c0, 0x060000, 0, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	/* 00:02.0 NIC with PM -> MSI -> PCIe capabilities; bus mastering on: must be turned off. */
	nic = fake_add(0, 2, 0, 0x8086, 0x10d3, 0x020000, 0,
		       PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put16(nic, PCI_STATUS, PCI_STATUS_CAP_LIST);
	nic[PCI_CAPABILITY_LIST] = 0x40;
	add_cap(nic, 0x40, PCI_CAP_ID_PM, 0x50);
	add_cap(nic, 0x50, PCI_CAP_ID_MSI, 0x60);
	add_cap(nic, 0x60, PCI_CAP_ID_EXP, 0x00);
	/* 00:03 multifunction: fn 0 and 2 present, fn 1 absent, fn 5 reads vendor 0 (invalid). */
	sata = fake_add(0, 3, 0, 0x8086, 0x2922, 0x010601, PCI_HEADER_TYPE_MULTIFUNC, PCI_COMMAND_MASTER);
	fake_add(0, 3, 2, 0x8086, 0x2930, 0x0c0500, 0, 0);
	fake_add(0, 3, 5, 0x0000, 0x1111, 0x0c0500, 0, 0);
	/* 00:04.0 is single-function: its fn 1 must not be probed even though it answers. */
	fake_add(0, 4, 0, 0x1af4, 0x1000, 0x020000, 0, 0);
	fake_add(0, 4, 1, 0x1af4, 0x1001, 0x020000, 0, PCI_COMMAND_MASTER);
	/* 00:1c.0 PCI-PCI bridge to buses 1-2. */
	fake_bridge(0, 0x1c, 0, 1, 2);
	/* 01:00.0 behind the bridge; its capability list loops (0x40 -> 0x48 -> 0x40). */
	edu = fake_add(1, 0, 0, 0x1234, 0x11e8, 0x00ff00, 0, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put16(edu, PCI_STATUS, PCI_STATUS_CAP_LIST);
	edu[PCI_CAPABILITY_LIST] = 0x40;
	add_cap(edu, 0x40, PCI_CAP_ID_VNDR, 0x48);
	add_cap(edu, 0x48, PCI_CAP_ID_VNDR, 0x40);
	/* 01:02.0 bridge to bus 2; on bus 2 one bridge loops back to bus 0 and one to bus 1. */
	fake_bridge(1, 2, 0, 2, 2);
	fake_bridge(2, 0, 0, 0, 0);
	fake_bridge(2, 1, 0, 1, 2);
	/* A device on bus 5, which no bridge leads to: never found. */
	fake_add(5, 0, 0, 0x1b36, 0x0001, 0x020000, 0, PCI_COMMAND_MASTER);
}

static bool recorded(u8 bus, u8 dev, u8 fn)
{
	struct pci_addr a = {.seg = 0, .bus = bus, .dev = dev, .fn = fn};
	return pci_find(&a) != NULL;
}

static void pci_enumerate_topology(void)
{
	build_topology();
	pci_init_ops(&fake_ops);

	CHECK_EQ(pci_count(), 10);
	CHECK(recorded(0, 0, 0));
	CHECK(recorded(0, 2, 0));
	CHECK(recorded(0, 3, 0));
	CHECK(!recorded(0, 3, 1)); /* absent */
	CHECK(recorded(0, 3, 2));
	CHECK(!recorded(0, 3, 5)); /* vendor 0x0000 */
	CHECK(recorded(0, 4, 0));
	CHECK(!recorded(0, 4, 1)); /* not multifunction */
	CHECK(recorded(0, 0x1c, 0));
	CHECK(recorded(1, 0, 0));
	CHECK(recorded(1, 2, 0));
	CHECK(recorded(2, 0, 0));
	CHECK(recorded(2, 1, 0));
	CHECK(!recorded(5, 0, 0));

	/* Lines exactly as specified, then the summary. */
	CHECK(host_log_has("moat: pci: 0000:00:00.0 8086:29c0 class 060000\n"));
	CHECK(host_log_has("moat: pci: 0000:00:02.0 8086:10d3 class 020000\n"));
	CHECK(host_log_has("moat: pci: 0000:00:03.2 8086:2930 class 0c0500\n"));
	CHECK(host_log_has("moat: pci: 0000:01:00.0 1234:11e8 class 00ff00\n"));
	CHECK(host_log_has("moat: pci: 0000:00:1c.0 8086:2448 class 060400\n"));
	CHECK_STR(host_log_last(), "moat: pci: 10 functions (fake)");
	CHECK(host_log_has("bus 01 reached twice"));
}

static void pci_records(void)
{
	build_topology();
	pci_init_ops(&fake_ops);

	struct pci_addr a = {.seg = 0, .bus = 0, .dev = 2, .fn = 0};
	const struct pci_func *f = pci_find(&a);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(f->vendor, 0x8086);
		CHECK_EQ(f->device, 0x10d3);
		CHECK_EQ(f->class_code, 0x020000);
		CHECK_EQ(f->revision, 0x02);
		CHECK_EQ(f->hdr_type, 0);
		CHECK_EQ(f->cap_ptr, 0x40);
		CHECK_EQ(f->sec_bus, 0);
	}
	a = (struct pci_addr){.seg = 0, .bus = 0, .dev = 3, .fn = 0};
	f = pci_find(&a);
	CHECK(f && f->hdr_type == PCI_HEADER_TYPE_MULTIFUNC && f->cap_ptr == 0);
	a = (struct pci_addr){.seg = 0, .bus = 0, .dev = 0x1c, .fn = 0};
	f = pci_find(&a);
	CHECK(f && f->sec_bus == 1 && f->sub_bus == 2 && f->class_code == 0x060400);
	/* Not found in another segment. */
	a.seg = 1;
	CHECK(pci_find(&a) == NULL);

	/* Table order follows the walk: bus 0 in device order, a bridge's buses right after it. */
	CHECK(pci_func_at(0) && pci_func_at(0)->addr.dev == 0);
	CHECK(pci_func_at(6) && pci_func_at(6)->addr.bus == 1);
	CHECK(pci_func_at(9) != NULL);
	CHECK(pci_func_at(10) == NULL);
	CHECK(pci_func_at(0xffffffffu) == NULL);
}

static void pci_bus_master_off(void)
{
	build_topology();
	pci_init_ops(&fake_ops);

	/* Host and PCI-PCI bridges keep bus mastering; every other function loses it, other bits stay. */
	CHECK_EQ(get16(host, PCI_COMMAND), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_EQ(get16(nic, PCI_COMMAND), PCI_COMMAND_IO | PCI_COMMAND_MEMORY);
	CHECK_EQ(get16(sata, PCI_COMMAND), 0);
	CHECK_EQ(get16(edu, PCI_COMMAND), PCI_COMMAND_MEMORY);
	CHECK_EQ(fake_cmd(0, 0x1c, 0), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK_EQ(fake_cmd(1, 2, 0), PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	CHECK(host_log_has("moat: pci: 0000:00:02.0: bus master disabled"));
	CHECK(!host_log_has("0000:00:00.0: bus master disabled"));
	/* A function that was not enumerated is not touched. */
	CHECK_EQ(fake_cmd(0, 4, 1), PCI_COMMAND_MASTER);
	CHECK_EQ(fake_cmd(5, 0, 0), PCI_COMMAND_MASTER);
}

static void pci_caps(void)
{
	build_topology();
	pci_init_ops(&fake_ops);

	struct pci_addr a = {.seg = 0, .bus = 0, .dev = 2, .fn = 0};
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_PM), 0x40);
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_MSI), 0x50);
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_EXP), 0x60);
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_MSIX), 0);

	/* The looping list ends: found when present, 0 when not, in a bounded number of reads. */
	a = (struct pci_addr){.seg = 0, .bus = 1, .dev = 0, .fn = 0};
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_VNDR), 0x40);
	fake_reads = 0;
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_MSIX), 0);
	CHECK(fake_reads < 120);

	/* A capability pointer without the status bit is not followed. */
	put16(edu, PCI_STATUS, 0);
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_VNDR), 0);
	/* A pointer into the standard header ends the walk. */
	put16(edu, PCI_STATUS, PCI_STATUS_CAP_LIST);
	edu[PCI_CAPABILITY_LIST] = 0x10;
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_VNDR), 0);
	/* An absent function has no capabilities. */
	a = (struct pci_addr){.seg = 0, .bus = 0, .dev = 9, .fn = 0};
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_MSI), 0);
}

static void pci_cfg_access(void)
{
	build_topology();
	pci_init_ops(&fake_ops);

	struct pci_addr a = {.seg = 0, .bus = 0, .dev = 2, .fn = 0};
	CHECK_EQ(pci_cfg_read32(&a, PCI_VENDOR_ID), 0x10d38086);
	CHECK_EQ(pci_cfg_read16(&a, PCI_DEVICE_ID), 0x10d3);
	CHECK_EQ(pci_cfg_read8(&a, PCI_CLASS_REVISION + 3), 0x02);
	pci_cfg_write8(&a, 0x44, 0xab);
	pci_cfg_write16(&a, 0x46, 0xcdef);
	CHECK_EQ(pci_cfg_read32(&a, 0x44), 0xcdef00ab);
	pci_cfg_write32(&a, 0x48, 0x12345678);
	CHECK_EQ(pci_cfg_read16(&a, 0x4a), 0x1234);

	/* Misaligned or out-of-range accesses never reach the accessor. */
	unsigned reads = fake_reads, writes = fake_writes;
	CHECK_EQ(pci_cfg_read32(&a, 0x02), 0xffffffff);
	CHECK_EQ(pci_cfg_read16(&a, 0x03), 0xffff);
	CHECK_EQ(pci_cfg_read32(&a, PCI_CFG_EXT_SIZE), 0xffffffff);
	CHECK_EQ(pci_cfg_read8(&a, 0xffff), 0xff);
	pci_cfg_write32(&a, 0x41, 0);
	pci_cfg_write16(&a, 0xfff, 0);
	CHECK_EQ(fake_reads, reads);
	CHECK_EQ(fake_writes, writes);

	/* Absent functions read all-ones. */
	a.dev = 7;
	CHECK_EQ(pci_cfg_read32(&a, 0), 0xffffffff);
}

/* Bus n holds one bridge to bus n + 1, 40 levels deep: the walk stops at the depth bound. */
static void pci_deep_chain(void)
{
	fake_reset();
	for (u8 b = 0; b < 40; b++)
		fake_bridge(b, 0, 0, (u8)(b + 1), 40);
	fake_add(40, 0, 0, 0x1234, 0x5678, 0x020000, 0, 0);
	pci_init_ops(&fake_ops);

	CHECK(pci_count() >= 16);
	CHECK(pci_count() <= 32);
	CHECK(!recorded(40, 0, 0));
	CHECK(host_log_has("nested deeper than"));
	CHECK_HAS(host_log_last(), "functions (fake)");
}

/* ---- a procedural space: every device on buses 0-2 has 8 functions; 2 bridges chain them ---- */

#define GEN_BUSES 3
static u16 gen_cmd[GEN_BUSES][PCI_DEVS_PER_BUS][PCI_FNS_PER_DEV];

static bool gen_is_bridge(const struct pci_addr *a)
{
	return a->bus + 1 < GEN_BUSES && a->dev == 31 && a->fn == 7;
}

static u32 gen_read(const struct pci_addr *a, u16 off, u8 size)
{
	if (a->seg || a->bus >= GEN_BUSES)
		return ~0u;
	u8 cfg[64] = {0};
	put16(cfg, PCI_VENDOR_ID, 0x8086);
	put16(cfg, PCI_DEVICE_ID, (u16)(a->bus << 8 | a->dev << 3 | a->fn));
	put16(cfg, PCI_COMMAND, gen_cmd[a->bus][a->dev][a->fn]);
	put32(cfg, PCI_CLASS_REVISION, (gen_is_bridge(a) ? 0x060400u : 0x020000u) << 8);
	cfg[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_MULTIFUNC | (gen_is_bridge(a) ? PCI_HEADER_TYPE_BRIDGE : 0);
	cfg[PCI_SECONDARY_BUS] = (u8)(a->bus + 1);
	cfg[PCI_SUBORDINATE_BUS] = GEN_BUSES - 1;
	if (off + size > sizeof(cfg))
		return 0;
	u32 v = 0;
	memcpy(&v, cfg + off, size);
	return v;
}

static void gen_write(const struct pci_addr *a, u16 off, u8 size, u32 val)
{
	if (a->bus < GEN_BUSES && off == PCI_COMMAND && size == 2)
		gen_cmd[a->bus][a->dev][a->fn] = (u16)val;
}

static void pci_table_full(void)
{
	static const struct pci_cfg_ops gen_ops = {.name = "gen", .read = gen_read, .write = gen_write};

	/* Bus mastering on for the bridges and bus 2 only, which keeps the log within host_log's buffer. */
	memset(gen_cmd, 0, sizeof(gen_cmd));
	gen_cmd[0][31][7] = gen_cmd[1][31][7] = PCI_COMMAND_MASTER;
	for (u32 d = 0; d < PCI_DEVS_PER_BUS; d++)
		for (u32 f = 0; f < PCI_FNS_PER_DEV; f++)
			gen_cmd[2][d][f] = PCI_COMMAND_MASTER;
	pci_init_ops(&gen_ops);

	CHECK_EQ(pci_count(), 512); /* the table's size; 768 exist */
	CHECK(host_log_has("moat: pci: warning: more than 512 functions; the rest are not recorded\n"));
	CHECK(host_log_has("moat: pci: 0000:02:1f.7 8086:02ff class 020000\n")); /* still listed */
	CHECK_STR(host_log_last(), "moat: pci: 512 functions (gen)");
	/* Functions beyond the table still lose bus mastering; the bridges keep it. */
	CHECK_EQ(gen_cmd[2][31][7], 0);
	CHECK_EQ(gen_cmd[2][0][0], 0);
	CHECK_EQ(gen_cmd[0][31][7], PCI_COMMAND_MASTER);
	CHECK_EQ(gen_cmd[1][31][7], PCI_COMMAND_MASTER);
	CHECK(pci_func_at(511) && pci_func_at(511)->addr.bus == 1 && pci_func_at(511)->addr.dev == 31);
}

static void pci_no_ops(void)
{
	pci_init_ops(NULL);
	struct pci_addr a = {0};
	CHECK_EQ(pci_count(), 0);
	CHECK_EQ(pci_cfg_read32(&a, 0), 0xffffffff);
	CHECK_EQ(pci_find_cap(&a, PCI_CAP_ID_MSI), 0);
	CHECK(host_log_has("error: no configuration access method"));
}

/* ---- ECAM over a heap window of exactly the MCFG range: ASan catches any read outside it ---- */

#define ECAM_BUS(b) ((size_t)(b) << 20)
#define ECAM_FN(d, f) (((size_t)(d) << 15) | ((size_t)(f) << 12))

static void pci_ecam(void)
{
	const u8 nbus = 3; /* buses 0..2 */
	u8 *win = malloc(ECAM_BUS(nbus));
	CHECK(win != NULL);
	if (!win)
		return;
	memset(win, 0xff, ECAM_BUS(nbus));

	/* 00:01.0 bridge to bus 5, outside the window: must not be read. */
	u8 *br = win + ECAM_BUS(0) + ECAM_FN(1, 0);
	memset(br, 0, PCI_CFG_EXT_SIZE);
	put16(br, PCI_VENDOR_ID, 0x8086);
	put16(br, PCI_DEVICE_ID, 0x2448);
	put16(br, PCI_COMMAND, PCI_COMMAND_MASTER);
	put32(br, PCI_CLASS_REVISION, 0x06040001);
	br[PCI_HEADER_TYPE] = PCI_HEADER_TYPE_BRIDGE;
	br[PCI_SECONDARY_BUS] = 5;
	br[PCI_SUBORDINATE_BUS] = 5;
	/* 00:05.0 a NIC with a word in extended config space. */
	u8 *nd = win + ECAM_BUS(0) + ECAM_FN(5, 0);
	memset(nd, 0, PCI_CFG_EXT_SIZE);
	put16(nd, PCI_VENDOR_ID, 0x1b36);
	put16(nd, PCI_DEVICE_ID, 0x0001);
	put16(nd, PCI_COMMAND, PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER);
	put32(nd, PCI_CLASS_REVISION, 0x02000003);
	put32(nd, 0x100, 0x5a5a0001);
	/* 02:03.1 exists in the window but no bridge leads to bus 2. */
	put16(win + ECAM_BUS(2) + ECAM_FN(3, 1), PCI_VENDOR_ID, 0x1234);

	struct pci_ecam_seg segs[] = {
	    {.base = 0, .segment = 1, .bus_start = 0, .bus_end = 0},	  /* no base: ignored */
	    {.base = 0x1000, .segment = 2, .bus_start = 4, .bus_end = 3}, /* inverted: ignored */
	    {.base = (u64)(uintptr_t)win, .segment = 0, .bus_start = 0, .bus_end = nbus - 1},
	    {.base = (u64)(uintptr_t)win, .segment = 3, .bus_start = 0, .bus_end = 0},
	};
	map_calls = 0;
	pci_init(segs, 4);

	CHECK_EQ(map_calls, 2);
	CHECK_EQ(pci_count(), 2);
	CHECK_STR(host_log_last(), "moat: pci: 2 functions (ecam)");
	CHECK(host_log_has("moat: pci: 0000:00:05.0 1b36:0001 class 020000\n"));
	CHECK(host_log_has("ignoring MCFG entry 0"));
	CHECK(host_log_has("ignoring MCFG entry 1"));
	CHECK_EQ(get16(nd, PCI_COMMAND), PCI_COMMAND_MEMORY);
	CHECK_EQ(get16(br, PCI_COMMAND), PCI_COMMAND_MASTER);

	struct pci_addr a = {.seg = 0, .bus = 0, .dev = 5, .fn = 0};
	CHECK_EQ(pci_cfg_read32(&a, 0x100), 0x5a5a0001);
	CHECK_EQ(pci_cfg_read16(&a, 0x102), 0x5a5a);
	CHECK_EQ(pci_cfg_read8(&a, 0x100), 0x01);
	pci_cfg_write32(&a, 0xffc, 0xcafef00d);
	CHECK_EQ(pci_cfg_read32(&a, 0xffc), 0xcafef00d);
	/* Segment 3 is the same window for bus 0 only. */
	a.seg = 3;
	CHECK_EQ(pci_cfg_read16(&a, PCI_VENDOR_ID), 0x1b36);
	a.bus = 1;
	CHECK_EQ(pci_cfg_read16(&a, PCI_VENDOR_ID), 0xffff);
	/* Buses and segments outside every window read all-ones; writes are dropped. */
	a = (struct pci_addr){.seg = 0, .bus = 3, .dev = 0, .fn = 0};
	CHECK_EQ(pci_cfg_read32(&a, 0), 0xffffffff);
	pci_cfg_write32(&a, 0, 0);
	a = (struct pci_addr){.seg = 0, .bus = 0xff, .dev = 31, .fn = 7};
	CHECK_EQ(pci_cfg_read32(&a, 0xffc), 0xffffffff);
	a = (struct pci_addr){.seg = 7, .bus = 0, .dev = 5, .fn = 0};
	CHECK_EQ(pci_cfg_read32(&a, 0), 0xffffffff);
	free(win);
}

/* A window that starts above bus 0: its base still addresses bus 0. */
static void pci_ecam_bus_start(void)
{
	u8 *win = malloc(ECAM_BUS(2)); /* holds buses 4 and 5 */
	CHECK(win != NULL);
	if (!win)
		return;
	memset(win, 0xff, ECAM_BUS(2));
	put16(win + ECAM_BUS(1) + ECAM_FN(2, 0), PCI_VENDOR_ID, 0xabcd);

	struct pci_ecam_seg seg = {
	    .base = (u64)(uintptr_t)win - ECAM_BUS(4), .segment = 0, .bus_start = 4, .bus_end = 5};
	pci_init(&seg, 1);
	CHECK_EQ(pci_count(), 0); /* bus 0 is outside the window */
	struct pci_addr a = {.seg = 0, .bus = 5, .dev = 2, .fn = 0};
	CHECK_EQ(pci_cfg_read16(&a, PCI_VENDOR_ID), 0xabcd);
	a.bus = 3;
	CHECK_EQ(pci_cfg_read16(&a, PCI_VENDOR_ID), 0xffff);
	a.bus = 6;
	CHECK_EQ(pci_cfg_read16(&a, PCI_VENDOR_ID), 0xffff);
	free(win);
}

static const struct unit_test pci_tests[] = {
    UNIT_TEST(pci_addr_good),
    UNIT_TEST(pci_addr_bad),
    UNIT_TEST(pci_addr_format_small),
    UNIT_TEST(pci_enumerate_topology),
    UNIT_TEST(pci_records),
    UNIT_TEST(pci_bus_master_off),
    UNIT_TEST(pci_caps),
    UNIT_TEST(pci_cfg_access),
    UNIT_TEST(pci_deep_chain),
    UNIT_TEST(pci_table_full),
    UNIT_TEST(pci_no_ops),
    UNIT_TEST(pci_ecam),
    UNIT_TEST(pci_ecam_bus_start),
};
UNIT_SUITE(pci_suite, pci_tests);
