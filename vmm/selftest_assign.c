/* vmm/selftest_assign.c: the "assign" suite (issue 8), for QEMU where there is VT-d and interrupt
 * remapping but no VMX: everything of device assignment that needs no running guest. A VM record with
 * RAM but no vCPU gets the e1000e through assign_vm_start(); the suite then plays the guest through the
 * virtual configuration space (vpci_cfg_read/write) and checks:
 *  assign-refusals    one clear line per refused device (bridge, missing, identity mode with VT-d);
 *  assign-early-master  between the checks/reset and the domain attach (assign_vm_prepare, then
 *                     assign_vm_attach) the guest's bus mastering is refused, reported, and never
 *                     reaches the device;
 *  assign-start       reset, its own domain, bus mastering off until then, IDs through the virtual bus;
 *  assign-vpci        BAR sizing, command filter (bus mastering reaches the device, I/O does not), pin 0;
 *  assign-msi-irte    the guest's MSI address/data stay virtual; the device gets a remappable message
 *                     naming an IRTE; a non-interrupt address is refused and never written;
 *  assign-dma         Moat's e1000e driver, speaking guest-physical addresses, gets a DHCP OFFER
 *                     through the VM's domain;
 *  assign-msix        MSI-X shown to the guest; table accesses played as the EPT-violation path would
 *                     (vpci_msix_access with a decoded access): the guest's entry stays in the shadow,
 *                     the real entry gets a remappable message naming an IRTE; another register on the
 *                     table page is forwarded (a 2-byte access refused); masking masks the real entry
 *                     and frees the IRTE;
 *  assign-msix-vectors  two live entries get different host vectors; the device firing one entry makes
 *                     only that entry's guest vector pending (selftest_assign_vec.c);
 *  assign-stop        bus mastering off, back in the blocking domain, before the RAM is scrubbed, and
 *                     every interrupt entry and host vector the VM had given back (none leaked);
 *  assign-restart     what a guest reboot does (vm_linux_after_stop: release, then assign again): the
 *                     same device assigned again to the same VM record gets a new domain, its MSI a new
 *                     IRTE and host vector, and a second stop gives them all back. */
#include "assign.h"
#include "dhcp.h"
#include "e1000e.h"
#include "selftest.h"
#include "selftest_vmrec.h"
#include "vpci.h"
#include "../iommu/iommu.h"
#include "../iommu/irq_remap.h"
#include "../iommu/msi.h"
#include "../kernel/fmt.h"
#include "../kernel/irq_vector.h"
#include "../kernel/log.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/cpu.h"
#include "../kernel/paging.h"
#include "../kernel/string.h"

#define SLOT (VM_MAX - 1)
#define RAM_BYTES MiB(2)
#define WIN_GPA 0x100000ULL
#define GUEST_VECTOR 0x41
#define MSI_DATA_OFF 12
#define MSI_CTRL_OFF 2
#define MSI_ENABLE 1u
#define FAKE_ADDR 0x12345000u
#define OFFER_WAIT_US 1500000
#define TRIES 3
#define WHY 200
#define GUEST_MSIX_VECTOR 0x42
#define GUEST_MSIX_ADDR (MSI_ADDR_BASE | 0x1000u) /* APIC id 1, compatibility format */
#define MSIX_CTRL_OFF 2
#define MSIX_CTRL_ENABLE BIT(15)
#define MSIX_SIZE_MASK 0x7ffu
#define MSI_ADDR_REMAP_FORMAT BIT(4)
#define CAP_WALK 48
#define DWORD 4u
#define WORD 2u
#define PLATFORM_WINDOW 0xfec00000ULL /* I/O APIC; 128 KiB aligned, as BAR0 must be */
#define BAR_ADDR_MASK 0xfffffff0u /* a 32-bit memory BAR: the flags are the low 4 bits */

static bool refused(struct vm *vm, const char *bdf, enum cfg_dma dma, const char *want)
{
	struct cfg_vm cv;
	char why[WHY];
	memset(&cv, 0, sizeof(cv));
	cv.ndevices = 1;
	cv.dma = dma;
	pci_addr_parse(bdf, strlen(bdf), &cv.devices[0]);
	if (assign_vm_start(vm, &cv, why, sizeof(why)) == 0) {
		assign_vm_stop(vm);
		return false;
	}
	pr_info("test", "refused as expected: vm '%s': not started: %s", vm->name, why);
	return selftest_contains(why, want);
}

