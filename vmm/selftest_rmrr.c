/* vmm/selftest_rmrr.c: the "rmrr" suite: device assignment of a device an RMRR names (`rmrr = accept`),
 * in QEMU (VT-d and interrupt remapping, no VMX). QEMU's DMAR has no RMRR: the suite adds one to Moat's
 * parsed copy (iommu_state()->dmar, through iommu_dmar_for_tests) naming QEMU's edu device, over frames it
 * allocates itself (RMRR_PAGES, and one more page right after them as a victim), and removes it at the
 * end. A VM record with RAM but no vCPU (as in selftest_assign.c) gets edu through assign_vm_start(), and
 * edu's DMA engine plays the firmware and the guest driver:
 *  rmrr-refused        without rmrr = accept: refused with the RMRR line, nothing assigned;
 *  rmrr-shared         accept, but the RMRR also names the e1000e, which the VM does not get: refused;
 *  rmrr-overlap        accept, but the RMRR lies in the VM's guest-physical RAM: refused with the overlap
 * line; rmrr-attach-guard   iommu layer: domain_attach() of edu to a domain without the RMRR's identity map
 * is refused; rmrr-accept         accept: assigned, the RMRR at IOVA = host-physical (read/write) in the VM's
 * domain, a BAR may not be placed over it; edu writes and reads the RMRR frames, writes the VM's window at
 * IOVA = guest-physical, and a write to the page after the RMRR (outside both) is blocked with Moat's fault
 * line, that page unchanged; rmrr-smm-check      the invariant checker accepts the RMRR identity map (frames
 * no one owns) and reports one planted violation (an RMRR frame recorded as Moat's); rmrr-stop
 * assign_vm_stop: the domain (and its RMRR map) is gone, edu is in the blocking domain, which maps nothing:
 * DMA to the RMRR and to the old window is blocked, memory unchanged; a new domain in the same slot maps no
 * RMRR. */
#include "assign.h"
#include "selftest.h"
#include "selftest_vmrec.h"
#include "selftest_dma.h"
#include "smm.h"
#include "vpci.h"
#include "../iommu/iommu.h"
#include "../iommu/iommu_rt.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define SLOT (VM_MAX - 1)
#define RAM_BYTES MiB(2)
#define WIN_GPA 0x100000ULL /* the guest's DMA window, in its RAM */
#define RMRR_PAGES 4
#define RMRR_BYTES (RMRR_PAGES * PAGE_SIZE)
#define OVERLAP_BASE 0xe0000ULL /* a legacy-USB-like RMRR below 1 MiB: inside the VM's RAM */
#define OVERLAP_LIMIT 0xeffffULL
#define FREE_GPA 0x80000000ULL /* neither RAM, RMRR nor the APIC window: a BAR may go there */
#define XFER 256
#define PAT_W 0x5a /* written by edu into the RMRR */
#define PAT_R 0xa7 /* put into the RMRR by the "firmware", read by edu */
#define PAT_G 0x3d /* the guest's own data */
#define PAT_V 0xee /* the victim page's bytes */
#define PAT_X 0x81 /* what a blocked write carries */
#define WHY 240
#define NIC_VENDOR 0x8086
#define NIC_DEVICE 0x10d3

struct rmrr_ctx {
	struct vm *vm;
	struct edu edu;
	u64 rmrr; /* the staged RMRR's host frames (base) */
	u32 idx;  /* its index in the parsed DMAR */
	bool staged;
	struct selftest_result *r;
	char why[WHY];
};

static u8 *ptr(u64 hpa)
{
	return (u8 *)(uintptr_t)hpa;
}

