/* vmm/vpci_msi.c: the emulated MSI capability of an assigned device (see vpci.h). The guest's
 * address, data and mask live here and never reach the device. When the guest enables MSI with an
 * address in the 0xFEE window, Moat allocates an interrupt remapping entry for the device (source-id
 * validated) aimed at the MSI's own host vector on the VM's CPU, and programs the device with the
 * remappable message naming that entry. Without interrupt remapping, only in dma = unprotected-identity mode (the
 * device can reach all memory anyway, so it could forge any message): the device gets a
 * compatibility-format message of Moat's own (this CPU's APIC id, the host vector), never the guest's.
 * Otherwise the device's MSI stays off. The MSI holds a host vector of its own while it is
 * programmed (vpci_irq.c): its handler makes this device's guest vector pending in its VM
 * (virq_vm.c), which is injected on the VM's CPU before its next entry; the vector is freed once the
 * device's MSI is off and its IRTE gone. With the pool exhausted the MSI stays off (one warning
 * line). The guest keeps changing its MSI while it is on (Linux writes the real vector at
 * request_irq, a new one at each affinity change, zero at free_irq): each message is judged in the
 * guest's current state (vmsi.c): delivered with the vector its data names now, held in the
 * guest's pending bit while it masks the vector (sent when it unmasks), dropped when MSI is off or
 * its address is not an interrupt address. Moat offers one vector (Multiple Message Capable reads 0). */
#include "vpci.h"
#include "virq_vm.h"
#include "vmsi.h"
#include "../iommu/msi.h"
#include "../kernel/apic.h"
#include "../kernel/irq_vector.h"
#include "../kernel/pci.h"

#define MSI_CTRL 2
#define MSI_CTRL_ENABLE BIT(0)
#define MSI_CTRL_MME_MASK (7u << 4)
#define MSI_CTRL_64BIT BIT(7)
#define MSI_CTRL_PVM BIT(8)
#define MSI_ADDR_LO 4
#define MSI_ADDR_HI 8
#define MSI_LEN_32 12 /* ctrl..data (32-bit address) */
#define MSI_LEN_64 16
#define MSI_MASK_LEN 8 /* mask and pending bits */
#define MSI_PENDING_FROM_MASK 4u
#define BYTE_BITS 8

static u16 cap_len(const struct vpci_msi *m)
{
	return (u16)((m->is64 ? MSI_LEN_64 : MSI_LEN_32) + (m->maskable ? MSI_MASK_LEN : 0));
}

static u16 data_off(const struct vpci_msi *m) { return m->is64 ? 12 : 8; }
static u16 mask_off(const struct vpci_msi *m) { return (u16)(data_off(m) + 4); }

bool vpci_msi_owns(const struct vpci_dev *d, u16 off)
{
	const struct vpci_msi *m = &d->msi;
	return m->cap && off >= m->cap + MSI_CTRL && off < m->cap + cap_len(m);
}

static u8 read_reg_byte(const struct vpci_dev *d, u16 rel)
{
	const struct vpci_msi *m = &d->msi;
	u32 v = 0, base = rel & ~3u;
	if (base == 0) {
		u16 hw = pci_cfg_read16(&d->host, (u16)(m->cap + MSI_CTRL));
		u16 ctrl = (u16)((hw & (MSI_CTRL_64BIT | MSI_CTRL_PVM)) | (m->ctrl & MSI_CTRL_ENABLE));
		v = (u32)ctrl << 16; /* bytes 0-1 are the id and next pointer: read by vpci.c */
	} else if (base == MSI_ADDR_LO) {
		v = m->addr_lo;
	} else if (m->is64 && base == MSI_ADDR_HI) {
		v = m->addr_hi;
	} else if (base == data_off(m)) {
		v = m->data;
	} else if (m->maskable && base == mask_off(m)) {
		v = m->mask;
	} else if (m->maskable && base == mask_off(m) + MSI_PENDING_FROM_MASK) {
		v = __atomic_load_n(&m->pending, __ATOMIC_ACQUIRE); /* held while masked (vmsi.c) */
	}
	return (u8)(v >> ((rel & 3u) * BYTE_BITS));
}