static bool dhcp_offer(struct e1000e *nic, struct vm *vm)
{
	u8 frame[DHCP_FRAME_MAX > 1600 ? DHCP_FRAME_MAX : 1600];
	if (e1000e_start(nic, (u8 *)(uintptr_t)(vm->ram_hpa + WIN_GPA), WIN_GPA) != 0)
		return false;
	for (u32 t = 0; t < TRIES; t++) {
		u32 xid = 0x61737367u + t;
		if (e1000e_send(nic, frame, dhcp_discover(frame, nic->mac, xid)) != 0)
			return false;
		u32 n;
		struct dhcp_offer o;
		while ((n = e1000e_recv(nic, frame, sizeof(frame), OFFER_WAIT_US)) != 0)
			if (dhcp_parse_offer(frame, n, xid, &o)) {
				pr_info("test", "assign: DHCP OFFER %u.%u.%u.%u through vm '%s''s domain (IOVA = guest-physical)",
					o.yiaddr >> 24, (o.yiaddr >> 16) & 255, (o.yiaddr >> 8) & 255, o.yiaddr & 255, vm->name);
				return true;
			}
	}
	return false;
}

/* Bus mastering asked for before the VM's DMA domain exists: refused, reported, device untouched. */
static bool early_master_refused(struct vm *vm, struct vpci_dev *d)
{
	const struct vpci_vm *v = vpci_of(vm);
	bool before = !v->dma_ready && !v->dom;
	vpci_cfg_write(vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2, PCI_COMMAND_MASTER);
	u16 real = pci_cfg_read16(&d->host, PCI_COMMAND);
	u16 seen = (u16)vpci_cfg_read(vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2);
	pr_info("test", "assign: bus mastering asked for before the domain exists: guest sees 0x%x, device command 0x%x",
		seen, real);
	return before && !(real & PCI_COMMAND_MASTER) && !(seen & PCI_COMMAND_MASTER);
}

static u64 msix_io(struct vm *vm, struct vpci_dev *d, u64 off, u32 size, bool write, u64 val)
{
	struct vpci_mmio acc = {d->msix_bir[0], off, size, write, val};
	if (!vpci_msix_access(vm, d, &acc))
		return ~0ULL;
	return acc.val;
}

/* A dword on the table's page that is neither table nor PBA, or 0. */
static u64 shared_reg(const struct vpci_dev *d)
{
	u64 page = ALIGN_DOWN(d->msix_off[0], PAGE_SIZE);
	for (u64 off = page + PAGE_SIZE - DWORD; off > page; off -= DWORD) {
		bool in_t = off + DWORD > d->msix_off[0] && off < d->msix_off[0] + d->msix_len[0];
		bool in_p = d->msix_bir[1] == d->msix_bir[0] && off + DWORD > d->msix_off[1] &&
			    off < d->msix_off[1] + d->msix_len[1];
		if (!in_t && !in_p)
			return off;
	}
	return 0;
}

static bool msix_listed(struct vm *vm, const struct vpci_dev *d)
{
	u8 p = (u8)vpci_cfg_read(vm, 0, d->vdev, d->vfn, PCI_CAPABILITY_LIST, 1);
	for (u32 i = 0; i < CAP_WALK && p; i++) {
		if (p == d->msix_cap && vpci_cfg_read(vm, 0, d->vdev, d->vfn, p, 1) == PCI_CAP_ID_MSIX)
			return true;
		p = (u8)vpci_cfg_read(vm, 0, d->vdev, d->vfn, (u16)(p + 1), 1);
	}
	return false;
}

