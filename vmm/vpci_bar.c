/* vmm/vpci_bar.c: virtual BARs of an assigned device (see vpci.h). The real BARs stay where the
 * firmware placed them; the guest sizes its BARs as on hardware and places them anywhere in its
 * guest-physical space that is free: not its RAM, not its identity alias, not another of its BARs,
 * not the 0xFEC00000-4 GiB window (I/O APIC, local APIC, MSI), not an RMRR range of its devices (rmrr =
 * accept: identity-mapped in its DMA domain). A placement is only an EPT mapping
 * of the real BAR (uncached) at the chosen address, made while the guest's memory decoding is on;
 * a refused placement leaves the BAR unmapped and is reported. I/O BARs are not offered. At
 * assignment the real BARs are checked (vpci_bar_probe): a page at least, aligned, not over RAM, not
 * in the platform window 0xFEC00000-4 GiB, and not over MMIO Moat drives itself (kernel/mmio_own.c:
 * ECAM, VT-d registers), since the guest would reach whatever the BAR covers. */
#include "vpci.h"
#include "assign.h"
#include "vms.h"
#include "vmx_insn.h"
#include "../kernel/fmt.h"
#include "../kernel/mmio_own.h"
#include "../kernel/frame_owner.h"
#include "../kernel/pci.h"

#define BAR_IO BIT(0)
#define BAR_TYPE_SHIFT 1
#define BAR_TYPE_MASK 3u
#define BAR_TYPE_64 2u
#define BAR_FLAGS_MASK 0xfu
#define BAR_MEM_MASK 0xfffffff0u
#define DWORD_BITS 32
#define LOW32 0xffffffffULL
#define RESERVED_WINDOW VPCI_RESERVED_BASE
#define RESERVED_END VPCI_RESERVED_END
#define GUEST_PHYS_LIMIT VPCI_GUEST_PHYS_LIMIT

static u16 bar_off(u32 i) { return (u16)(VPCI_BAR0 + 4 * i); }

static bool overlaps(u64 a, u64 as, u64 b, u64 bs) { return a < b + bs && b < a + as; }

int vpci_bar_probe(struct vpci_dev *d, char *why, size_t n)
{
	const struct pci_addr *a = &d->host;
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	pci_cfg_write16(a, PCI_COMMAND, (u16)(cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)));
	int rc = 0;
	const char *own;
	u64 own_base, own_size;
	for (u32 i = 0; i < VPCI_BARS; i++) {
		struct vpci_bar *b = &d->bar[i];
		u32 lo = pci_cfg_read32(a, bar_off(i));
		pci_cfg_write32(a, bar_off(i), 0xffffffffu);
		u32 mlo = pci_cfg_read32(a, bar_off(i));
		pci_cfg_write32(a, bar_off(i), lo);
		if (lo & BAR_IO) {
			b->kind = mlo & ~BAR_IO ? VPCI_BAR_IO : VPCI_BAR_NONE;
			continue;
		}
		u64 mask = mlo & BAR_MEM_MASK, addr = lo & BAR_MEM_MASK;
		b->flags = lo & BAR_FLAGS_MASK;
		b->kind = VPCI_BAR_MEM32;
		if (((lo >> BAR_TYPE_SHIFT) & BAR_TYPE_MASK) == BAR_TYPE_64 && i + 1 < VPCI_BARS) {
			u32 hi = pci_cfg_read32(a, bar_off(i + 1));
			pci_cfg_write32(a, bar_off(i + 1), 0xffffffffu);
			u32 mhi = pci_cfg_read32(a, bar_off(i + 1));
			pci_cfg_write32(a, bar_off(i + 1), hi);
			mask |= (u64)mhi << DWORD_BITS;
			addr |= (u64)hi << DWORD_BITS;
			b->kind = VPCI_BAR_MEM64;
			d->bar[i + 1].kind = VPCI_BAR_MEM64_HI;
		} else {
			mask |= ~LOW32;
		}
		if (!(mask & BAR_MEM_MASK)) {
			if (b->kind == VPCI_BAR_MEM64)
				d->bar[++i].kind = VPCI_BAR_NONE;
			b->kind = VPCI_BAR_NONE;
			continue;
		}
		b->size = ~mask + 1;
		b->hpa = addr;
		if (b->kind == VPCI_BAR_MEM64)
			i++;
		if (rc)
			continue;
		if (b->size < PAGE_SIZE) {
			snprintf(why, n, "BAR%u is %llu bytes, smaller than a page: its page could hold another device's registers",
				 (u32)(b - d->bar), b->size);
			rc = -1;
		} else if (!addr || (addr & (b->size - 1))) {
			snprintf(why, n, "BAR%u has no valid address from the firmware (0x%llx)", (u32)(b - d->bar), addr);
			rc = -1;
		} else if (frame_owner_of(addr) != OWNER_NONE || frame_owner_of(addr + b->size - PAGE_SIZE) != OWNER_NONE) {
			snprintf(why, n, "BAR%u at 0x%llx overlaps RAM", (u32)(b - d->bar), addr);
			rc = -1;
		} else if (overlaps(addr, b->size, RESERVED_WINDOW, RESERVED_END - RESERVED_WINDOW)) {
			snprintf(why, n, "BAR%u at 0x%llx-0x%llx lies in the platform window 0x%llx-0x%llx (APICs, HPET, TPM, "
				 "VT-d, firmware): refused", (u32)(b - d->bar), addr,
				 addr + b->size - 1, RESERVED_WINDOW, RESERVED_END - 1);
			rc = -1;
		} else if ((own = mmio_own_overlap(addr, b->size, &own_base, &own_size)) != NULL) {
			snprintf(why, n, "BAR%u at 0x%llx-0x%llx overlaps %s at 0x%llx-0x%llx, which Moat drives: refused",
				 (u32)(b - d->bar), addr, addr + b->size - 1, own, own_base, own_base + own_size - 1);
			rc = -1;
		}
	}
	pci_cfg_write16(a, PCI_COMMAND, cmd);
	return rc;
}

