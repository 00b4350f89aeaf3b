/* vmm/selftest_assign.c: the "assign" suite (issue 8), for QEMU where there is VT-d and interrupt
 * remapping but no VMX: everything of device assignment that needs no running guest. A VM record with
 * RAM but no vCPU gets the e1000e through assign_vm_start(); the suite then plays the guest through the
 * virtual configuration space (vpci_cfg_read/write) and checks:
 *  assign-refusals    one clear line per refused device (bridge, missing, identity mode with VT-d);
 *  assign-start       reset, its own domain, bus mastering off until then, IDs through the virtual bus;
 *  assign-vpci        BAR sizing, command filter (bus mastering reaches the device, I/O does not), pin 0;
 *  assign-msi-irte    the guest's MSI address/data stay virtual; the device gets a remappable message
 *                     naming an IRTE; a non-interrupt address is refused and never written;
 *  assign-dma         Moat's e1000e driver, speaking guest-physical addresses, gets a DHCP OFFER
 *                     through the VM's domain;
 *  assign-stop        bus mastering off, back in the blocking domain, before the RAM is scrubbed. */
#include "assign.h"
#include "dhcp.h"
#include "e1000e.h"
#include "selftest.h"
#include "vpci.h"
#include "../iommu/iommu.h"
#include "../iommu/msi.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
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

static struct vm *make_vm(void)
{
	struct vm *vm = &vm_table[SLOT];
	memset(vm, 0, sizeof(*vm));
	strlcpy(vm->name, "assign-test", sizeof(vm->name));
	vm->id = SLOT;
	vm->owner = (u16)(OWNER_VM_FIRST + SLOT);
	u64 pages = RAM_BYTES / PAGE_SIZE;
	vm->ram_hpa = frame_alloc_contig(pages, 1, 0);
	if (!vm->ram_hpa || frame_owner_assign(vm->ram_hpa, pages, vm->owner, FRAME_RWX) != 0)
		return NULL;
	vm->ram_size = RAM_BYTES;
	memset((void *)(uintptr_t)vm->ram_hpa, 0, RAM_BYTES);
	vm->state = VM_PAUSED;
	return vm;
}

static void drop_vm(struct vm *vm)
{
	u64 pages = vm->ram_size / PAGE_SIZE;
	memset((void *)(uintptr_t)vm->ram_hpa, 0, vm->ram_size);
	frame_owner_mark_scrubbed(vm->ram_hpa, pages, vm->owner);
	if (frame_owner_release(vm->ram_hpa, pages, vm->owner) == 0)
		frame_free_contig(vm->ram_hpa, pages);
	vm->state = VM_FREE;
}

static bool contains(const char *s, const char *w)
{
	size_t n = strlen(w);
	for (; *s; s++)
		if (strncmp(s, w, n) == 0)
			return true;
	return false;
}

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
	return contains(why, want);
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

void selftest_assign(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	struct e1000e nic;
	struct vm *vm = make_vm();
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

	struct cfg_vm cv;
	memset(&cv, 0, sizeof(cv));
	cv.ndevices = 1;
	cv.devices[0] = nic.addr;
	ok = assign_vm_start(vm, &cv, why, sizeof(why)) == 0;
	struct vpci_vm *v = vpci_of(vm);
	struct vpci_dev *d = &v->devs[0];
	u32 id = ok ? vpci_cfg_read(vm, 0, d->vdev, d->vfn, PCI_VENDOR_ID, 4) : 0;
	ok = ok && v->dom && v->dma_ready && id == pci_cfg_read32(&nic.addr, PCI_VENDOR_ID) &&
	     !(pci_cfg_read16(&nic.addr, PCI_COMMAND) & PCI_COMMAND_MASTER);
	selftest_report(r, "assign-start", ok, ok ? NULL : why);
	if (!v->ndevs) {
		drop_vm(vm);
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

	assign_vm_stop(vm);
	ok = !(pci_cfg_read16(&nic.addr, PCI_COMMAND) & PCI_COMMAND_MASTER) && domain_check_contexts(why, sizeof(why)) == 0;
	selftest_report(r, "assign-stop", ok, ok ? NULL : why);
	drop_vm(vm);
}