/* Adds the RMRR [c->rmrr, + RMRR_BYTES) naming edu to the parsed DMAR. */
static bool stage(struct rmrr_ctx *c)
{
	struct dmar_info *di = iommu_dmar_for_tests();
	if (di->nrmrr >= DMAR_MAX_RMRR)
		return false;
	struct dmar_rmrr *r = &di->rmrr[di->nrmrr];
	memset(r, 0, sizeof(*r));
	r->segment = c->edu.addr.seg;
	r->base = c->rmrr;
	r->limit = c->rmrr + RMRR_BYTES - 1;
	r->nscopes = 1;
	r->scopes[0].type = DMAR_SCOPE_ENDPOINT;
	r->scopes[0].path_len =
	    (u8)iommu_dev_path(&c->edu.addr, &r->scopes[0].start_bus, r->scopes[0].path, DMAR_MAX_PATH);
	if (!r->scopes[0].path_len)
		return false;
	c->idx = di->nrmrr++;
	c->staged = true;
	char bdf[PCI_ADDR_STR_MAX];
	pr_info("test",
		"rmrr: QEMU's DMAR has no RMRR: the suite adds one to Moat's parsed copy: 0x%llx-0x%llx "
		"naming %s "
		"(edu), over frames it allocated itself",
		r->base, r->limit, pci_addr_format(&c->edu.addr, bdf, sizeof(bdf)));
	return true;
}

static struct dmar_rmrr *staged(struct rmrr_ctx *c)
{
	return &iommu_dmar_for_tests()->rmrr[c->idx];
}

static void unstage(struct rmrr_ctx *c)
{
	if (!c->staged)
		return;
	struct dmar_info *di = iommu_dmar_for_tests();
	memset(&di->rmrr[c->idx], 0, sizeof(di->rmrr[c->idx]));
	di->nrmrr = c->idx;
	c->staged = false;
	pr_info("test", "rmrr: the suite's RMRR is removed from Moat's parsed DMAR (%u RMRRs left)",
		di->nrmrr);
}

static void cfg_for(const struct rmrr_ctx *c, struct cfg_vm *cv, bool accept)
{
	memset(cv, 0, sizeof(*cv));
	cv->ndevices = 1;
	cv->devices[0] = c->edu.addr;
	cv->dma = CFG_DMA_PROTECTED;
	cv->rmrr_accept = accept;
}

/* assign_vm_start must refuse with a reason containing want, leaving nothing assigned. */
static bool refused(struct rmrr_ctx *c, bool accept, const char *want)
{
	struct cfg_vm cv;
	cfg_for(c, &cv, accept);
	if (assign_vm_start(c->vm, &cv, c->why, sizeof(c->why)) == 0) {
		assign_vm_stop(c->vm);
		snprintf(c->why, WHY, "assigned, expected a refusal containing \"%s\"", want);
		return false;
	}
	pr_info("test", "refused as expected: vm '%s': not started: %s", c->vm->name, c->why);
	if (!selftest_contains(c->why, want) || vpci_of(c->vm)->ndevs) {
		snprintf(c->why, WHY, "the refusal does not say \"%s\", or something stayed assigned", want);
		return false;
	}
	return true;
}

/* After a DMA that must be blocked: a new fault from edu, for this page and direction. */
static bool blocked(struct rmrr_ctx *c, u64 before, bool write, u64 iova)
{
	iommu_fault_poll();
	struct iommu_fault f;
	if (iommu_fault_count(&c->edu.addr) <= before || !iommu_fault_last(&c->edu.addr, &f)) {
		snprintf(c->why, WHY, "no fault recorded for the DMA %s 0x%llx",
			 write ? "write to" : "read from", iova);
		return false;
	}
	if (f.write != write || f.addr != ALIGN_DOWN(iova, PAGE_SIZE) ||
	    f.reason != (write ? IOMMU_REASON_WRITE : IOMMU_REASON_READ)) {
		snprintf(c->why, WHY, "fault reason %u %s addr 0x%llx, expected a %s fault at 0x%llx",
			 f.reason, f.write ? "write" : "read", f.addr, write ? "write" : "read", iova);
		return false;
	}
	return true;
}

/* edu's buffer [0, XFER) := byte v, through the VM's window (IOVA = guest-physical). */
static bool load_edu(struct rmrr_ctx *c, u8 v)
{
	memset(ptr(c->vm->ram_hpa + WIN_GPA), v, XFER);
	return edu_dma(&c->edu, WIN_GPA, 0, XFER, false) == 0;
}

/* A write of PAT_X to iova must be blocked and the host frame at hpa keep byte keep. */
static bool write_blocked(struct rmrr_ctx *c, u64 iova, u64 hpa, u8 keep, const char *what)
{
	u64 before = iommu_fault_count(&c->edu.addr);
	if (edu_dma(&c->edu, iova, 0, XFER, true) != 0 || !blocked(c, before, true, iova))
		return false;
	if (!selftest_all_bytes(hpa, keep, XFER)) {
		snprintf(c->why, WHY, "%s at 0x%llx changed", what, hpa);
		return false;
	}
	return true;
}