u32 vpci_bar_read(const struct vpci_dev *d, u32 i)
{
	const struct vpci_bar *b = &d->bar[i];
	switch (b->kind) {
	case VPCI_BAR_MEM32:
	case VPCI_BAR_MEM64:
		return b->sizing ? (u32)(~(b->size - 1)) | b->flags : (u32)b->gpa | b->flags;
	case VPCI_BAR_MEM64_HI: {
		const struct vpci_bar *l = &d->bar[i - 1];
		return b->sizing ? (u32)(~(l->size - 1) >> DWORD_BITS) : (u32)(l->gpa >> DWORD_BITS);
	}
	default:
		return 0; /* I/O BARs and unimplemented ones */
	}
}

void vpci_bar_write(struct vm *vm, struct vpci_dev *d, u32 i, u32 val)
{
	struct vpci_bar *b = &d->bar[i];
	if (b->kind == VPCI_BAR_MEM32 || b->kind == VPCI_BAR_MEM64) {
		b->sizing = val == 0xffffffffu;
		if (!b->sizing)
			b->gpa = ((b->gpa & ~LOW32) | (val & BAR_MEM_MASK)) & ~(b->size - 1);
	} else if (b->kind == VPCI_BAR_MEM64_HI) {
		struct vpci_bar *l = &d->bar[i - 1];
		b->sizing = val == 0xffffffffu;
		if (!b->sizing)
			l->gpa = ((l->gpa & LOW32) | ((u64)val << DWORD_BITS)) & ~(l->size - 1);
	} else {
		return;
	}
	vpci_bar_update(vm, d);
}

const char *vpci_bar_conflict(const struct vm *vm, const struct vpci_dev *d, u32 i, u64 gpa, u64 size)
{
	const struct vpci_vm *v = vpci_of(vm);
	if (gpa + size < gpa || gpa + size > GUEST_PHYS_LIMIT)
		return "beyond the guest-physical address width";
	if (overlaps(gpa, size, 0, vm->ram_size))
		return "its RAM";
	if (v->identity && overlaps(gpa, size, vm->ram_hpa, vm->ram_size))
		return "its RAM's identity alias";
	if (overlaps(gpa, size, RESERVED_WINDOW, RESERVED_END - RESERVED_WINDOW))
		return "the APIC/MSI window 0xfec00000-0xffffffff";
	u64 rb, rl;
	if (assign_rmrr_overlap(vm, gpa, size, &rb, &rl))
		return "an RMRR range of its devices (firmware DMA memory at IOVA = host-physical in its DMA "
		       "domain)";
	for (u32 k = 0; k < v->ndevs; k++) {
		const struct vpci_dev *o = &v->devs[k];
		for (u32 j = 0; j < VPCI_BARS; j++) {
			const struct vpci_bar *b = &o->bar[j];
			if ((o == d && j == i) || !b->mapped)
				continue;
			if (overlaps(gpa, size, b->mapped_gpa, b->size))
				return "another BAR";
		}
	}
	return NULL;
}

