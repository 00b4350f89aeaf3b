/* vmm/assign.c: device assignment at VM start and stop (see assign.h). Order at start: checks, bus
 * mastering off, reset, DMA confinement (domain attached and mapping the VM's RAM at IOVA = GPA and,
 * with rmrr = accept, every RMRR naming one of its devices at IOVA = host-physical; or the identity alias), only then may the guest turn bus mastering on (vpci.c: between assign_vm_prepare and
 * assign_vm_attach, or when the attach failed, the guest's bus mastering is refused and reported). Order at stop: bus mastering
 * off, MSI and MSI-X entries freed, detach to the blocking domain (its IOTLB invalidation completed), reset, and
 * only then does vm.c scrub and release the frames. */
#include <stdarg.h>
#include "assign.h"
#include "hypercall_abi.h"
#include "vmx_insn.h"
#include "vms.h"
#include "vpci.h"
#include "vpci_host.h"
#include "virq_vm.h"
#include "../iommu/iommu.h"
#include "../iommu/iommu_rt.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define PCIE_DEVCTL 8
#define PCIE_DEVCTL_PHANTOM BIT(9)
#define MSI_CTRL 2
#define MSI_CTRL_64BIT BIT(7)
#define MSI_CTRL_PVM BIT(8)
#define MSIX_CTRL 2
#define MSIX_CTRL_SIZE_MASK 0x7ffu
#define MSIX_TABLE 4 /* then the PBA at 8 */
#define MSIX_BIR_MASK 7u
#define MSIX_ENTRY_SIZE 16
#define CLASS_BASE_BRIDGE 0x06
#define CLASS_BASE_SHIFT 16

static int refuse(char *why, size_t n, const struct pci_addr *a, const char *fmt, ...) __printf(4, 5);
static int refuse(char *why, size_t n, const struct pci_addr *a, const char *fmt, ...)
{
	char bdf[PCI_ADDR_STR_MAX], msg[200];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(why, n, "device %s: %s", pci_addr_format(a, bdf, sizeof(bdf)), msg);
	return -1;
}

static bool same(const struct pci_addr *a, const struct pci_addr *b)
{
	return a->seg == b->seg && pci_addr_rid(a) == pci_addr_rid(b);
}

static bool listed(const struct cfg_vm *cv, const struct pci_addr *a)
{
	for (u32 i = 0; i < cv->ndevices; i++)
		if (same(&cv->devices[i], a))
			return true;
	return false;
}

/* The live VM (other than vm) that has a, or NULL. */
static const struct vm *holder(const struct vm *vm, const struct pci_addr *a)
{
	for (u32 i = 0; i < VM_MAX; i++) {
		const struct vm *o = &vm_table[i];
		if (o == vm || (o->state != VM_RUNNABLE && o->state != VM_PAUSED))
			continue;
		for (u32 k = 0; k < vpci_vms[i].ndevs; k++)
			if (same(&vpci_vms[i].devs[k].host, a))
				return o;
	}
	return NULL;
}

/* Another function whose DMA the IOMMU cannot tell from a's (shared requester id) and that this VM
 * does not also get: its address in *out. */
static bool alias_outside(const struct cfg_vm *cv, const struct pci_addr *a, struct pci_addr *out, u16 *rid)
{
	u16 mine[IOMMU_MAX_DMA_ALIASES], theirs[IOMMU_MAX_DMA_ALIASES];
	u32 nm = iommu_dma_aliases(a, mine, IOMMU_MAX_DMA_ALIASES);
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		if (same(&f->addr, a) || listed(cv, &f->addr) ||
		    (f->hdr_type & PCI_HEADER_TYPE_LAYOUT) != PCI_HEADER_TYPE_NORMAL)
			continue;
		u32 nt = iommu_dma_aliases(&f->addr, theirs, IOMMU_MAX_DMA_ALIASES);
		for (u32 x = 0; x < nm; x++)
			for (u32 y = 0; y < nt; y++)
				if (mine[x] == theirs[y]) {
					*out = f->addr;
					*rid = mine[x];
					return true;
				}
	}
	return false;
}

