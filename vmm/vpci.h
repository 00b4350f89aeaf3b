/* vmm/vpci.h: the virtual PCI bus of a VM with assigned devices (issue 8). The guest reaches it
 * through the CF8/CFC ports (a guest without ACPI has no MCFG, so no ECAM window is offered); it
 * holds the VM's own devices and an emulated host bridge at 00:00.0 (vpci_host.c). IDs, class and
 * capabilities read through to the device; BARs, the command register, the interrupt line/pin, MSI
 * and MSI-X are virtual (vpci.c, vpci_bar.c, vpci_msi.c, vpci_msix.c).
 * State lives here, per VM slot, so that struct vm needs no new fields. */
#ifndef MOAT_VPCI_H
#define MOAT_VPCI_H

#include "vm.h"
#include "vm_exit.h"
#include "virq_bind.h"
#include "vmsix.h"
#include "../iommu/domain.h"
#include "../iommu/irq_remap.h"

#define VPCI_BARS 6
#define VPCI_CF8_PORT 0xcf8
#define VPCI_CFC_PORT 0xcfc
#define VPCI_CFC_PORTS 4

/* PCI header fields vpci virtualizes (kernel/pci.h has the common ones). */
#define VPCI_BAR0 0x10
#define VPCI_BAR_END 0x28
#define VPCI_ROM 0x30
#define VPCI_INT_LINE 0x3c
#define VPCI_INT_PIN 0x3d
#define VPCI_CFG_HDR_END 0x40
#define VPCI_RESET_HOW_MAX 128 /* "secondary bus reset by bridge 0000:00:05.0 (...)" */

/* Guest-physical space no BAR may occupy: I/O APIC, HPET, TPM, VT-d, local APIC and MSI, up to 4 GiB;
 * and the limit of what a BAR may use. */
#define VPCI_RESERVED_BASE 0xfec00000ULL
#define VPCI_RESERVED_END 0x100000000ULL
#define VPCI_GUEST_PHYS_LIMIT BIT(39)

enum vpci_bar_kind { VPCI_BAR_NONE = 0, VPCI_BAR_MEM32, VPCI_BAR_MEM64, VPCI_BAR_MEM64_HI, VPCI_BAR_IO };

struct vpci_bar {
	enum vpci_bar_kind kind;
	u32 flags;	/* the low 4 bits the device reports (type, prefetchable) */
	u64 hpa, size;	/* the real BAR: Moat keeps it where the firmware put it */
	u64 gpa;	/* where the guest placed it (its BAR value, address bits) */
	bool sizing;	/* the guest wrote all-ones: reads give the size mask */
	bool mapped;	/* the EPT maps gpa -> hpa */
	u64 mapped_gpa;
};

struct vpci_msi {
	u8 cap;		   /* offset of the device's MSI capability, 0 if none */
	bool is64, maskable;
	u16 ctrl;	   /* the guest's view of Message Control */
	u32 addr_lo, addr_hi, mask;
	u16 data;
	u32 pending;	   /* the guest's pending bit: a message came while it masked the vector */
	bool programmed;   /* Moat programmed the device (IRTE or host vector) */
	struct irq_remap_vec irq;
	struct virq_bind bind; /* its own host vector while programmed (vpci_irq.c) */
	u8 guest_vector;   /* what Moat injects for this device */
};

struct vpci_dev {
	struct pci_addr host;
	u8 vdev, vfn;	   /* its address on the VM's bus 0 */
	u16 cmd;	   /* the guest's view of the command register */
	u8 int_line;
	u8 msix_cap;	   /* the device's MSI-X capability (shown when msix.n != 0, else hidden) */
	/* MSI-X table and PBA: BAR index (VPCI_BARS if none), offset, length; their pages are never
	 * mapped for the guest, even when they share a page with other registers (an access exits). */
	u8 msix_bir[2];
	u64 msix_off[2], msix_len[2];
	struct vpci_bar bar[VPCI_BARS];
	struct vpci_msi msi;
	struct vmsix msix; /* the guest's MSI-X table and control (n = 0: MSI-X not offered) */
	struct irq_remap_vec msix_irq[VMSIX_MAX_ENTRIES]; /* per real entry Moat programmed */
	struct virq_bind msix_bind[VMSIX_MAX_ENTRIES];   /* ... and its own host vector */
	u8 msix_gvec[VMSIX_MAX_ENTRIES];
	u64 msix_fwd;	   /* accesses forwarded to other registers on the MSI-X pages */
	char reset_how[VPCI_RESET_HOW_MAX]; /* what the reset at assignment did */
	u64 refused;	   /* guest writes refused (each reported once per kind) */
};

struct vpci_vm {
	u32 ndevs;
	struct vpci_dev devs[CFG_MAX_DEVICES];
	u32 cf8;	   /* the address latch */
	bool identity;	   /* dma = unprotected-identity: RAM aliased at GPA = HPA */
	bool dma_ready;	   /* the domain (or the identity alias) is in place: bus mastering may go on */
	struct iommu_domain *dom;
	u64 cfg_exits;	   /* configuration accesses emulated */
};

extern struct vpci_vm vpci_vms[VM_MAX];

static inline struct vpci_vm *vpci_of(const struct vm *vm) { return &vpci_vms[vm->id]; }

/* Port I/O on CF8/CFC for a VM that has devices: true when handled (*val read or written). */
bool vpci_io(struct vm *vm, u32 port, u32 size, bool in, u32 *val);
/* One configuration access to the VM's virtual bus (off aligned to size). */
u32 vpci_cfg_read(struct vm *vm, u8 bus, u8 dev, u8 fn, u16 off, u32 size);
void vpci_cfg_write(struct vm *vm, u8 bus, u8 dev, u8 fn, u16 off, u32 size, u32 val);

