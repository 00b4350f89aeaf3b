/* kernel/pci.c: enumeration of PCI segment 0 (bus 0 and everything behind PCI-PCI bridges), the
 * table of functions found, sized configuration access and capability lookup. */
#include "pci.h"
#include "log.h"

#define PCI_MAX_FUNCS 512
/* Bridge nesting followed at most; deep Thunderbolt chains stay well below this. */
#define PCI_MAX_BRIDGE_DEPTH 32
#define PCI_NUM_BUSES 256
/* Capability entries are dword-aligned in bytes 0x40..0xff: at most 48 of them. */
#define PCI_CAP_WALK_MAX ((PCI_CFG_SIZE - PCI_CAP_PTR_MIN) / 4)

static const struct pci_cfg_ops *cfg_ops;
static struct pci_func funcs[PCI_MAX_FUNCS];
static u32 nfuncs;
static u32 nfuncs_dropped;
static u64 bus_seen[PCI_NUM_BUSES / 64];

/* ---- configuration access ---- */

static bool cfg_ok(u16 off, u8 size)
{
	return cfg_ops && (off & (size - 1)) == 0 && (u32)off + size <= PCI_CFG_EXT_SIZE;
}

u32 pci_cfg_read32(const struct pci_addr *a, u16 off)
{
	return cfg_ok(off, 4) ? cfg_ops->read(a, off, 4) : ~0u;
}

u16 pci_cfg_read16(const struct pci_addr *a, u16 off)
{
	return cfg_ok(off, 2) ? (u16)cfg_ops->read(a, off, 2) : 0xffff;
}

u8 pci_cfg_read8(const struct pci_addr *a, u16 off)
{
	return cfg_ok(off, 1) ? (u8)cfg_ops->read(a, off, 1) : 0xff;
}

void pci_cfg_write32(const struct pci_addr *a, u16 off, u32 val)
{
	if (cfg_ok(off, 4))
		cfg_ops->write(a, off, 4, val);
}

void pci_cfg_write16(const struct pci_addr *a, u16 off, u16 val)
{
	if (cfg_ok(off, 2))
		cfg_ops->write(a, off, 2, val);
}

void pci_cfg_write8(const struct pci_addr *a, u16 off, u8 val)
{
	if (cfg_ok(off, 1))
		cfg_ops->write(a, off, 1, val);
}

/* ---- capabilities ---- */