static bool msix_test(struct vm *vm, struct vpci_dev *d)
{
	u8 cap = d->msix_cap;
	if (!cap || !d->msix.n || !msix_listed(vm, d))
		return false;
	u16 hw = pci_cfg_read16(&d->host, (u16)(cap + MSIX_CTRL_OFF));
	u16 ctrl = (u16)vpci_cfg_read(vm, 0, d->vdev, d->vfn, (u16)(cap + MSIX_CTRL_OFF), 2);
	if ((ctrl & MSIX_SIZE_MASK) != (hw & MSIX_SIZE_MASK))
		return false;
	if (d->msi.cap) /* MSI off first (the previous test left it on) */
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(d->msi.cap + MSI_CTRL_OFF), 2, 0);
	vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + MSIX_CTRL_OFF), 2, MSIX_CTRL_ENABLE);
	u64 t = d->msix_off[0];
	msix_io(vm, d, t + VMSIX_ADDR_LO, DWORD, true, GUEST_MSIX_ADDR);
	msix_io(vm, d, t + VMSIX_ADDR_HI, DWORD, true, 0);
	msix_io(vm, d, t + VMSIX_DATA, DWORD, true, GUEST_MSIX_VECTOR);
	msix_io(vm, d, t + VMSIX_CTRL, DWORD, true, 0); /* unmask */
	u64 real = d->bar[d->msix_bir[0]].hpa + t;
	if (paging_map_mmio(ALIGN_DOWN(real, PAGE_SIZE), PAGE_SIZE) != 0)
		return false;
	struct msi_msg m = {mmio_read32(real + VMSIX_ADDR_LO), mmio_read32(real + VMSIX_ADDR_HI),
			    mmio_read32(real + VMSIX_DATA)};
	u32 rctl = mmio_read32(real + VMSIX_CTRL);
	u16 rmc = pci_cfg_read16(&d->host, (u16)(cap + MSIX_CTRL_OFF));
	u32 irte = d->msix_irq[0].index;
	bool prog = d->msix_irq[0].valid && (m.addr_lo & MSI_ADDR_REMAP_FORMAT) && msi_addr_is_remappable(m.addr_lo) &&
		    msi_remap_index(&m) == irte && m.addr_lo != GUEST_MSIX_ADDR && m.data != GUEST_MSIX_VECTOR &&
		    !(rctl & VMSIX_CTRL_MASKED) && (rmc & MSIX_CTRL_ENABLE) &&
		    msix_io(vm, d, t + VMSIX_ADDR_LO, DWORD, false, 0) == GUEST_MSIX_ADDR &&
		    msix_io(vm, d, t + VMSIX_DATA, DWORD, false, 0) == GUEST_MSIX_VECTOR;
	pr_info("test", "assign: guest MSI-X entry 0 0x%x/0x%x stays virtual; the device's entry holds 0x%x/0x%x, %s (remappable, IRTE %u)",
		GUEST_MSIX_ADDR, GUEST_MSIX_VECTOR, m.addr_lo, m.data, rctl & VMSIX_CTRL_MASKED ? "masked" : "unmasked", irte);

	u64 o = shared_reg(d), fwd = d->msix_fwd;
	msix_io(vm, d, o, DWORD, true, GUEST_MSIX_VECTOR);
	u32 back = (u32)msix_io(vm, d, o, DWORD, false, 0), direct = mmio_read32(d->bar[d->msix_bir[0]].hpa + o);
	bool forwarded = o && d->msix_fwd == fwd + 2 && back == direct;
	msix_io(vm, d, o, WORD, true, GUEST_MSIX_VECTOR); /* not 4 or 8 bytes: refused, not forwarded */
	forwarded = forwarded && d->msix_fwd == fwd + 2;
	pr_info("test", "assign: MSI-X page register BAR%u+0x%llx: write forwarded, reads back 0x%x (device: 0x%x)",
		d->msix_bir[0], o, back, direct);

	msix_io(vm, d, t + VMSIX_CTRL, DWORD, true, VMSIX_CTRL_MASKED);
	rctl = mmio_read32(real + VMSIX_CTRL);
	bool masked = (rctl & VMSIX_CTRL_MASKED) && !d->msix_irq[0].valid;
	pr_info("test", "assign: guest masked MSI-X entry 0: the device's entry is %s, IRTE %u %s", rctl & VMSIX_CTRL_MASKED ? "masked" : "UNMASKED",
		irte, d->msix_irq[0].valid ? "STILL HELD" : "freed");
	return prog && forwarded && masked;
}

/* The real BAR0 moved (memory decoding off) onto MMIO that must never reach a guest: assignment is
 * refused with the reason; the BAR and the command register are put back. */
static bool bar_refused_at(struct vm *vm, const struct pci_addr *a, const char *bdf, u64 at, const char *want)
{
	u16 cmd = pci_cfg_read16(a, PCI_COMMAND);
	u32 bar = pci_cfg_read32(a, VPCI_BAR0);
	pci_cfg_write16(a, PCI_COMMAND, (u16)(cmd & ~(PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER)));
	pci_cfg_write32(a, VPCI_BAR0, (u32)at | (bar & ~BAR_ADDR_MASK));
	bool ok = refused(vm, bdf, CFG_DMA_PROTECTED, want);
	pci_cfg_write32(a, VPCI_BAR0, bar);
	pci_cfg_write16(a, PCI_COMMAND, cmd);
	return ok && pci_cfg_read32(a, VPCI_BAR0) == bar;
}