/* for (i = first(a); i < nrmrr(); i = next(a, i)): the RMRRs naming a (none without DMA remapping). */
static u32 nrmrr(void)
{
	return iommu_rt()->up ? iommu_state()->dmar.nrmrr : 0;
}
static u32 rmrr_first(const struct pci_addr *a)
{
	return nrmrr() ? iommu_rmrr_next(a, 0) : 0;
}
static u32 rmrr_after(const struct pci_addr *a, u32 i)
{
	return iommu_rmrr_next(a, i + 1);
}
static const struct dmar_rmrr *rmrr_at(u32 i)
{
	return &iommu_state()->dmar.rmrr[i];
}

/* An RMRR naming a: refused without rmrr = accept; with it, its range will be identity-mapped in the VM's
 * domain, where IOVA = guest-physical: it must not overlap the VM's RAM, and every device it names must be
 * this VM's (firmware memory two VMs' devices could write would join them). */
static int check_rmrr(const struct vm *vm, const struct cfg_vm *cv, const struct pci_addr *a,
		      const struct dmar_rmrr *r, u32 idx, char *why, size_t n)
{
	if (!cv->rmrr_accept)
		return refuse(why, n, a,
			      "an RMRR names it (firmware DMA to 0x%llx-0x%llx): refused (rmrr = accept "
			      "would be needed)",
			      r->base, r->limit);
	if (dmar_range_overlaps(r->base, r->limit, 0, vm->ram_size))
		return refuse(
		    why, n, a,
		    "its RMRR 0x%llx-0x%llx overlaps the VM's RAM (guest-physical 0x0-0x%llx), which its "
		    "DMA domain maps at IOVA = guest-physical: refused; give the VM less memory",
		    r->base, r->limit, vm->ram_size - 1);
	for (u32 i = 0; i < pci_count(); i++) {
		const struct pci_func *f = pci_func_at(i);
		char bdf[PCI_ADDR_STR_MAX];
		if (same(&f->addr, a) || listed(cv, &f->addr) ||
		    (f->hdr_type & PCI_HEADER_TYPE_LAYOUT) != PCI_HEADER_TYPE_NORMAL) /* Moat keeps bridges */
			continue;
		if (iommu_rmrr_next(&f->addr, idx) == idx)
			return refuse(why, n, a,
				      "its RMRR 0x%llx-0x%llx also names %s, which this VM does not get: "
				      "assign every device the RMRR names to one VM",
				      r->base, r->limit, pci_addr_format(&f->addr, bdf, sizeof(bdf)));
	}
	return 0;
}

static int check_one(const struct vm *vm, const struct cfg_vm *cv, const struct pci_addr *a, char *why, size_t n)
{
	const struct pci_func *f = pci_find(a);
	const struct iommu_rt *rt = iommu_rt();
	if (!f)
		return refuse(why, n, a, "no such PCI function on this machine");
	if ((f->class_code >> CLASS_BASE_SHIFT) == CLASS_BASE_BRIDGE ||
	    (f->hdr_type & PCI_HEADER_TYPE_LAYOUT) != PCI_HEADER_TYPE_NORMAL)
		return refuse(why, n, a, "it is a bridge (class 0x%06x): Moat keeps bridges; assign the devices behind it",
			      f->class_code);
	const struct vm *o = holder(vm, a);
	if (o)
		return refuse(why, n, a, "already assigned to vm '%s'", o->name);
	if (cv->dma == CFG_DMA_PROTECTED && !rt->up)
		return refuse(why, n, a, "no DMA remapping (VT-d) on this machine: the device could reach all memory; "
			      "refused (dma = unprotected-identity accepts that, for tests only)");
	if (cv->dma == CFG_DMA_PROTECTED && !irq_remap_on())
		return refuse(why, n, a, "interrupt remapping is off: the device could forge interrupts; refused");
	if (cv->dma == CFG_DMA_UNPROTECTED_IDENTITY && rt->up)
		return refuse(why, n, a, "dma = unprotected-identity is only for machines without VT-d; this one has "
			      "DMA remapping: use dma = protected");
	for (u32 i = rmrr_first(a); i < nrmrr(); i = rmrr_after(a, i))
		if (check_rmrr(vm, cv, a, rmrr_at(i), i, why, n) != 0)
			return -1;
	u8 exp = pci_find_cap(a, PCI_CAP_ID_EXP);
	if (exp && (pci_cfg_read16(a, (u16)(exp + PCIE_DEVCTL)) & PCIE_DEVCTL_PHANTOM))
		return refuse(why, n, a, "it uses phantom functions (their requester ids alias other functions)");
	struct pci_addr other;
	u16 rid;
	if (alias_outside(cv, a, &other, &rid)) {
		char bdf[PCI_ADDR_STR_MAX];
		return refuse(why, n, a, "its DMA requester id %02x:%02x.%u is shared with %s, which this VM does not get: "
			      "assign the whole alias group", rid >> 8, (rid >> 3) & 0x1f, rid & 7,
			      pci_addr_format(&other, bdf, sizeof(bdf)));
	}
	return 0;
}

