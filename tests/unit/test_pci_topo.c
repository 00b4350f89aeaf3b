/* tests/unit/test_pci_topo.c: iommu/pci_topo.c over a fake configuration space: the requester ids a
 * function's DMA may carry (own id; a PCIe-to-PCI bridge's (secondary bus, 00.0); a conventional
 * bridge's own id; nothing for PCIe root ports), truncation at max, and the DMAR path from the root bus. */
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "iommu/iommu_rt.h"
#include "kernel/pci.h"
#include "kernel/pci_addr.h"

#define TOPO_MAX 16
#define CAP_OFF 0x40
#define EXP_FLAGS 2
#define EXP_TYPE_SHIFT 4
#define EXP_TYPE_ENDPOINT 0x0
#define EXP_TYPE_ROOT_PORT 0x4
#define EXP_TYPE_PCIE_TO_PCI 0x7
#define EXP_VERSION 2
#define NO_EXP (-1)
#define RID(b, d, f) ((u16)((b) << 8 | (d) << 3 | (f)))

struct topo_fn {
	struct pci_addr a;
	u8 cfg[PCI_CFG_SIZE];
};

static struct topo_fn fns[TOPO_MAX];
static unsigned nfns;

static struct topo_fn *lookup(const struct pci_addr *a)
{
	for (unsigned i = 0; i < nfns; i++)
		if (a->seg == fns[i].a.seg && a->bus == fns[i].a.bus && a->dev == fns[i].a.dev &&
		    a->fn == fns[i].a.fn)
			return &fns[i];
	return NULL;
}

static u32 topo_read(const struct pci_addr *a, u16 off, u8 size)
{
	struct topo_fn *f = lookup(a);
	u32 v = 0;
	if (!f || off + size > PCI_CFG_SIZE)
		return ~0u;
	memcpy(&v, f->cfg + off, size);
	return v;
}

static void topo_write(const struct pci_addr *a, u16 off, u8 size, u32 val)
{
	struct topo_fn *f = lookup(a);
	if (f && off + size <= PCI_CFG_SIZE)
		memcpy(f->cfg + off, &val, size);
}

static const struct pci_cfg_ops topo_ops = {.name = "topo", .read = topo_read, .write = topo_write};

static void put16(u8 *c, u16 off, u16 v)
{
	memcpy(c + off, &v, 2);
}

/* A function; exp_type NO_EXP: no PCI Express capability (conventional PCI). sec: bridges only. */
static void add(u8 bus, u8 dev, int exp_type, bool bridge, u8 sec)
{
	struct topo_fn *f = &fns[nfns++];
	CHECK(nfns <= TOPO_MAX);
	f->a = (struct pci_addr){.seg = 0, .bus = bus, .dev = dev, .fn = 0};
	put16(f->cfg, PCI_VENDOR_ID, 0x1234);
	put16(f->cfg, PCI_DEVICE_ID, bridge ? 0x0001 : 0x11e8);
	u32 class_rev = (bridge ? 0x060400u : 0x00ff00u) << 8;
	memcpy(f->cfg + PCI_CLASS_REVISION, &class_rev, 4);
	f->cfg[PCI_HEADER_TYPE] = bridge ? PCI_HEADER_TYPE_BRIDGE : PCI_HEADER_TYPE_NORMAL;
	if (bridge) {
		f->cfg[PCI_PRIMARY_BUS] = bus;
		f->cfg[PCI_SECONDARY_BUS] = sec;
		f->cfg[PCI_SUBORDINATE_BUS] = sec;
	}
	if (exp_type != NO_EXP) {
		put16(f->cfg, PCI_STATUS, PCI_STATUS_CAP_LIST);
		f->cfg[PCI_CAPABILITY_LIST] = CAP_OFF;
		f->cfg[CAP_OFF + PCI_CAP_ID] = PCI_CAP_ID_EXP;
		f->cfg[CAP_OFF + PCI_CAP_NEXT] = 0;
		put16(f->cfg, CAP_OFF + EXP_FLAGS, (u16)(exp_type << EXP_TYPE_SHIFT | EXP_VERSION));
	}
}

/* bus 0: 00:01.0 root port -> bus 1: 01:00.0 PCIe-to-PCI bridge -> bus 2: endpoints 02:01.0, 02:02.0
 * and a conventional bridge 02:03.0 -> bus 3: 03:04.0. 00:02.0 a PCIe endpoint; 00:03.0 a conventional
 * bridge -> bus 4: 04:05.0; 00:04.0 a root port -> bus 5: 05:00.0 a PCIe endpoint. */
