/* vmm/vpci_msix.c: the emulated MSI-X of an assigned device (see vpci.h). The capability is shown
 * with its Message Control virtual (enable and function mask are the guest's; the table size reads
 * through); the table and PBA offsets read through. The table and PBA pages are never mapped in the
 * VM's EPT (vpci_bar.c): each access is an EPT violation, decoded (mmio_decode.c) and emulated here.
 * Table accesses go to the shadow table (vmsix.c): the guest's address and data never reach the
 * device; PBA reads give the device's own pending bits (writes are ignored). Other registers that share those pages are forwarded to the device with the same size,
 * only within the BAR, naturally aligned, 4 or 8 bytes. When an entry is unmasked with MSI-X enabled
 * and not function-masked, Moat gives the entry a host vector of its own (vpci_irq.c: its handler
 * raises exactly this entry's current guest vector), allocates an IRTE for the device (source-id
 * validated) aimed at it and programs the real entry with the remappable message naming it; masking,
 * the function mask, disabling and the VM's stop mask the real entry, free the IRTE, then the host
 * vector. With no host vector free the entry stays masked (one warning line). The device's
 * MSI-X stays enabled while the guest's is (a message the device would send through a masked entry
 * waits in its pending bit and is sent when the entry is programmed again); it goes off when the
 * guest disables MSI-X or the VM stops. A data write to a programmed entry changes the guest vector
 * Moat injects (a single byte store: the real entry is Moat's and does not change). Without
 * interrupt remapping the device's MSI-X stays off. */
#include "vpci.h"
#include "mmio_decode.h"
#include "virq_vm.h"
#include "../iommu/msi.h"
#include "../kernel/apic.h"
#include "../kernel/cpu.h"
#include "../kernel/irq_vector.h"
#include "../kernel/paging.h"
#include "../kernel/pci.h"

#define MSIX_CTRL 2
#define MSIX_CTRL_LEN 2
#define MSIX_CTRL_SIZE_MASK 0x7ffu
#define MSIX_CTRL_ENABLE BIT(15)
#define MSIX_TABLE_REGION 0
#define MSIX_PBA_REGION 1
#define EPTV_WRITE BIT(1)
#define BYTE_BITS 8
#define DWORD 4u
#define QWORD 8u
#define DWORD_BITS 32
#define LOW32 0xffffffffULL
#define READ_REFUSED (~0ULL) /* what a refused read returns (as a master abort would) */

void vpci_msix_setup(struct vpci_dev *d)
{
	d->msix.n = 0;
	if (!d->msix_cap)
		return;
	u32 entries = (pci_cfg_read16(&d->host, (u16)(d->msix_cap + MSIX_CTRL)) & MSIX_CTRL_SIZE_MASK) + 1;
	for (u32 k = 0; k < 2; k++) {
		u8 bir = d->msix_bir[k];
		if (bir >= VPCI_BARS ||
		    (d->bar[bir].kind != VPCI_BAR_MEM32 && d->bar[bir].kind != VPCI_BAR_MEM64) ||
		    d->msix_off[k] + d->msix_len[k] > d->bar[bir].size)
			return; /* not emulable: the capability stays hidden */
	}
	if (vmsix_init(&d->msix, entries, d->msix_off[MSIX_TABLE_REGION], d->msix_off[MSIX_PBA_REGION]) != 0)
		d->msix.n = 0;
}

bool vpci_msix_owns(const struct vpci_dev *d, u16 off)
{
	return d->msix_cap && d->msix.n && off >= d->msix_cap + MSIX_CTRL &&
	       off < d->msix_cap + MSIX_CTRL + MSIX_CTRL_LEN;
}

static u16 ctrl_view(const struct vpci_dev *d)
{
	u16 hw = pci_cfg_read16(&d->host, (u16)(d->msix_cap + MSIX_CTRL));
	return (u16)((hw & MSIX_CTRL_SIZE_MASK) | (d->msix.ctrl & VMSIX_MSGCTL_GUEST));
}

