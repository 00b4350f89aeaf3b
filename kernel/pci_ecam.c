/* kernel/pci_ecam.c: PCIe memory-mapped configuration access (ECAM) over the MCFG allocations.
 * Every access is checked against an allocation's segment and bus range first. */
#include "pci.h"
#include "cpu.h"
#include "fmt.h"
#include "log.h"
#include "mmio_own.h"
#include "paging.h"

/* ECAM address of a register: base + bus << 20 | dev << 15 | fn << 12 | offset. */
#define ECAM_BUS_SHIFT 20
#define ECAM_DEV_SHIFT 15
#define ECAM_FN_SHIFT 12
#define ECAM_BUS_SIZE (1ULL << ECAM_BUS_SHIFT)

static struct pci_ecam_seg ecam_segs[PCI_ECAM_MAX_SEGS];
static u32 ecam_nsegs;

static bool ecam_addr(const struct pci_addr *a, u16 off, u64 *out)
{
	for (u32 i = 0; i < ecam_nsegs; i++) {
		const struct pci_ecam_seg *s = &ecam_segs[i];
		if (s->segment != a->seg || a->bus < s->bus_start || a->bus > s->bus_end)
			continue;
		*out = s->base + ((u64)a->bus << ECAM_BUS_SHIFT) + ((u64)a->dev << ECAM_DEV_SHIFT) +
		       ((u64)a->fn << ECAM_FN_SHIFT) + off;
		return true;
	}
	return false;
}

static u32 ecam_read(const struct pci_addr *a, u16 off, u8 size)
{
	u64 p;

	if (off >= PCI_CFG_EXT_SIZE || !ecam_addr(a, off, &p))
		return ~0u;
	switch (size) {
	case 1:
		return mmio_read8(p);
	case 2:
		return mmio_read16(p);
	case 4:
		return mmio_read32(p);
	}
	return ~0u;
}

static void ecam_write(const struct pci_addr *a, u16 off, u8 size, u32 val)
{
	u64 p;

	if (off >= PCI_CFG_EXT_SIZE || !ecam_addr(a, off, &p))
		return;
	switch (size) {
	case 1:
		mmio_write8(p, (u8)val);
		break;
	case 2:
		mmio_write16(p, (u16)val);
		break;
	case 4:
		mmio_write32(p, val);
		break;
	}
}

static const struct pci_cfg_ops ecam_ops = {
    .name = "ecam",
    .read = ecam_read,
    .write = ecam_write,
};

const struct pci_cfg_ops *pci_ecam_setup(const struct pci_ecam_seg *segs, u32 nsegs)
{
	bool have_seg0 = false;

	ecam_nsegs = 0;
	for (u32 i = 0; i < nsegs; i++) {
		const struct pci_ecam_seg *s = &segs[i];
		if (s->base == 0 || s->bus_start > s->bus_end) {
			pr_warn("pci", "ignoring MCFG entry %u: segment %u buses %02x-%02x at 0x%llx", i,
				s->segment, s->bus_start, s->bus_end, (unsigned long long)s->base);
			continue;
		}
		if (ecam_nsegs == PCI_ECAM_MAX_SEGS) {
			pr_warn("pci", "more than %u MCFG entries; the rest are ignored", PCI_ECAM_MAX_SEGS);
			break;
		}
		/* Windows above 4 GiB are not in the kernel's default map (no-op below 4 GiB). */
		u64 start = s->base + s->bus_start * ECAM_BUS_SIZE;
		u64 size = (u64)(s->bus_end - s->bus_start + 1) * ECAM_BUS_SIZE;
		if (paging_map_mmio(start, size) != 0) {
			pr_warn("pci", "cannot map ECAM of segment %u at 0x%llx; entry ignored", s->segment,
				(unsigned long long)start);
			continue;
		}
		ecam_segs[ecam_nsegs++] = *s;
		char what[MMIO_OWN_NAME_MAX];
		snprintf(what, sizeof(what), "PCI configuration space (ECAM, segment %u)", s->segment);
		mmio_own_add(start, size, what); /* never given to a guest through a device BAR */
		pr_debug("pci", "ecam segment %04x buses %02x-%02x at 0x%llx", s->segment, s->bus_start,
			 s->bus_end, (unsigned long long)s->base);
		if (s->segment == 0)
			have_seg0 = true;
	}
	return have_seg0 ? &ecam_ops : NULL;
}