/* The address the guest sees: function 0 of its host device number on bus 0 when that is free, else
 * of the first free device number (vpci_host_slot); never device 0, the emulated host bridge's
 * (vpci_host.c). Always function 0: the guest's header type reads single-function (vpci.c), so a
 * guest scanning the bus (Linux, guests/net) looks at function 0 of each device only, and a function
 * placed at 00:1f.6 (say) would never be found. */
static void place(struct vpci_vm *v, struct vpci_dev *d)
{
	u32 used = 0;
	for (u32 i = 0; i < v->ndevs; i++)
		if (&v->devs[i] != d) /* one not placed yet has vdev 0: the host bridge's, reserved anyway */
			used |= (u32)BIT(v->devs[i].vdev);
	_Static_assert(CFG_MAX_DEVICES < PCI_DEVS_PER_BUS, "a free device number for every function");
	d->vdev = vpci_host_slot(d->host.dev, used);
	d->vfn = 0;
}

static void setup_caps(struct vpci_dev *d)
{
	d->msix_cap = pci_find_cap(&d->host, PCI_CAP_ID_MSIX);
	d->msix_bir[0] = d->msix_bir[1] = VPCI_BARS;
	if (d->msix_cap) {
		u32 entries = (pci_cfg_read16(&d->host, (u16)(d->msix_cap + MSIX_CTRL)) & MSIX_CTRL_SIZE_MASK) + 1;
		for (u32 k = 0; k < 2; k++) {
			u32 reg = pci_cfg_read32(&d->host, (u16)(d->msix_cap + MSIX_TABLE + 4 * k));
			d->msix_bir[k] = (u8)(reg & MSIX_BIR_MASK);
			d->msix_off[k] = reg & ~MSIX_BIR_MASK;
			d->msix_len[k] = k == 0 ? entries * MSIX_ENTRY_SIZE : ALIGN_UP(entries, 64) / 8;
		}
	}
	d->msi.cap = pci_find_cap(&d->host, PCI_CAP_ID_MSI);
	if (d->msi.cap) {
		u16 ctrl = pci_cfg_read16(&d->host, (u16)(d->msi.cap + MSI_CTRL));
		d->msi.is64 = ctrl & MSI_CTRL_64BIT;
		d->msi.maskable = ctrl & MSI_CTRL_PVM;
	}
}

static int confine(struct vm *vm, struct vpci_vm *v, char *why, size_t n)
{
	if (v->identity)
		return assign_identity_map(vm, why, n);
	v->dom = domain_create(vm->owner, vm->name);
	if (!v->dom || domain_map(v->dom, 0, vm->ram_hpa, vm->ram_size, DOMAIN_RW) != 0) {
		snprintf(why, n, "its DMA domain could not be created");
		return -1;
	}
	char sub[CFG_NAME_MAX + 8], bdf[PCI_ADDR_STR_MAX];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	for (u32 i = 0; i < v->ndevs;
	     i++) /* the RMRRs first: a device an RMRR names is never attached without it */
		for (u32 k = rmrr_first(&v->devs[i].host); k < nrmrr(); k = rmrr_after(&v->devs[i].host, k)) {
			const struct dmar_rmrr *r = rmrr_at(k);
			if (domain_rmrr_mapped(v->dom, r->base, r->limit))
				continue; /* named by another of its devices too */
			if (domain_map_rmrr(v->dom, r->base, r->limit) != 0)
				return refuse(why, n, &v->devs[i].host,
					      "its RMRR 0x%llx-0x%llx could not be identity-mapped in "
					      "vm '%s''s DMA domain",
					      r->base, r->limit, vm->name);
			pr_info(
			    sub,
			    "device %s: RMRR 0x%llx-0x%llx identity-mapped in its DMA domain (rmrr = accept)",
			    pci_addr_format(&v->devs[i].host, bdf, sizeof(bdf)), r->base, r->limit);
		}
	for (u32 i = 0; i < v->ndevs; i++)
		if (domain_attach(v->dom, &v->devs[i].host) != 0)
			return refuse(why, n, &v->devs[i].host,
				      "it could not be attached to vm '%s''s DMA domain", vm->name);
	return 0;
}