static u8 cap_list_head(const struct pci_addr *a, u8 hdr_type)
{
	if (!(pci_cfg_read16(a, PCI_STATUS) & PCI_STATUS_CAP_LIST))
		return 0;
	if ((hdr_type & PCI_HEADER_TYPE_LAYOUT) == PCI_HEADER_TYPE_CARDBUS)
		return pci_cfg_read8(a, PCI_CB_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
	return pci_cfg_read8(a, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK;
}

u8 pci_find_cap(const struct pci_addr *a, u8 cap_id)
{
	u16 vendor = pci_cfg_read16(a, PCI_VENDOR_ID);
	if (vendor == PCI_VENDOR_ABSENT || vendor == PCI_VENDOR_INVALID)
		return 0;
	u8 ptr = cap_list_head(a, pci_cfg_read8(a, PCI_HEADER_TYPE));
	/* A list longer than the space it lives in has a loop: the count bounds the walk. */
	for (u32 i = 0; i < PCI_CAP_WALK_MAX && ptr >= PCI_CAP_PTR_MIN; i++) {
		u8 id = pci_cfg_read8(a, (u16)(ptr + PCI_CAP_ID));
		if (id == 0xff)
			break;
		if (id == cap_id)
			return ptr;
		ptr = pci_cfg_read8(a, (u16)(ptr + PCI_CAP_NEXT)) & PCI_CAP_PTR_MASK;
	}
	return 0;
}

/* ---- enumeration ---- */

static bool func_present(const struct pci_addr *a)
{
	u16 vendor = pci_cfg_read16(a, PCI_VENDOR_ID);
	return vendor != PCI_VENDOR_ABSENT && vendor != PCI_VENDOR_INVALID;
}

static bool is_bridge_class(u32 class_code)
{
	u32 basesub = class_code >> PCI_CLASS_BASESUB_SHIFT;
	return basesub == PCI_CLASS_BRIDGE_HOST || basesub == PCI_CLASS_BRIDGE_PCI;
}

/* DESIGN.md invariant 3: no function DMAs until Moat decides it may. Bridges keep bus mastering
 * so that they can forward the DMA of functions Moat later assigns. */
static void disable_bus_master(const struct pci_func *f, const char *name)
{
	if (is_bridge_class(f->class_code))
		return;
	u16 cmd = pci_cfg_read16(&f->addr, PCI_COMMAND);
	if (!(cmd & PCI_COMMAND_MASTER))
		return;
	pci_cfg_write16(&f->addr, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
	pr_debug("pci", "%s: bus master disabled", name);
}

static void record(const struct pci_func *f)
{
	if (nfuncs < PCI_MAX_FUNCS) {
		funcs[nfuncs++] = *f;
		return;
	}
	if (nfuncs_dropped++ == 0)
		pr_warn("pci", "more than %u functions; the rest are not recorded", PCI_MAX_FUNCS);
}

static void scan_bus(u8 bus, u32 depth);

static void probe_func(const struct pci_addr *a, u32 depth)
{
	struct pci_func f = {.addr = *a};
	char name[PCI_ADDR_STR_MAX];
	u32 id = pci_cfg_read32(a, PCI_VENDOR_ID);
	u32 class_rev = pci_cfg_read32(a, PCI_CLASS_REVISION);

	f.vendor = (u16)id;
	f.device = (u16)(id >> 16);
	f.class_code = class_rev >> PCI_CLASS_REVISION_SHIFT;
	f.revision = (u8)(class_rev & PCI_REVISION_MASK);
	f.hdr_type = pci_cfg_read8(a, PCI_HEADER_TYPE);
	f.cap_ptr = cap_list_head(a, f.hdr_type);
	bool bridge = (f.hdr_type & PCI_HEADER_TYPE_LAYOUT) == PCI_HEADER_TYPE_BRIDGE;
	if (bridge) {
		f.sec_bus = pci_cfg_read8(a, PCI_SECONDARY_BUS);
		f.sub_bus = pci_cfg_read8(a, PCI_SUBORDINATE_BUS);
	}

	pci_addr_format(a, name, sizeof(name));
	pr_info("pci", "%s %04x:%04x class %06x", name, f.vendor, f.device, f.class_code);
	record(&f);
	disable_bus_master(&f, name);

	if (!bridge)
		return;
	if (f.sec_bus == 0) {
		pr_debug("pci", "%s: bridge has no secondary bus assigned", name);
		return;
	}
	if (depth + 1 >= PCI_MAX_BRIDGE_DEPTH) {
		pr_warn("pci", "%s: bridges nested deeper than %u; bus %02x not scanned", name,
			PCI_MAX_BRIDGE_DEPTH, f.sec_bus);
		return;
	}
	scan_bus(f.sec_bus, depth + 1);
}

static void scan_bus(u8 bus, u32 depth)
{
	u64 bit = BIT(bus % 64);

	if (bus_seen[bus / 64] & bit) {
		pr_warn("pci", "bus %02x reached twice (bridge loop?); not rescanned", bus);
		return;
	}
	bus_seen[bus / 64] |= bit;

	for (u8 dev = 0; dev < PCI_DEVS_PER_BUS; dev++) {
		struct pci_addr a = {.seg = 0, .bus = bus, .dev = dev, .fn = 0};
		if (!func_present(&a))
			continue;
		bool multi = pci_cfg_read8(&a, PCI_HEADER_TYPE) & PCI_HEADER_TYPE_MULTIFUNC;
		u8 nfn = multi ? PCI_FNS_PER_DEV : 1;
		for (u8 fn = 0; fn < nfn; fn++) {
			a.fn = fn;
			if (fn == 0 || func_present(&a))
				probe_func(&a, depth);
		}
	}
}

void pci_init_ops(const struct pci_cfg_ops *ops)
{
	cfg_ops = ops;
	nfuncs = 0;
	nfuncs_dropped = 0;
	for (u32 i = 0; i < ARRAY_SIZE(bus_seen); i++)
		bus_seen[i] = 0;
	if (!ops) {
		pr_err("pci", "no configuration access method");
		return;
	}
	scan_bus(0, 0);
	pr_info("pci", "%u functions (%s)", nfuncs, ops->name);
}

void pci_init(const struct pci_ecam_seg *segs, u32 nsegs)
{
	const struct pci_cfg_ops *ops = NULL;

	if (segs && nsegs)
		ops = pci_ecam_setup(segs, nsegs);
	if (!ops) {
		if (nsegs)
			pr_warn("pci", "MCFG has no usable segment 0 entry; using CF8/CFC");
		ops = &pci_cf8_ops;
	}
	pci_init_ops(ops);
}

u32 pci_count(void)
{
	return nfuncs;
}

const struct pci_func *pci_func_at(u32 i)
{
	return i < nfuncs ? &funcs[i] : NULL;
}

const struct pci_func *pci_find(const struct pci_addr *a)
{
	for (u32 i = 0; i < nfuncs; i++) {
		const struct pci_addr *b = &funcs[i].addr;
		if (b->seg == a->seg && b->bus == a->bus && b->dev == a->dev && b->fn == a->fn)
			return &funcs[i];
	}
	return NULL;
}

const struct pci_func *pci_parent_bridge(u16 seg, u8 bus)
{
	for (u32 i = 0; i < nfuncs; i++) {
		const struct pci_func *f = &funcs[i];
		if (f->addr.seg == seg && (f->hdr_type & PCI_HEADER_TYPE_LAYOUT) == PCI_HEADER_TYPE_BRIDGE &&
		    f->sec_bus == bus && bus != f->addr.bus)
			return f;
	}
	return NULL;
}