u32 vpci_msix_read(const struct vpci_dev *d, u16 off, u32 size)
{
	u32 v = 0;
	u16 ctrl = ctrl_view(d);
	for (u32 i = 0; i < size; i++) {
		u32 rel = (u32)(off + i - d->msix_cap - MSIX_CTRL);
		v |= (u32)(u8)(ctrl >> (rel * BYTE_BITS)) << (i * BYTE_BITS);
	}
	return v;
}

static u64 real_entry(const struct vpci_dev *d, u32 e)
{
	return d->bar[d->msix_bir[MSIX_TABLE_REGION]].hpa + d->msix_off[MSIX_TABLE_REGION] +
	       (u64)e * VMSIX_ENTRY_SIZE;
}

/* Masks real entry e first (no message through it any more), then frees its IRTE, then its host
 * vector (an interrupt still in flight finds the binding gone). The device's MSI-X stays enabled: a
 * message for the entry now waits in the device's pending bit. */
static void release_entry(struct vpci_dev *d, u32 e)
{
	u64 a = real_entry(d, e);
	if (paging_map_mmio(ALIGN_DOWN(a, PAGE_SIZE), PAGE_SIZE) == 0)
		mmio_write32(a + VMSIX_CTRL, VMSIX_CTRL_MASKED);
	irq_remap_free(&d->msix_irq[e]);
	d->msix_irq[e].valid = false;
	vpci_irq_unbind(&d->msix_bind[e]);
}

/* The device's MSI-X off (the guest disabled its MSI-X, or the VM stops). */
static void device_off(struct vpci_dev *d)
{
	u16 c = (u16)(d->msix_cap + MSIX_CTRL);
	u16 hw = pci_cfg_read16(&d->host, c);
	if (hw & MSIX_CTRL_ENABLE)
		pci_cfg_write16(&d->host, c, hw & (u16)~MSIX_CTRL_ENABLE);
}

static void program_entry(struct vm *vm, struct vpci_dev *d, u32 e)
{
	u8 gv = vmsix_vector(&d->msix, e);
	if (!irq_remap_on()) {
		vpci_report(vm, d,
			    "MSI-X entry %u for guest vector %u: no interrupt remapping here: the device's "
			    "MSI-X stays off (poll)",
			    e, gv);
		return;
	}
	d->msix_gvec[e] = gv; /* before the device can send: the handler reads it */
	int hv = vpci_irq_bind(vm, d, &d->msix_bind[e], (u16)e);
	if (hv < 0) {
		vpci_report(vm, d,
			    "MSI-X entry %u for guest vector %u: no free host vector (all %u of 0x%x-0x%x in "
			    "use); the entry stays masked",
			    e, gv, IRQ_VECTOR_COUNT, IRQ_VECTOR_FIRST, IRQ_VECTOR_LAST);
		return;
	}
	struct irq_remap_vec *q = &d->msix_irq[e];
	if (irq_remap_alloc(&d->host, (u8)hv, apic_id(), q) != 0) {
		q->valid = false;
		vpci_irq_unbind(&d->msix_bind[e]);
		vpci_report(
		    vm, d,
		    "MSI-X entry %u: no interrupt remapping entry could be set up; the entry stays masked",
		    e);
		return;
	}
	if (irq_remap_program_msix(q, e) != 0) {
		irq_remap_free(q);
		q->valid = false;
		vpci_irq_unbind(&d->msix_bind[e]);
		vpci_report(
		    vm, d,
		    "MSI-X entry %u: the device's table could not be programmed; the entry stays masked", e);
		return;
	}
	vpci_note(vm, d,
		    "MSI-X entry %u: guest vector %u through IRTE %u (host vector 0x%x, source-id checked)",
		    e, gv, q->index, hv);
}

/* Brings real entry e in line with the guest's view (vmsix_sync decides). */
static void sync_entry(struct vm *vm, struct vpci_dev *d, u32 e)
{
	enum vmsix_act act = vmsix_sync(&d->msix, e, d->msix_irq[e].valid);
	if (act == VMSIX_PROGRAM)
		program_entry(vm, d, e);
	else if (act == VMSIX_MASK)
		release_entry(d, e);
}

