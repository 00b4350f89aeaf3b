/* iommu/irq_remap.h: interrupt remapping, the interface vmm/ uses to give devices a safe interrupt
 * path. Every MSI/MSI-X a device sends names an entry (IRTE) of its unit's interrupt remapping
 * table; the entry says which vector reaches which CPU and which requester id may use it.
 * Compatibility-format interrupts (vector in the message) are blocked. */
#ifndef MOAT_IOMMU_IRQ_REMAP_H
#define MOAT_IOMMU_IRQ_REMAP_H

#include "../kernel/pci_addr.h"
#include "../kernel/types.h"

#define IRQ_REMAP_VECTORS_PER_FUNCTION 32 /* table sizing: MSI-X vectors budgeted per PCI function */

/* One allocated entry. */
struct irq_remap_vec {
	bool valid;
	u16 unit; /* position of the unit in iommu/'s run-time list */
	u16 index; /* the IRTE index (the "handle" in the remappable MSI address) */
	u16 sid;   /* the requester id the entry validates */
	u8 vector;
	u32 dest; /* APIC id */
	struct pci_addr dev;
};

/* Boot (from iommu_enable): one table per unit, sized for the machine; SIRTP, a global interrupt
 * entry cache invalidation, CFI cleared, IRE set, GSTS checked; every I/O APIC pin masked. Needs
 * queued invalidation. Logs "interrupt remapping on (xapic|x2apic), compatibility format blocked".
 * 0, or -1 (error line) when a unit could not turn it on. */
int irq_remap_enable(void);
bool irq_remap_on(void);
bool irq_remap_x2apic(void);
/* Entries in the table of the unit that covers dev (0 if none). */
u32 irq_remap_entries(const struct pci_addr *dev);
/* Entries in use in that table (0 if none): what a leak check compares before and after. */
u32 irq_remap_in_use(const struct pci_addr *dev);

/* Allocates an entry on dev's unit: `vector` to APIC id `dest`, fixed, edge, physical, source-id
 * validated (SVT = 1, SQ = 0) against the requester id the IOMMU sees for dev (its own, or the
 * bridge alias that replaces it). The interrupt entry cache is invalidated before it returns.
 * 0, or -1 (error line). */
int irq_remap_alloc(const struct pci_addr *dev, u8 vector, u32 dest, struct irq_remap_vec *out);
/* Clears the entry and invalidates its interrupt entry cache line (completed on return). The
 * device's MSI registers are not touched: a message it still sends through the entry is blocked. */
int irq_remap_free(struct irq_remap_vec *v);

/* Programs v->dev's MSI capability with the remappable message naming v (one vector), enables MSI
 * and disables INTx. 0, or -1 when the function has no MSI capability. */
int irq_remap_program_msi(const struct irq_remap_vec *v);
/* Programs MSI-X table entry `entry` of v->dev with the remappable message, unmasks that entry and
 * enables MSI-X (function mask off), INTx off. 0, or -1 (no MSI-X, entry out of range, BAR unset). */
int irq_remap_program_msix(const struct irq_remap_vec *v, u32 entry);
/* Turns MSI (and MSI-X) off on dev. */
void irq_remap_msi_disable(const struct pci_addr *dev);

/* Routes pin `pin` of the I/O APIC at position `ioapic` (MADT order) through a new entry (source
 * id from the DMAR's I/O APIC scope) and writes the pin's redirection entry in remapped format,
 * unmasked. Moat uses no I/O APIC interrupt yet: nothing calls this at run time. 0 or -1. */
int irq_remap_ioapic_route(u32 ioapic, u32 pin, u8 vector, u32 dest, bool level, bool active_low,
			   struct irq_remap_vec *out);

#endif
