/* vmm/vpci.c: a VM's virtual PCI bus through CF8/CFC (see vpci.h). Header registers: IDs, status,
 * class, subsystem and capabilities read through; BARs are virtual (vpci_bar.c); the command
 * register is filtered (memory decode and bus mastering only, mastering only once DMA is confined;
 * I/O decode and INTx never); the expansion ROM is hidden; the interrupt pin reads 0 (INTx is not
 * offered); the MSI and MSI-X capabilities are emulated (vpci_msi.c, vpci_msix.c; an MSI-X table
 * Moat cannot emulate is left out of the capability list). Every other write is dropped. 00:00.0 is
 * the emulated host bridge (vpci_host.c): reads come from its constant header, writes are dropped
 * silently (a guest's bus scan and BAR sizing write there; that is no attack), the host is never
 * touched; other functions of device 0 read as absent. */
#include <stdarg.h>
#include "vpci.h"
#include "vpci_host.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"

#define CF8_ENABLE BIT(31)
#define CF8_BUS_SHIFT 16
#define CF8_DEV_SHIFT 11
#define CF8_FN_SHIFT 8
#define CF8_REG_MASK 0xfc
#define DWORD_MASK 3u
#define BYTE_BITS 8
#define CAP_WALK_MAX 48
#define CMD_GUEST_BITS (PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER | PCI_COMMAND_INTX_DISABLE)

struct vpci_vm vpci_vms[VM_MAX];

static void say(bool warn, const struct vm *vm, const struct vpci_dev *d, const char *fmt, va_list ap)
{
	char msg[160], bdf[PCI_ADDR_STR_MAX];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (warn)
		pr_warn("vpci", "vm '%s': %s: %s", vm->name, pci_addr_format(&d->host, bdf, sizeof(bdf)), msg);
	else
		pr_info("vpci", "vm '%s': %s: %s", vm->name, pci_addr_format(&d->host, bdf, sizeof(bdf)), msg);
}

void vpci_report(const struct vm *vm, const struct vpci_dev *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(true, vm, d, fmt, ap);
	va_end(ap);
}

void vpci_note(const struct vm *vm, const struct vpci_dev *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	say(false, vm, d, fmt, ap);
	va_end(ap);
}

static bool is_host_bridge(u8 bus, u8 dev, u8 fn)
{
	return bus == 0 && dev == VPCI_HOST_DEV && fn == VPCI_HOST_FN;
}

static struct vpci_dev *find(struct vm *vm, u8 bus, u8 dev, u8 fn)
{
	struct vpci_vm *v = vpci_of(vm);
	if (bus != 0 || dev == VPCI_HOST_DEV) /* device 0 is the host bridge's alone */
		return NULL;
	for (u32 i = 0; i < v->ndevs; i++)
		if (v->devs[i].vdev == dev && v->devs[i].vfn == fn)
			return &v->devs[i];
	return NULL;
}

/* The capability after `cap` that the guest sees (an MSI-X capability not offered skipped), or 0. */
static u8 next_visible(const struct vpci_dev *d, u8 ptr)
{
	for (u32 i = 0; i < CAP_WALK_MAX && ptr >= PCI_CAP_PTR_MIN; i++) {
		if (ptr != d->msix_cap || d->msix.n)
			return ptr;
		ptr = pci_cfg_read8(&d->host, (u16)(ptr + PCI_CAP_NEXT)) & PCI_CAP_PTR_MASK;
	}
	return 0;
}

/* Is off the next-pointer byte of a capability the guest can see? */
static bool is_next_ptr(const struct vpci_dev *d, u16 off)
{
	u8 ptr = next_visible(d, pci_cfg_read8(&d->host, PCI_CAPABILITY_LIST) & PCI_CAP_PTR_MASK);
	for (u32 i = 0; i < CAP_WALK_MAX && ptr; i++) {
		if (off == ptr + PCI_CAP_NEXT)
			return true;
		ptr = next_visible(d, pci_cfg_read8(&d->host, (u16)(ptr + PCI_CAP_NEXT)) & PCI_CAP_PTR_MASK);
	}
	return false;
}

static u8 read_byte(struct vm *vm, const struct vpci_dev *d, u16 off)
{
	u32 shift = (off & DWORD_MASK) * BYTE_BITS;
	if (off >= VPCI_BAR0 && off < VPCI_BAR_END)
		return (u8)(vpci_bar_read(d, (off - VPCI_BAR0) / 4) >> shift);
	switch (off) {
	case PCI_COMMAND:
		return (u8)d->cmd;
	case PCI_COMMAND + 1:
		return (u8)(d->cmd >> BYTE_BITS);
	case PCI_HEADER_TYPE:
		return pci_cfg_read8(&d->host, off) & PCI_HEADER_TYPE_LAYOUT;
	case PCI_CAPABILITY_LIST:
		return next_visible(d, pci_cfg_read8(&d->host, off) & PCI_CAP_PTR_MASK);
	case VPCI_INT_LINE:
		return d->int_line;
	case VPCI_INT_PIN:
		return 0;
	default:
		break;
	}
	if (off >= VPCI_ROM && off < VPCI_ROM + 4)
		return 0;
	if (off >= PCI_CFG_SIZE)
		return 0;
	if (vpci_msi_owns(d, off))
		return (u8)vpci_msi_read(d, off, 1);
	if (vpci_msix_owns(d, off))
		return (u8)vpci_msix_read(d, off, 1);
	if (off >= VPCI_CFG_HDR_END && is_next_ptr(d, off))
		return next_visible(d, pci_cfg_read8(&d->host, off) & PCI_CAP_PTR_MASK);
	(void)vm;
	return pci_cfg_read8(&d->host, off);
}