void vpci_msix_write(struct vm *vm, struct vpci_dev *d, u16 off, u32 size, u32 val)
{
	bool was = d->msix.ctrl & VMSIX_MSGCTL_ENABLE;
	u16 ctrl = d->msix.ctrl;
	for (u32 i = 0; i < size; i++) {
		u32 rel = (u32)(off + i - d->msix_cap - MSIX_CTRL);
		if (rel >= MSIX_CTRL_LEN)
			continue;
		u32 shift = rel * BYTE_BITS;
		ctrl = (u16)((ctrl & ~(0xffu << shift)) | ((val >> (i * BYTE_BITS)) & 0xffu) << shift);
	}
	vmsix_set_control(&d->msix, ctrl);
	bool now = d->msix.ctrl & VMSIX_MSGCTL_ENABLE;
	if (now && !was && !irq_remap_on())
		vpci_report(vm, d,
			    "MSI-X enable: no interrupt remapping here: the device's MSI-X stays off (poll)");
	for (u32 e = 0; e < d->msix.n; e++)
		sync_entry(vm, d, e);
	if (!now)
		device_off(d);
}

void vpci_msix_release(struct vpci_dev *d)
{
	for (u32 e = 0; e < d->msix.n; e++)
		if (d->msix_irq[e].valid)
			release_entry(d, e);
	if (d->msix.n)
		device_off(d);
	vmsix_set_control(&d->msix, 0);
}

void vpci_msix_fired(u32 slot, const struct vpci_dev *d, u32 e)
{
	/* a live entry is programmed; one no longer live was masked (its message waits in the device) */
	if (e < d->msix.n && vmsix_live(&d->msix, e))
		virq_vm_raise(slot, __atomic_load_n(&d->msix_gvec[e], __ATOMIC_RELAXED));
}