static bool bar_checks(struct vm *vm, const struct kernel_ctx *k, const struct e1000e *nic, const char *bdf)
{
	if (!k->acpi->nmcfg) {
		pr_info("test", "assign: no MCFG: the ECAM case cannot be set up");
		return false;
	}
	return bar_refused_at(vm, &nic->addr, bdf, k->acpi->mcfg[0].base,
			      "overlaps PCI configuration space (ECAM, segment 0)") &&
	       bar_refused_at(vm, &nic->addr, bdf, PLATFORM_WINDOW, "lies in the platform window");
}

/* A guest reboot's path for a VM with a device (release, then assign again), on the same VM record:
 * a new domain, the MSI through a new IRTE and host vector, and nothing left after the second stop. */
static bool restart(struct vm *vm, const struct cfg_vm *cv, u32 irtes0, u32 vecs0, char *why, size_t n)
{
	if (assign_vm_start(vm, cv, why, n) != 0)
		return false;
	struct vpci_vm *v = vpci_of(vm);
	struct vpci_dev *d = &v->devs[0];
	u8 cap = d->msi.cap;
	bool ok = v->dom && v->dma_ready && cap;
	if (ok) {
		u16 data = (u16)(cap + (d->msi.is64 ? MSI_DATA_OFF : MSI_DATA_OFF - 4));
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + 4), 4, MSI_ADDR_BASE);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, data, 2, GUEST_VECTOR);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + MSI_CTRL_OFF), 2, MSI_ENABLE);
		ok = d->msi.programmed && irq_remap_in_use(&d->host) == irtes0 + 1 && irq_vector_in_use() == vecs0 + 1;
	}
	u32 irtes = irq_remap_in_use(&cv->devices[0]), vecs = irq_vector_in_use();
	pr_info("test", "assign: restarted: %s domain, MSI %s: %u interrupt entries and %u host vectors in use (%u and %u before the first start)",
		v->dom ? "a new" : "NO", d->msi.programmed ? "programmed" : "NOT PROGRAMMED", irtes, vecs, irtes0, vecs0);
	assign_vm_stop(vm);
	if (!ok) {
		snprintf(why, n, "after the restart the device had no domain or its MSI no IRTE and host vector of its own");
		return false;
	}
	if (domain_check_contexts(why, n) != 0)
		return false;
	if (irq_remap_in_use(&cv->devices[0]) != irtes0 || irq_vector_in_use() != vecs0) {
		snprintf(why, n, "leaked after the second stop: %u interrupt entries and %u host vectors in use, %u and %u before",
			 irq_remap_in_use(&cv->devices[0]), irq_vector_in_use(), irtes0, vecs0);
		return false;
	}
	return true;
}