static void report_assigned(const struct vm *vm, const struct vpci_vm *v, const struct vpci_dev *d,
			    const char *reset)
{
	char bdf[PCI_ADDR_STR_MAX], sub[CFG_NAME_MAX + 8];
	const struct pci_func *f = pci_find(&d->host);
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	pr_info(sub, "device %s (%04x:%04x) assigned at 00:%02x.%u of its virtual bus: reset: %s; DMA: %s; BAR0 %llu KiB at host 0x%llx",
		pci_addr_format(&d->host, bdf, sizeof(bdf)), f ? f->vendor : 0, f ? f->device : 0, d->vdev, d->vfn,
		reset, v->identity ? "unprotected identity (no IOMMU)" : "its own DMA domain (IOVA = guest-physical)",
		d->bar[0].size / KiB(1), d->bar[0].hpa);
	u8 pin = pci_cfg_read8(&d->host, VPCI_INT_PIN);
	char msix[40] = "";
	if (d->msix.n)
		snprintf(msix, sizeof(msix), "MSI-X (%u entries)%s", d->msix.n, d->msi.cap ? ", " : "");
	pr_info(sub, "device %s interrupts: %s%s%s; INTx %s", bdf, msix, d->msi.cap ? "MSI" : "",
		d->msix.n || d->msi.cap ? " emulated" : "none offered (no MSI or MSI-X the guest could use): it must poll",
		pin ? "not offered (its pin reads 0 in the guest; the real line stays disabled)" : "none (the device has no pin)");
	if (v->identity)
		pr_warn(sub, "dma = unprotected-identity: device %s can reach ALL memory, Moat's too; its RAM "
			"0x%llx-0x%llx is also mapped at guest-physical = host-physical", bdf, vm->ram_hpa,
			vm->ram_hpa + vm->ram_size - 1);
}

int assign_vm_prepare(struct vm *vm, const struct cfg_vm *cv, char *why, size_t n)
{
	struct vpci_vm *v = vpci_of(vm);
	memset(v, 0, sizeof(*v));
	if (!cv->ndevices)
		return 0;
	for (u32 i = 0; i < cv->ndevices; i++)
		if (check_one(vm, cv, &cv->devices[i], why, n) != 0)
			return -1;
	char bwhy[160];
	for (u32 i = 0; i < cv->ndevices; i++) {
		struct vpci_dev *d = &v->devs[i];
		d->host = cv->devices[i];
		if (vpci_bar_probe(d, bwhy, sizeof(bwhy)) != 0) {
			memset(v, 0, sizeof(*v));
			return refuse(why, n, &cv->devices[i], "%s", bwhy);
		}
	}
	v->ndevs = cv->ndevices;
	v->identity = cv->dma == CFG_DMA_UNPROTECTED_IDENTITY;
	v->dma_ready = false; /* until assign_vm_attach: the guest's bus mastering is refused */
	for (u32 i = 0; i < v->ndevs; i++) { /* bus mastering off, then the reset */
		struct vpci_dev *d = &v->devs[i];
		assign_reset(&d->host, cv->devices, cv->ndevices, d->reset_how, sizeof(d->reset_how));
		place(v, d);
		setup_caps(d);
		vpci_msix_setup(d);
		for (u32 b = 0; b < VPCI_BARS; b++) /* where the firmware put it, unless that is taken */
			if ((d->bar[b].kind == VPCI_BAR_MEM32 || d->bar[b].kind == VPCI_BAR_MEM64) &&
			    !vpci_bar_conflict(vm, d, b, d->bar[b].hpa, d->bar[b].size))
				d->bar[b].gpa = d->bar[b].hpa;
	}
	return 0;
}

int assign_vm_attach(struct vm *vm, char *why, size_t n)
{
	struct vpci_vm *v = vpci_of(vm);
	if (!v->ndevs)
		return 0;
	if (confine(vm, v, why, n) != 0) {
		assign_vm_stop(vm);
		return -1;
	}
	v->dma_ready = true;
	for (u32 i = 0; i < v->ndevs; i++)
		report_assigned(vm, v, &v->devs[i], v->devs[i].reset_how);
	return 0;
}