static bool overlaps(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

/* Is [off, off+size) of BAR bar inside region k (table or PBA)? *touch: does it overlap it at all? */
static bool in_region(const struct vpci_dev *d, u32 k, u32 bar, u64 off, u32 size, bool *touch)
{
	if (d->msix_bir[k] != bar)
		return false;
	u64 b = d->msix_off[k], len = d->msix_len[k];
	if (overlaps(off, size, b, len))
		*touch = true;
	return off >= b && off + size <= b + len;
}

static void table_dword(struct vm *vm, struct vpci_dev *d, u64 off, bool write, u32 *val)
{
	if (!write) {
		*val = vmsix_read(&d->msix, off);
		return;
	}
	u32 e = 0;
	enum vmsix_act act = vmsix_write(&d->msix, off, DWORD, *val, &e);
	if (act == VMSIX_REFUSED) {
		const struct vmsix_entry *x = &d->msix.e[e];
		vpci_report(vm, d,
			    "MSI-X entry %u unmask refused: address 0x%llx is not an interrupt address; "
			    "nothing written to the device",
			    e, (u64)x->addr_hi << DWORD_BITS | x->addr_lo);
		d->refused++;
		return;
	}
	if (act == VMSIX_PROGRAM || act == VMSIX_MASK || d->msix_irq[e].valid)
		sync_entry(vm, d, e);
	if (d->msix_irq[e].valid) /* data written while unmasked: the vector the handler injects now */
		__atomic_store_n(&d->msix_gvec[e], vmsix_vector(&d->msix, e), __ATOMIC_RELAXED);
}

/* The device's PBA, read only: a real entry is masked whenever the guest's is (or the function is
 * masked), so the device's pending bits are the guest's. */
static void pba_read(const struct vpci_bar *b, struct vpci_mmio *acc)
{
	u64 a = b->hpa + acc->off;
	if (paging_map_mmio(ALIGN_DOWN(a, PAGE_SIZE), PAGE_SIZE) != 0)
		acc->val = 0;
	else
		acc->val = acc->size == QWORD ? mmio_read64(a) : mmio_read32(a);
}

static void forward(struct vpci_dev *d, const struct vpci_bar *b, struct vpci_mmio *acc)
{
	u64 a = b->hpa + acc->off;
	if (paging_map_mmio(ALIGN_DOWN(a, PAGE_SIZE), PAGE_SIZE) != 0) {
		if (!acc->write)
			acc->val = READ_REFUSED;
		return;
	}
	d->msix_fwd++;
	if (acc->size == QWORD) {
		if (acc->write)
			mmio_write64(a, acc->val);
		else
			acc->val = mmio_read64(a);
	} else if (acc->write) {
		mmio_write32(a, (u32)acc->val);
	} else {
		acc->val = mmio_read32(a);
	}
}

bool vpci_msix_access(struct vm *vm, struct vpci_dev *d, struct vpci_mmio *acc)
{
	if (acc->bar >= VPCI_BARS || acc->off >= d->bar[acc->bar].size ||
	    !vpci_bar_msix_page(d, acc->bar, acc->off))
		return false;
	if (!d->msix.n) {
		vpci_report(vm, d, "access to BAR%u+0x%llx: an MSI-X page, and MSI-X is not offered",
			    acc->bar, acc->off);
		return false;
	}
	const struct vpci_bar *b = &d->bar[acc->bar];
	bool sized = acc->size == DWORD || acc->size == QWORD;
	bool aligned = sized && acc->off % acc->size == 0 && acc->off + acc->size <= b->size;
	bool touch = false;
	bool table = in_region(d, MSIX_TABLE_REGION, acc->bar, acc->off, acc->size, &touch);
	bool pba = !table && in_region(d, MSIX_PBA_REGION, acc->bar, acc->off, acc->size, &touch);
	if (!aligned || (touch && !table && !pba)) {
		vpci_report(vm, d,
			    "%u-byte %s at BAR%u+0x%llx on an MSI-X page refused (4 or 8 bytes, aligned, "
			    "inside the BAR, not across the table or PBA)",
			    acc->size, acc->write ? "write" : "read", acc->bar, acc->off);
		d->refused++;
		if (!acc->write)
			acc->val = READ_REFUSED;
		return true;
	}
	if (table) {
		u64 out = 0;
		for (u32 k = 0; k < acc->size / DWORD; k++) {
			u32 v = (u32)(acc->val >> (k * DWORD_BITS));
			table_dword(vm, d, acc->off + k * DWORD, acc->write, &v);
			out |= (u64)v << (k * DWORD_BITS);
		}
		if (!acc->write)
			acc->val = out;
		return true;
	}
	if (pba) {
		if (!acc->write)
			pba_read(b, acc); /* the device's pending bits; writes to the PBA are ignored */
		return true;
	}
	forward(d, b, acc);
	return true;
}

bool vpci_msix_exit(struct vm *vm, u64 gpa, const struct exit_info *x, enum exit_action *a)
{
	struct vpci_vm *v = vpci_of(vm);
	for (u32 k = 0; k < v->ndevs; k++) {
		struct vpci_dev *d = &v->devs[k];
		for (u32 i = 0; i < VPCI_BARS; i++) {
			const struct vpci_bar *b = &d->bar[i];
			if (!b->mapped || gpa < b->mapped_gpa || gpa - b->mapped_gpa >= b->size ||
			    !vpci_bar_msix_page(d, i, gpa - b->mapped_gpa))
				continue;
			struct mmio_insn in;
			if (!mmio_decode(vm, x->rip, &in) || in.write != !!(x->qual & EPTV_WRITE))
				return false;
			struct vpci_mmio acc = {i, gpa - b->mapped_gpa, in.size, in.write, 0};
			if (in.write)
				acc.val = in.has_imm ? in.imm : exit_get_gpr(vm, in.reg);
			if (in.size == DWORD)
				acc.val &= LOW32;
			if (!vpci_msix_access(vm, d, &acc))
				return false;
			if (!in.write)
				exit_set_gpr(vm, in.reg,
					     in.size == DWORD ? acc.val & LOW32
							      : acc.val); /* 32-bit load: zero-extended */
			struct exit_info done = *x;
			done.len = in.len;
			*a = exit_skip(&done);
			return true;
		}
	}
	return false;
}