u32 vpci_msi_read(const struct vpci_dev *d, u16 off, u32 size)
{
	u32 v = 0;
	for (u32 i = 0; i < size; i++)
		v |= (u32)read_reg_byte(d, (u16)(off + i - d->msi.cap)) << (i * BYTE_BITS);
	return v;
}

/* A message of d's MSI in the guest's current state: injected, held pending, or dropped. */
void vpci_msi_fired(u32 slot, struct vpci_dev *d)
{
	struct vpci_msi *m = &d->msi;
	switch (vmsi_fire(m->ctrl & MSI_CTRL_ENABLE, m->maskable, m->mask, m->addr_lo, m->addr_hi)) {
	case VMSI_DELIVER:
		virq_vm_raise(slot, m->guest_vector);
		break;
	case VMSI_PENDING:
		__atomic_fetch_or(&m->pending, VMSI_MASK_VECTOR0, __ATOMIC_ACQ_REL);
		/* the guest may have unmasked meanwhile, its CPU finding nothing pending yet */
		if (!(__atomic_load_n(&m->mask, __ATOMIC_ACQUIRE) & VMSI_MASK_VECTOR0) &&
		    (__atomic_exchange_n(&m->pending, 0, __ATOMIC_ACQ_REL) & VMSI_MASK_VECTOR0))
			virq_vm_raise(slot, m->guest_vector);
		break;
	case VMSI_DROP:
		break;
	}
}

/* Moat's own compatibility-format message (never the guest's address or data), MSI on, INTx off. */
static void program_compat(const struct vpci_dev *d, u8 hv)
{
	const struct vpci_msi *m = &d->msi;
	struct msi_msg msg = msi_compat(apic_id(), hv);
	u16 c = (u16)(m->cap + MSI_CTRL);
	u16 ctrl = pci_cfg_read16(&d->host, c);
	pci_cfg_write16(&d->host, c, ctrl & (u16) ~(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK));
	pci_cfg_write32(&d->host, (u16)(m->cap + MSI_ADDR_LO), msg.addr_lo);
	if (m->is64)
		pci_cfg_write32(&d->host, (u16)(m->cap + MSI_ADDR_HI), msg.addr_hi);
	pci_cfg_write16(&d->host, (u16)(m->cap + data_off(m)), (u16)msg.data);
	u16 cmd = pci_cfg_read16(&d->host, PCI_COMMAND);
	pci_cfg_write16(&d->host, PCI_COMMAND, cmd | PCI_COMMAND_INTX_DISABLE);
	pci_cfg_write16(&d->host, c, (u16)((ctrl & ~MSI_CTRL_MME_MASK) | MSI_CTRL_ENABLE));
}