int assign_vm_start(struct vm *vm, const struct cfg_vm *cv, char *why, size_t n)
{
	if (assign_vm_prepare(vm, cv, why, n) != 0)
		return -1;
	return assign_vm_attach(vm, why, n);
}

void assign_vm_stop(struct vm *vm)
{
	struct vpci_vm *v = vpci_of(vm);
	if (!v->ndevs)
		return;
	char sub[CFG_NAME_MAX + 8], bdf[PCI_ADDR_STR_MAX];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	v->dma_ready = false;
	for (u32 i = 0; i < v->ndevs; i++) {
		struct vpci_dev *d = &v->devs[i];
		u16 cmd = pci_cfg_read16(&d->host, PCI_COMMAND);
		pci_cfg_write16(&d->host, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
		vpci_msi_release(d);
		vpci_msix_release(d);
	}
	if (virq_vm_used(vm)) {
		const struct virq *q = virq_of(vm);
		pr_info(sub, "device interrupts: %llu taken, %llu injected into the guest, %llu refused (exception vectors)",
			q->raised, q->injected, q->refused);
		virq_vm_reset(vm);
	}
	struct pci_addr group[CFG_MAX_DEVICES];
	for (u32 i = 0; i < v->ndevs; i++)
		group[i] = v->devs[i].host;
	for (u32 i = 0; i < v->ndevs; i++) {
		struct vpci_dev *d = &v->devs[i];
		bool blocked = !v->dom || domain_detach(v->dom, &d->host) == 0;
		char r[VPCI_RESET_HOW_MAX];
		assign_reset(&d->host, group, v->ndevs, r, sizeof(r));
		pr_info(sub, "device %s released: bus mastering off, %s, reset: %s (%llu config accesses emulated, %llu VM exits in all)",
			pci_addr_format(&d->host, bdf, sizeof(bdf)),
			v->dom ? (blocked ? "back in the blocking domain" : "DETACH FAILED") : "no DMA domain (identity)",
			r, v->cfg_exits, vm->vcpu.exits);
	}
	u64 rb[DOMAIN_RMRR_MAX], rl[DOMAIN_RMRR_MAX];
	u32 nr = v->dom ? domain_rmrr_ranges(v->dom, rb, rl, DOMAIN_RMRR_MAX) : 0;
	if (v->dom)
		domain_destroy(v->dom);
	for (u32 i = 0; i < nr; i++)
		pr_info(
		    sub,
		    "RMRR 0x%llx-0x%llx unmapped with its DMA domain: the blocking domain maps nothing, so "
		    "firmware DMA there is blocked again, as at boot",
		    rb[i], rl[i]);
	memset(v, 0, sizeof(*v));
}

bool assign_rmrr_overlap(const struct vm *vm, u64 gpa, u64 size, u64 *base, u64 *limit)
{
	const struct vpci_vm *v = vpci_of(vm);
	for (u32 d = 0; !v->identity && d < v->ndevs; d++)
		for (u32 i = rmrr_first(&v->devs[d].host); i < nrmrr(); i = rmrr_after(&v->devs[d].host, i))
			if (dmar_range_overlaps(rmrr_at(i)->base, rmrr_at(i)->limit, gpa, size)) {
				*base = rmrr_at(i)->base;
				*limit = rmrr_at(i)->limit;
				return true;
			}
	return false;
}

s64 assign_dma_base(const struct vm *vm)
{
	const struct vpci_vm *v = vpci_of(vm);
	if (!v->ndevs)
		return -HC_ENODEV;
	return v->identity ? (s64)vm->ram_hpa : 0;
}

u32 assign_rmrr_ranges(const struct vm *vm, u64 *base, u64 *limit, u32 max)
{
	const struct vpci_vm *v = vpci_of(vm);
	u32 n = 0;
	for (u32 d = 0; !v->identity && d < v->ndevs; d++)
		for (u32 i = rmrr_first(&v->devs[d].host); i < nrmrr(); i = rmrr_after(&v->devs[d].host, i)) {
			bool seen = false; /* an RMRR naming two of its devices is one range */
			for (u32 k = 0; k < n; k++)
				seen |= base[k] == rmrr_at(i)->base && limit[k] == rmrr_at(i)->limit;
			if (!seen && n < max) {
				base[n] = rmrr_at(i)->base;
				limit[n] = rmrr_at(i)->limit;
				n++;
			}
		}
	return n;
}