static void flush(const struct vm *vm)
{
	const struct vmx_caps *c = vms_caps();
	invept(c && c->invept_single ? INVEPT_SINGLE_CONTEXT : INVEPT_ALL_CONTEXT, vm->eptp);
}

static void unmap(struct vm *vm, struct vpci_bar *b)
{
	if (!b->mapped)
		return;
	if (ept_unmap(&vm->ept, b->mapped_gpa, b->size) != 0)
		vm_set_stopped(vm, "vpci: BAR at 0x%llx could not be unmapped", b->mapped_gpa);
	flush(vm);
	b->mapped = false;
}

bool vpci_bar_msix_page(const struct vpci_dev *d, u32 i, u64 off)
{
	for (u32 k = 0; k < 2; k++) {
		if (d->msix_bir[k] != i)
			continue;
		u64 first = ALIGN_DOWN(d->msix_off[k], PAGE_SIZE), end = ALIGN_UP(d->msix_off[k] + d->msix_len[k], PAGE_SIZE);
		if (off >= first && off < end)
			return true;
	}
	return false;
}

/* Maps BAR i at b->gpa, leaving out the MSI-X table and PBA pages. */
static int map_bar(struct vm *vm, const struct vpci_dev *d, u32 i, const struct vpci_bar *b)
{
	for (u64 off = 0; off < b->size;) {
		if (vpci_bar_msix_page(d, i, off)) {
			off += PAGE_SIZE;
			continue;
		}
		u64 run = off;
		while (run < b->size && !vpci_bar_msix_page(d, i, run))
			run += PAGE_SIZE;
		if (ept_map(&vm->ept, b->gpa + off, b->hpa + off, run - off, EPT_R | EPT_W | EPT_MAP_UC) != 0) {
			ept_unmap(&vm->ept, b->gpa, b->size);
			return -1;
		}
		off = run;
	}
	return 0;
}

void vpci_bar_update(struct vm *vm, struct vpci_dev *d)
{
	for (u32 i = 0; i < VPCI_BARS; i++) {
		struct vpci_bar *b = &d->bar[i];
		if (b->kind != VPCI_BAR_MEM32 && b->kind != VPCI_BAR_MEM64)
			continue;
		bool hi_sizing = b->kind == VPCI_BAR_MEM64 && d->bar[i + 1].sizing;
		bool want = (d->cmd & PCI_COMMAND_MEMORY) && !b->sizing && !hi_sizing && b->gpa;
		if (b->mapped && (!want || b->mapped_gpa != b->gpa))
			unmap(vm, b);
		if (!want || b->mapped)
			continue;
		const char *c = vpci_bar_conflict(vm, d, i, b->gpa, b->size);
		if (c) {
			vpci_report(vm, d, "BAR%u placement at 0x%llx refused: it overlaps %s; BAR left unmapped", i,
				    b->gpa, c);
			d->refused++;
			continue;
		}
		if (map_bar(vm, d, i, b) != 0) {
			vpci_report(vm, d, "BAR%u at 0x%llx: EPT mapping failed; BAR left unmapped", i, b->gpa);
			continue;
		}
		b->mapped = true;
		b->mapped_gpa = b->gpa;
	}
}

void vpci_bar_unmap_all(struct vm *vm, struct vpci_dev *d)
{
	for (u32 i = 0; i < VPCI_BARS; i++)
		unmap(vm, &d->bar[i]);
}

bool vpci_mmio_allowed(const struct vm *vm, u64 gpa, u64 hpa, u64 size)
{
	const struct vpci_vm *v = vpci_of(vm);
	for (u32 k = 0; k < v->ndevs; k++)
		for (u32 j = 0; j < VPCI_BARS; j++) {
			const struct vpci_bar *b = &v->devs[k].bar[j];
			if (b->mapped && gpa >= b->mapped_gpa && size <= b->size && gpa - b->mapped_gpa <= b->size - size &&
			    hpa == b->hpa + (gpa - b->mapped_gpa))
				return true;
		}
	return false;
}