static void enable(struct vm *vm, struct vpci_dev *d)
{
	struct vpci_msi *m = &d->msi;
	if ((m->addr_lo & MSI_ADDR_WINDOW_MASK) != MSI_ADDR_BASE || m->addr_hi) {
		vpci_report(vm, d, "MSI enable refused: address 0x%llx is not an interrupt address; nothing written to the device",
			    (u64)m->addr_hi << 32 | m->addr_lo);
		d->refused++;
		return;
	}
	m->guest_vector = vmsi_vector(m->data);
	__atomic_store_n(&m->pending, 0, __ATOMIC_RELEASE);
	if (!irq_remap_on() && !vpci_of(vm)->identity) {
		vpci_report(vm, d, "MSI for guest vector %u: no interrupt remapping here: the device's MSI stays off (poll)",
			    m->guest_vector);
		return;
	}
	int hv = vpci_irq_bind(vm, d, &m->bind, VIRQ_BIND_MSI);
	if (hv < 0) {
		vpci_report(vm, d,
			    "MSI for guest vector %u: no free host vector (all %u of 0x%x-0x%x in use); the device's MSI stays off",
			    m->guest_vector, IRQ_VECTOR_COUNT, IRQ_VECTOR_FIRST, IRQ_VECTOR_LAST);
		return;
	}
	if (!irq_remap_on()) {
		program_compat(d, (u8)hv);
		m->programmed = true;
		vpci_note(vm, d, "MSI: guest vector %u through host vector 0x%x (no interrupt remapping; unprotected identity)",
			    m->guest_vector, hv);
		return;
	}
	bool have_irte = irq_remap_alloc(&d->host, (u8)hv, apic_id(), &m->irq) == 0;
	if (!have_irte || irq_remap_program_msi(&m->irq) != 0) {
		if (have_irte)
			irq_remap_free(&m->irq);
		m->irq.valid = false;
		vpci_irq_unbind(&m->bind);
		vpci_report(vm, d, "MSI: no interrupt remapping entry could be set up; the device's MSI stays off");
		return;
	}
	m->programmed = true;
	vpci_note(vm, d, "MSI: guest vector %u through IRTE %u (host vector 0x%x, source-id checked)",
		    m->guest_vector, m->irq.index, hv);
}

void vpci_msi_release(struct vpci_dev *d)
{
	struct vpci_msi *m = &d->msi;
	if (!m->programmed)
		return;
	irq_remap_msi_disable(&d->host);
	if (m->irq.valid)
		irq_remap_free(&m->irq);
	vpci_irq_unbind(&m->bind); /* the device's MSI is off and its IRTE gone: no new interrupt names it */
	m->programmed = false;
}

static void write_byte(struct vpci_dev *d, u16 rel, u8 b)
{
	struct vpci_msi *m = &d->msi;
	u32 shift = (rel & 3u) * BYTE_BITS, base = rel & ~3u;
	u32 keep = ~(0xffu << shift), put = (u32)b << shift;
	if (base == 0)
		m->ctrl = (u16)((((u32)m->ctrl << 16 & keep) | put) >> 16);
	else if (base == MSI_ADDR_LO)
		m->addr_lo = ((m->addr_lo & keep) | put) & ~3u;
	else if (m->is64 && base == MSI_ADDR_HI)
		m->addr_hi = (m->addr_hi & keep) | put;
	else if (base == data_off(m))
		m->data = (u16)((m->data & keep) | put);
	else if (m->maskable && base == mask_off(m))
		m->mask = (m->mask & keep) | put;
}

void vpci_msi_write(struct vm *vm, struct vpci_dev *d, u16 off, u32 size, u32 val)
{
	struct vpci_msi *m = &d->msi;
	bool was = m->ctrl & MSI_CTRL_ENABLE;
	for (u32 i = 0; i < size; i++)
		write_byte(d, (u16)(off + i - m->cap), (u8)(val >> (i * BYTE_BITS)));
	m->ctrl &= (u16)(MSI_CTRL_ENABLE | MSI_CTRL_MME_MASK);
	m->ctrl &= (u16)~MSI_CTRL_MME_MASK; /* one vector */
	bool now = m->ctrl & MSI_CTRL_ENABLE;
	if (now && !was) {
		enable(vm, d);
	} else if (!now && was) {
		vpci_msi_release(d);
	} else if (now && m->programmed) {
		m->guest_vector = vmsi_vector(m->data); /* a new vector while enabled (a byte store) */
		if (m->maskable && !(m->mask & VMSI_MASK_VECTOR0) &&
		    (__atomic_exchange_n(&m->pending, 0, __ATOMIC_ACQ_REL) & VMSI_MASK_VECTOR0) &&
		    vmsi_fire(true, true, m->mask, m->addr_lo, m->addr_hi) == VMSI_DELIVER)
			virq_vm_raise(vm->id, m->guest_vector); /* unmasked: the held message goes */
	}
}