static void build(void)
{
	memset(fns, 0, sizeof(fns));
	nfns = 0;
	add(0, 1, EXP_TYPE_ROOT_PORT, true, 1);
	add(1, 0, EXP_TYPE_PCIE_TO_PCI, true, 2);
	add(2, 1, NO_EXP, false, 0);
	add(2, 2, NO_EXP, false, 0);
	add(2, 3, NO_EXP, true, 3);
	add(3, 4, NO_EXP, false, 0);
	add(0, 2, EXP_TYPE_ENDPOINT, false, 0);
	add(0, 3, NO_EXP, true, 4);
	add(4, 5, NO_EXP, false, 0);
	add(0, 4, EXP_TYPE_ROOT_PORT, true, 5);
	add(5, 0, EXP_TYPE_ENDPOINT, false, 0);
	pci_init_ops(&topo_ops);
	CHECK_EQ(pci_count(), nfns);
}

static u32 aliases(u8 bus, u8 dev, u16 *out, u32 max)
{
	struct pci_addr a = {.seg = 0, .bus = bus, .dev = dev, .fn = 0};
	return iommu_dma_aliases(&a, out, max);
}

static void topo_pcie_to_pci_group(void)
{
	u16 r[4];
	build();
	/* both endpoints behind the PCIe-to-PCI bridge: their own id, then (secondary bus 2, 00.0) */
	CHECK_EQ(aliases(2, 1, r, 4), 2);
	CHECK_EQ(r[0], RID(2, 1, 0));
	CHECK_EQ(r[1], RID(2, 0, 0));
	CHECK_EQ(aliases(2, 2, r, 4), 2);
	CHECK_EQ(r[0], RID(2, 2, 0));
	CHECK_EQ(r[1], RID(2, 0, 0));
}

static void topo_nested_conventional(void)
{
	u16 r[4];
	build();
	/* behind a conventional bridge behind the PCIe-to-PCI bridge: the conventional bridge's own id,
	 * then the PCIe-to-PCI bridge's (2, 00.0), which is what the IOMMU sees */
	CHECK_EQ(aliases(3, 4, r, 4), 3);
	CHECK_EQ(r[0], RID(3, 4, 0));
	CHECK_EQ(r[1], RID(2, 3, 0));
	CHECK_EQ(r[2], RID(2, 0, 0));
	/* max bounds the list: the first ids only */
	CHECK_EQ(aliases(3, 4, r, 2), 2);
	CHECK_EQ(r[1], RID(2, 3, 0));
	/* a conventional bridge on the root bus: its own id */
	CHECK_EQ(aliases(4, 5, r, 4), 2);
	CHECK_EQ(r[0], RID(4, 5, 0));
	CHECK_EQ(r[1], RID(0, 3, 0));
}

static void topo_no_alias(void)
{
	u16 r[4];
	build();
	CHECK_EQ(aliases(0, 2, r, 4), 1); /* on the root bus */
	CHECK_EQ(r[0], RID(0, 2, 0));
	CHECK_EQ(aliases(5, 0, r, 4), 1); /* PCIe below a root port: requester ids stay its own */
	CHECK_EQ(r[0], RID(5, 0, 0));
}

static void topo_dev_path(void)
{
	struct dmar_path_elem p[DMAR_MAX_PATH];
	u8 start = 0xff;
	struct pci_addr a = {.seg = 0, .bus = 3, .dev = 4, .fn = 0};
	build();
	CHECK_EQ(iommu_dev_path(&a, &start, p, DMAR_MAX_PATH), 4);
	CHECK_EQ(start, 0);
	CHECK_EQ(p[0].dev, 1);
	CHECK_EQ(p[1].dev, 0);
	CHECK_EQ(p[2].dev, 3);
	CHECK_EQ(p[3].dev, 4);
	CHECK_EQ(iommu_dev_path(&a, &start, p, 3), 0); /* deeper than max: unknown */
}

static const struct unit_test pci_topo_tests[] = {
    UNIT_TEST(topo_pcie_to_pci_group),
    UNIT_TEST(topo_nested_conventional),
    UNIT_TEST(topo_no_alias),
    UNIT_TEST(topo_dev_path),
};
UNIT_SUITE(pci_topo_suite, pci_topo_tests);