static void refusals(struct rmrr_ctx *c)
{
	char want[WHY];
	struct dmar_rmrr *r = staged(c);
	snprintf(want, sizeof(want),
		 "an RMRR names it (firmware DMA to 0x%llx-0x%llx): refused (rmrr = accept would be needed)",
		 r->base, r->limit);
	bool ok = refused(c, false, want);
	selftest_report(c->r, "rmrr-refused", ok, c->why);

	/* the same RMRR also naming the e1000e, which this VM does not get */
	const struct pci_func *nic = NULL;
	for (u32 i = 0; i < pci_count() && !nic; i++)
		if (pci_func_at(i)->vendor == NIC_VENDOR && pci_func_at(i)->device == NIC_DEVICE)
			nic = pci_func_at(i);
	ok = nic != NULL;
	if (ok) {
		struct dmar_scope *s = &r->scopes[1];
		*s = r->scopes[0];
		s->path_len = (u8)iommu_dev_path(&nic->addr, &s->start_bus, s->path, DMAR_MAX_PATH);
		r->nscopes = 2;
		char bdf[PCI_ADDR_STR_MAX];
		snprintf(want, sizeof(want), "also names %s, which this VM does not get",
			 pci_addr_format(&nic->addr, bdf, sizeof(bdf)));
		ok = s->path_len && refused(c, true, want);
		r->nscopes = 1;
	} else {
		snprintf(c->why, WHY, "no e1000e to share the RMRR with");
	}
	selftest_report(c->r, "rmrr-shared", ok, c->why);

	/* moved into the VM's guest-physical RAM */
	r->base = OVERLAP_BASE;
	r->limit = OVERLAP_LIMIT;
	snprintf(want, sizeof(want),
		 "its RMRR 0x%llx-0x%llx overlaps the VM's RAM (guest-physical 0x0-0x%llx)", OVERLAP_BASE,
		 OVERLAP_LIMIT, RAM_BYTES - 1);
	ok = refused(c, true, want);
	r->base = c->rmrr;
	r->limit = c->rmrr + RMRR_BYTES - 1;
	selftest_report(c->r, "rmrr-overlap", ok, c->why);

	/* below vmm/: a domain that does not map the RMRR never gets the device */
	struct iommu_domain *d = domain_create(c->vm->owner, c->vm->name);
	ok = d && domain_attach(d, &c->edu.addr) != 0;
	if (d) {
		domain_destroy(d);
		ok = ok && domain_check_contexts(c->why, WHY) == 0;
	}
	selftest_report(c->r, "rmrr-attach-guard", ok,
			"edu was attached to a domain without its RMRR's identity map");
}