u32 vpci_cfg_read(struct vm *vm, u8 bus, u8 dev, u8 fn, u16 off, u32 size)
{
	struct vpci_dev *d = find(vm, bus, dev, fn);
	vpci_of(vm)->cfg_exits++;
	if (is_host_bridge(bus, dev, fn))
		return vpci_host_read(off, size);
	if (!d)
		return size == 4 ? 0xffffffffu : (1u << (size * BYTE_BITS)) - 1;
	u32 v = 0;
	for (u32 i = 0; i < size; i++)
		v |= (u32)read_byte(vm, d, (u16)(off + i)) << (i * BYTE_BITS);
	return v;
}

static void write_command(struct vm *vm, struct vpci_dev *d, u16 val)
{
	struct vpci_vm *v = vpci_of(vm);
	u16 want = val & CMD_GUEST_BITS;
	if (val & PCI_COMMAND_IO)
		vpci_report(vm, d, "I/O decoding refused: its I/O BARs are not offered");
	if ((want & PCI_COMMAND_MASTER) && !v->dma_ready) {
		vpci_report(vm, d, "bus mastering refused: its DMA domain is not in place yet");
		want &= (u16)~PCI_COMMAND_MASTER;
	}
	d->cmd = want;
	u16 real = pci_cfg_read16(&d->host, PCI_COMMAND);
	real = (u16)((real & ~(PCI_COMMAND_IO | PCI_COMMAND_MASTER)) | PCI_COMMAND_MEMORY | PCI_COMMAND_INTX_DISABLE);
	if (want & PCI_COMMAND_MASTER)
		real |= PCI_COMMAND_MASTER;
	pci_cfg_write16(&d->host, PCI_COMMAND, real);
	vpci_bar_update(vm, d);
}

void vpci_cfg_write(struct vm *vm, u8 bus, u8 dev, u8 fn, u16 off, u32 size, u32 val)
{
	struct vpci_dev *d = find(vm, bus, dev, fn);
	vpci_of(vm)->cfg_exits++;
	if (!d) /* no function there, or the host bridge (read-only): dropped */
		return;
	if (off == PCI_COMMAND && size >= 2) {
		write_command(vm, d, (u16)val);
		return;
	}
	if (off >= VPCI_BAR0 && off < VPCI_BAR_END) {
		if (size == 4)
			vpci_bar_write(vm, d, (off - VPCI_BAR0) / 4, val);
		return;
	}
	if (off == VPCI_INT_LINE) {
		d->int_line = (u8)val;
		return;
	}
	if (vpci_msi_owns(d, off)) {
		vpci_msi_write(vm, d, off, size, val);
		return;
	}
	if (vpci_msix_owns(d, off)) {
		vpci_msix_write(vm, d, off, size, val);
		return;
	}
	if (d->msix_cap && !d->msix.n && off >= d->msix_cap && off < d->msix_cap + 4)
		vpci_report(vm, d, "MSI-X is not offered: write to its capability dropped");
	/* anything else (status, cache line, other capabilities) is dropped */
}

bool vpci_io(struct vm *vm, u32 port, u32 size, bool in, u32 *val)
{
	struct vpci_vm *v = vpci_of(vm);
	if (!v->ndevs)
		return false;
	if (port == VPCI_CF8_PORT && size == 4) {
		if (in)
			*val = v->cf8;
		else
			v->cf8 = *val & (CF8_ENABLE | (0xffffffu & ~DWORD_MASK));
		return true;
	}
	if (port < VPCI_CFC_PORT || port + size > VPCI_CFC_PORT + VPCI_CFC_PORTS)
		return false;
	u16 off = (u16)((v->cf8 & CF8_REG_MASK) + (port - VPCI_CFC_PORT));
	u8 bus = (u8)(v->cf8 >> CF8_BUS_SHIFT), dev = (v->cf8 >> CF8_DEV_SHIFT) & 0x1f, fn = (v->cf8 >> CF8_FN_SHIFT) & 7;
	if (!(v->cf8 & CF8_ENABLE) || (off & (size - 1))) {
		if (in)
			*val = size == 4 ? 0xffffffffu : (1u << (size * BYTE_BITS)) - 1;
		return true;
	}
	if (in)
		*val = vpci_cfg_read(vm, bus, dev, fn, off, size);
	else
		vpci_cfg_write(vm, bus, dev, fn, off, size, *val);
	return true;
}