void selftest_assign(const struct kernel_ctx *k, struct selftest_result *r)
{
	struct e1000e nic;
	struct vm *vm = selftest_vm_make(SLOT, "assign-test", RAM_BYTES);
	if (!vm || e1000e_find(&nic) != 0) {
		selftest_report(r, "assign-start", false, "no VM memory or no e1000e");
		return;
	}
	char why[WHY], bdf[PCI_ADDR_STR_MAX];
	pci_addr_format(&nic.addr, bdf, sizeof(bdf));
	bool ok = refused(vm, "0000:00:00.0", CFG_DMA_PROTECTED, "it is a bridge") &&
		  refused(vm, "0000:05:00.0", CFG_DMA_PROTECTED, "no such PCI function") &&
		  refused(vm, bdf, CFG_DMA_UNPROTECTED_IDENTITY, "only for machines without VT-d");
	selftest_report(r, "assign-refusals", ok, "a refusal was missing or unclear");
	selftest_report(r, "assign-bar-checks", bar_checks(vm, k, &nic, bdf),
			"a BAR over ECAM or the platform window was not refused, or was not put back");

	struct cfg_vm cv;
	memset(&cv, 0, sizeof(cv));
	cv.ndevices = 1;
	cv.devices[0] = nic.addr;
	u32 irtes0 = irq_remap_in_use(&nic.addr), vecs0 = irq_vector_in_use();
	ok = assign_vm_prepare(vm, &cv, why, sizeof(why)) == 0;
	struct vpci_vm *v = vpci_of(vm);
	struct vpci_dev *d = &v->devs[0];
	bool early = ok && v->ndevs && early_master_refused(vm, d);
	ok = ok && assign_vm_attach(vm, why, sizeof(why)) == 0;
	selftest_report(r, "assign-early-master", early, "bus mastering reached the device before its DMA domain existed");
	u32 id = ok ? vpci_cfg_read(vm, 0, d->vdev, d->vfn, PCI_VENDOR_ID, 4) : 0;
	ok = ok && v->dom && v->dma_ready && id == pci_cfg_read32(&nic.addr, PCI_VENDOR_ID) &&
	     !(pci_cfg_read16(&nic.addr, PCI_COMMAND) & PCI_COMMAND_MASTER);
	selftest_report(r, "assign-start", ok, ok ? NULL : why);
	if (!v->ndevs) {
		selftest_vm_drop(vm);
		return;
	}

	vpci_cfg_write(vm, 0, d->vdev, d->vfn, VPCI_BAR0, 4, 0xffffffffu);
	u32 sized = vpci_cfg_read(vm, 0, d->vdev, d->vfn, VPCI_BAR0, 4);
	vpci_cfg_write(vm, 0, d->vdev, d->vfn, VPCI_BAR0, 4, (u32)d->bar[0].hpa);
	vpci_cfg_write(vm, 0, d->vdev, d->vfn, PCI_COMMAND, 2, PCI_COMMAND_MASTER | PCI_COMMAND_IO);
	u16 real = pci_cfg_read16(&nic.addr, PCI_COMMAND);
	ok = (sized & 0xfffffff0u) == (u32)~(d->bar[0].size - 1) && (real & PCI_COMMAND_MASTER) &&
	     !(real & PCI_COMMAND_IO) && vpci_cfg_read(vm, 0, d->vdev, d->vfn, VPCI_INT_PIN, 1) == 0;
	pr_info("test", "assign: BAR0 sizing reads 0x%x (%llu KiB); device command 0x%x", sized, d->bar[0].size / KiB(1),
		real);
	selftest_report(r, "assign-vpci", ok, "BAR sizing or the command filter misbehaved");

	u8 cap = d->msi.cap;
	ok = cap != 0;
	if (ok) {
		u16 data = (u16)(cap + (d->msi.is64 ? MSI_DATA_OFF : MSI_DATA_OFF - 4));
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + 4), 4, FAKE_ADDR);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + MSI_CTRL_OFF), 2, MSI_ENABLE);
		bool fake_kept_out = pci_cfg_read32(&nic.addr, (u16)(cap + 4)) != FAKE_ADDR && !d->msi.programmed;
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + MSI_CTRL_OFF), 2, 0);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + 4), 4, MSI_ADDR_BASE);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, data, 2, GUEST_VECTOR);
		vpci_cfg_write(vm, 0, d->vdev, d->vfn, (u16)(cap + MSI_CTRL_OFF), 2, MSI_ENABLE);
		u32 dev_addr = pci_cfg_read32(&nic.addr, (u16)(cap + 4));
		ok = fake_kept_out && d->msi.programmed && msi_addr_is_remappable(dev_addr) &&
		     vpci_cfg_read(vm, 0, d->vdev, d->vfn, (u16)(cap + 4), 4) == MSI_ADDR_BASE &&
		     d->msi.guest_vector == GUEST_VECTOR;
		pr_info("test", "assign: guest MSI 0x%x/0x%x stays virtual; the device holds 0x%x (remappable, IRTE %u)",
			MSI_ADDR_BASE, GUEST_VECTOR, dev_addr, d->msi.irq.index);
	}
	selftest_report(r, "assign-msi-irte", ok, "the MSI capability is not emulated through an IRTE");

	selftest_report(r, "assign-dma", dhcp_offer(&nic, vm), "no DHCP OFFER through the VM's domain");
	selftest_report(r, "assign-msix", msix_test(vm, d), "MSI-X is not emulated through the shadow table and an IRTE");
	selftest_report(r, "assign-msix-vectors", selftest_assign_vectors(vm, d, nic.bar0),
			"MSI-X entries do not each get their own host vector and per-entry delivery");

	assign_vm_stop(vm);
	ok = !(pci_cfg_read16(&nic.addr, PCI_COMMAND) & PCI_COMMAND_MASTER) && domain_check_contexts(why, sizeof(why)) == 0;
	if (ok && (irq_remap_in_use(&nic.addr) != irtes0 || irq_vector_in_use() != vecs0)) {
		snprintf(why, sizeof(why), "leaked: %u interrupt entries and %u host vectors in use, %u and %u before",
			 irq_remap_in_use(&nic.addr), irq_vector_in_use(), irtes0, vecs0);
		ok = false;
	}
	selftest_report(r, "assign-stop", ok, ok ? NULL : why);
	selftest_report(r, "assign-restart", restart(vm, &cv, irtes0, vecs0, why, sizeof(why)), why);
	selftest_vm_drop(vm);
}