static void accept_case(struct rmrr_ctx *c)
{
	struct cfg_vm cv;
	cfg_for(c, &cv, true);
	bool ok = assign_vm_start(c->vm, &cv, c->why, sizeof(c->why)) == 0;
	struct vpci_vm *v = vpci_of(c->vm);
	struct vpci_dev *d = &v->devs[0];
	u32 perms = 0;
	if (ok && (domain_lookup(v->dom, c->rmrr, &perms) != c->rmrr || perms != DOMAIN_RW ||
		   domain_lookup(v->dom, c->rmrr + RMRR_BYTES - PAGE_SIZE, NULL) !=
		       c->rmrr + RMRR_BYTES - PAGE_SIZE ||
		   domain_lookup(v->dom, c->rmrr + RMRR_BYTES, NULL) != ~0ULL ||
		   domain_lookup(v->dom, WIN_GPA, NULL) != c->vm->ram_hpa + WIN_GPA)) {
		snprintf(c->why, WHY,
			 "the domain does not map the RMRR 1:1 read/write, RAM at IOVA = guest-physical, and "
			 "nothing after the RMRR");
		ok = false;
	}
	const char *bar = ok ? vpci_bar_conflict(c->vm, d, 0, c->rmrr, d->bar[0].size) : NULL;
	if (ok &&
	    (!bar || !selftest_contains(bar, "RMRR") || vpci_bar_conflict(c->vm, d, 0, FREE_GPA, d->bar[0].size))) {
		snprintf(c->why, WHY, "a BAR placement over the RMRR was not refused (or a free one was)");
		ok = false;
	}
	if (ok)
		pr_info("test", "rmrr: BAR0 placement over the RMRR refused: it overlaps %s", bar);
	/* the guest turns bus mastering on (its domain is in place); not memory decoding: this VM has no EPT
	 * for its BARs, and Moat keeps the device's own decoding on anyway */
	vpci_cfg_write(c->vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	ok = ok && (pci_cfg_read16(&c->edu.addr, PCI_COMMAND) & PCI_COMMAND_MASTER);
	u64 before = iommu_fault_count(&c->edu.addr);
	/* firmware-style DMA: edu writes the RMRR frames at IOVA = host-physical, and reads them */
	memset(ptr(c->rmrr), 0, RMRR_BYTES);
	memset(ptr(c->rmrr + PAGE_SIZE), PAT_R, XFER);
	bool wrote = ok && load_edu(c, PAT_W) && edu_dma(&c->edu, c->rmrr, 0, XFER, true) == 0 &&
		     selftest_all_bytes(c->rmrr, PAT_W, XFER);
	memset(ptr(c->vm->ram_hpa + WIN_GPA + PAGE_SIZE), 0, XFER);
	bool read = wrote && edu_dma(&c->edu, c->rmrr + PAGE_SIZE, 0, XFER, false) == 0 &&
		    edu_dma(&c->edu, WIN_GPA + PAGE_SIZE, 0, XFER, true) == 0 &&
		    selftest_all_bytes(c->vm->ram_hpa + WIN_GPA + PAGE_SIZE, PAT_R, XFER);
	/* the guest's own DMA at IOVA = guest-physical */
	memset(ptr(c->vm->ram_hpa + WIN_GPA + 2 * PAGE_SIZE), 0, XFER);
	bool guest = read && load_edu(c, PAT_G) &&
		     edu_dma(&c->edu, WIN_GPA + 2 * PAGE_SIZE, 0, XFER, true) == 0 &&
		     selftest_all_bytes(c->vm->ram_hpa + WIN_GPA + 2 * PAGE_SIZE, PAT_G, XFER);
	iommu_fault_poll();
	bool quiet = iommu_fault_count(&c->edu.addr) == before;
	if (ok && !(wrote && read && guest && quiet))
		snprintf(c->why, WHY, "DMA %s",
			 !wrote	  ? "to the RMRR did not land in its host frames"
			 : !read  ? "from the RMRR did not bring its bytes"
			 : !guest ? "into the VM's window failed"
				  : "inside the RMRR or the window faulted");
	ok = ok && wrote && read && guest && quiet;
	pr_info("test",
		"rmrr: edu wrote 0x%x to RMRR frame 0x%llx, read 0x%x from 0x%llx, and wrote its window at "
		"gpa 0x%llx",
		ptr(c->rmrr)[0], c->rmrr, ptr(c->vm->ram_hpa + WIN_GPA + PAGE_SIZE)[0], c->rmrr + PAGE_SIZE,
		WIN_GPA + 2 * PAGE_SIZE);
	/* the page right after the RMRR: neither RMRR nor RAM in this domain */
	u64 victim = c->rmrr + RMRR_BYTES;
	memset(ptr(victim), PAT_V, XFER);
	ok = ok && load_edu(c, PAT_X) && write_blocked(c, victim, victim, PAT_V, "the page after the RMRR");
	selftest_report(c->r, "rmrr-accept", ok, c->why);
}

/* smm_check() walks every live VM's EPT: this VM has none, so it is hidden from the checker while its
 * domain (same owner label, so its RAM is no orphan) is walked. */
static void smm_case(struct rmrr_ctx *c)
{
	char why[WHY];
	enum vm_state st = c->vm->state;
	c->vm->state = VM_FREE;
	u32 clean = smm_check(why, sizeof(why));
	if (clean)
		pr_info("test", "rmrr: the invariant checker objects: %s", why);
	u32 planted = ~0u;
	if (frame_owner_assign(c->rmrr + PAGE_SIZE, 1, OWNER_MOAT, FRAME_R | FRAME_W) == 0) {
		planted = smm_check(why, sizeof(why));
		pr_info("test", "rmrr: planted violation found: %s", why);
		frame_owner_release(c->rmrr + PAGE_SIZE, 1, OWNER_MOAT);
	}
	c->vm->state = st;
	snprintf(c->why, WHY, "the checker found %u violations with the RMRR mapped, %u with one planted",
		 clean, planted);
	selftest_report(c->r, "rmrr-smm-check", clean == 0 && planted == 1 && selftest_contains(why, "RMRR frame"),
			c->why);
}

static void stop_case(struct rmrr_ctx *c)
{
	bool had = vpci_of(c->vm)->ndevs != 0;
	assign_vm_stop(c->vm);
	bool ok = had && !vpci_of(c->vm)->dom && domain_check_contexts(c->why, WHY) == 0;
	if (!had)
		snprintf(c->why, WHY, "edu was not assigned");
	/* Moat turns edu's bus mastering on itself: the blocking domain, not the command register, must stop
	 * it */
	ok = ok && edu_open(&c->edu) == 0;
	memset(ptr(c->rmrr), PAT_R, XFER);
	memset(ptr(c->vm->ram_hpa + WIN_GPA + 3 * PAGE_SIZE), PAT_G, XFER);
	ok = ok && write_blocked(c, c->rmrr, c->rmrr, PAT_R, "the RMRR frame") &&
	     write_blocked(c, WIN_GPA + 3 * PAGE_SIZE, c->vm->ram_hpa + WIN_GPA + 3 * PAGE_SIZE, PAT_G,
			   "the VM's RAM");
	if (ok)
		pr_info("test",
			"rmrr: after the VM stopped, DMA to the RMRR 0x%llx and to gpa 0x%llx is blocked: "
			"the device "
			"is in the blocking domain, which maps no RMRR",
			c->rmrr, WIN_GPA + 3 * PAGE_SIZE);
	u16 cmd = pci_cfg_read16(&c->edu.addr, PCI_COMMAND);
	pci_cfg_write16(&c->edu.addr, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
	struct iommu_domain *d = ok ? domain_create(c->vm->owner, c->vm->name) : NULL;
	if (ok && (!d || domain_rmrr_mapped(d, c->rmrr, c->rmrr + RMRR_BYTES - 1) ||
		   domain_lookup(d, c->rmrr, NULL) != ~0ULL)) {
		snprintf(c->why, WHY, "a new domain for the VM still maps the RMRR");
		ok = false;
	}
	domain_destroy(d);
	selftest_report(c->r, "rmrr-stop", ok, c->why);
}

void selftest_rmrr(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	static struct rmrr_ctx c;
	memset(&c, 0, sizeof(c));
	c.r = r;
	const char *err = NULL;
	if (!iommu_rt()->up || !irq_remap_on())
		err = "no DMA or interrupt remapping";
	else if (edu_open(&c.edu) != 0)
		err = "no edu device";
	else if (!(c.vm = selftest_vm_make(SLOT, "rmrr-test", RAM_BYTES)))
		err = "no memory for the test VM";
	else if (!(c.rmrr = frame_alloc_contig(RMRR_PAGES + 1, 1, 0)) || c.rmrr < RAM_BYTES)
		err = "no frames for the RMRR above the VM's guest-physical RAM";
	else if (!stage(&c))
		err = "the parsed DMAR has no room for an RMRR, or edu has no path";
	if (err) {
		selftest_report(r, "rmrr-setup", false, err);
	} else {
		u16 cmd = pci_cfg_read16(
		    &c.edu.addr, PCI_COMMAND); /* edu_open turned it on; the VM's start turns it off */
		pci_cfg_write16(&c.edu.addr, PCI_COMMAND, (u16)(cmd & ~PCI_COMMAND_MASTER));
		refusals(&c);
		accept_case(&c);
		if (vpci_of(c.vm)->dom)
			smm_case(&c);
		stop_case(&c);
	}
	unstage(&c);
	if (c.rmrr) {
		memset(ptr(c.rmrr), 0, (RMRR_PAGES + 1) * PAGE_SIZE);
		frame_free_contig(c.rmrr, RMRR_PAGES + 1);
	}
	if (c.vm)
		selftest_vm_drop(c.vm);
}