/* BARs (vpci_bar.c): reads the real BARs (sizing them with decoding off); 0 or -1 with why. */
int vpci_bar_probe(struct vpci_dev *d, char *why, size_t n);
u32 vpci_bar_read(const struct vpci_dev *d, u32 i);
void vpci_bar_write(struct vm *vm, struct vpci_dev *d, u32 i, u32 val);
/* Maps or unmaps every BAR per the guest's memory-decode bit and placements. */
void vpci_bar_update(struct vm *vm, struct vpci_dev *d);
void vpci_bar_unmap_all(struct vm *vm, struct vpci_dev *d);
/* Is [gpa, gpa+size) free for a BAR of d (not RAM, not another BAR, not the APIC/IOAPIC window)?
 * NULL when it is, else what it overlaps. */
const char *vpci_bar_conflict(const struct vm *vm, const struct vpci_dev *d, u32 i, u64 gpa, u64 size);

/* The memory windows of the VM's PCI host bridge in its ACPI tables (vpci_acpi.c): the free
 * guest-physical space below 4 GiB (above its RAM, around its identity alias, below the APIC/MSI
 * window) and, when a BAR lies above 4 GiB, the free space there too; every placed BAR falls in
 * one (each that does not is reported). */
struct vacpi_pci;
void vpci_acpi_windows(const struct vm *vm, struct vacpi_pci *out);

/* For the SMM invariant checker: is [gpa, gpa+size) -> hpa an EPT leaf Moat made for one of vm's
 * assigned BARs (device MMIO, not RAM: the ownership table does not cover it)? */
bool vpci_mmio_allowed(const struct vm *vm, u64 gpa, u64 hpa, u64 size);

/* MSI (vpci_msi.c): is off inside the device's MSI capability? */
bool vpci_msi_owns(const struct vpci_dev *d, u16 off);
u32 vpci_msi_read(const struct vpci_dev *d, u16 off, u32 size);
void vpci_msi_write(struct vm *vm, struct vpci_dev *d, u16 off, u32 size, u32 val);
void vpci_msi_release(struct vpci_dev *d);
/* The handler of d's MSI host vector (any CPU): the message judged in the guest's current MSI state. */
void vpci_msi_fired(u32 slot, struct vpci_dev *d);

/* Host vectors (vpci_irq.c): each live MSI / MSI-X entry of an assigned device gets one of its own
 * (kernel/irq_vector.h), whose handler delivers exactly that entry's current guest vector to the VM of
 * slot vm->id. vpci_irq_bind: the vector (the VM's pending-vector state now in use), or -1 when the
 * pool is exhausted (nothing bound). vpci_irq_unbind: after the IRTE / device entry is torn down, so
 * that no new interrupt names the vector; one in flight finds the binding gone and reaches no VM. */
int vpci_irq_bind(struct vm *vm, struct vpci_dev *d, struct virq_bind *b, u16 source);
void vpci_irq_unbind(struct virq_bind *b);
/* Device interrupts Moat took for VM slot `slot` (counted, not yet injected). */
u64 vpci_msi_host_irqs(u32 slot);

/* Is page `off` of BAR i an MSI-X table or PBA page (never mapped for the guest)? */
bool vpci_bar_msix_page(const struct vpci_dev *d, u32 i, u64 off);

/* MSI-X (vpci_msix.c). Setup after the BARs and capabilities are known: offered when the table has at
 * most VMSIX_MAX_ENTRIES entries and lives in memory BARs. */
void vpci_msix_setup(struct vpci_dev *d);
bool vpci_msix_owns(const struct vpci_dev *d, u16 off); /* Message Control */
u32 vpci_msix_read(const struct vpci_dev *d, u16 off, u32 size);
void vpci_msix_write(struct vm *vm, struct vpci_dev *d, u16 off, u32 size, u32 val);
/* One decoded guest access to an MSI-X page: BAR index, offset in the BAR, size, direction, value
 * (written, or read back). */
struct vpci_mmio {
	u32 bar;
	u64 off;
	u32 size;
	bool write;
	u64 val;
};
/* Emulates it: table and PBA against the shadow, other registers forwarded (within the BAR, aligned,
 * 4 or 8 bytes) or refused. false: not an MSI-X page of d (the caller stops the VM). */
bool vpci_msix_access(struct vm *vm, struct vpci_dev *d, struct vpci_mmio *acc);
/* The EPT-violation path: true (and *a) when gpa is on an MSI-X page of one of vm's placed BARs and the
 * instruction was emulated. */
bool vpci_msix_exit(struct vm *vm, u64 gpa, const struct exit_info *x, enum exit_action *a);
/* Masks every real entry Moat programmed and frees its IRTE; MSI-X off on the device. */
void vpci_msix_release(struct vpci_dev *d);
/* The handler of entry e's host vector (any CPU): raises e's current guest vector while it is live. */
void vpci_msix_fired(u32 slot, const struct vpci_dev *d, u32 e);

/* One report line per refused guest action: "moat: vpci: vm 'x': 0000:00:02.0: <what>". */
void vpci_report(const struct vm *vm, const struct vpci_dev *d, const char *fmt, ...) __printf(3, 4);
/* The same, as information (moat: vpci: ...): what the guest set up went through (an MSI or MSI-X
 * vector programmed), nothing refused. */
void vpci_note(const struct vm *vm, const struct vpci_dev *d, const char *fmt, ...) __printf(3, 4);

#endif
