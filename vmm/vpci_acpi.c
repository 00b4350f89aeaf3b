/* vmm/vpci_acpi.c: the memory windows a Linux VM's PCI host bridge announces (see vpci.h, and
 * vacpi_pci.c for the AML). Linux keeps a BAR where it finds it when it lies inside a window of its
 * root bus, and places a BAR anywhere in a window otherwise; so the windows are exactly the space
 * vpci_bar_conflict accepts: not the VM's RAM, not its identity alias, not an RMRR range its
 * devices' DMA domain identity-maps (rmrr = accept), not the APIC/MSI window, below the
 * guest-physical limit; rounded inwards to WINDOW_ALIGN (gpa_range.c cuts the holes). */
#include "assign.h"
#include "gpa_range.h"
#include "vpci.h"
#include "vacpi.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define WINDOW_ALIGN MiB(1)
#define FOUR_GIB VPCI_RESERVED_END
#define HOLES_MAX (1 + DOMAIN_RMRR_MAX) /* the identity alias, then the RMRR ranges */

static bool bar_placed(const struct vpci_bar *b)
{
	return (b->kind == VPCI_BAR_MEM32 || b->kind == VPCI_BAR_MEM64) && b->gpa;
}

/* Does some placed BAR of vm lie at or above `at`? */
static bool bar_above(const struct vpci_vm *v, u64 at)
{
	for (u32 k = 0; k < v->ndevs; k++)
		for (u32 j = 0; j < VPCI_BARS; j++)
			if (bar_placed(&v->devs[k].bar[j]) && v->devs[k].bar[j].gpa >= at)
				return true;
	return false;
}

/* Adds r minus the holes, rounded inwards; a piece beyond VACPI_PCI_WINDOWS is left out (said so):
 * the guest then has less room for BARs, never more. */
static void add(const struct vm *vm, struct vacpi_pci *out, struct gpa_range r, const struct gpa_range *holes,
		u32 nholes)
{
	struct gpa_range got[VACPI_PCI_WINDOWS];
	u32 n = 0;
	u32 lost = gpa_range_subtract(r, holes, nholes, WINDOW_ALIGN, got, &n, VACPI_PCI_WINDOWS - out->nwin);
	for (u32 i = 0; i < n; i++)
		out->win[out->nwin++] = (struct vacpi_pci_window){got[i].base, got[i].end - got[i].base};
	if (lost) {
		char sub[CFG_NAME_MAX + 8];
		snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
		pr_warn(sub, "ACPI: %u free guest-physical ranges not announced as PCI windows (at most %u windows)",
			lost, VACPI_PCI_WINDOWS);
	}
}

void vpci_acpi_windows(const struct vm *vm, struct vacpi_pci *out)
{
	const struct vpci_vm *v = vpci_of(vm);
	memset(out, 0, sizeof(*out));
	struct gpa_range holes[HOLES_MAX];
	u32 nholes = 0;
	if (v->identity)
		holes[nholes++] = (struct gpa_range){vm->ram_hpa, vm->ram_hpa + vm->ram_size};
	u64 rb[DOMAIN_RMRR_MAX], rl[DOMAIN_RMRR_MAX];
	u32 nr = assign_rmrr_ranges(vm, rb, rl, DOMAIN_RMRR_MAX);
	for (u32 i = 0; i < nr; i++)
		holes[nholes++] = (struct gpa_range){rb[i], rl[i] + 1};
	u64 low = vm->ram_size;
	if (low < VPCI_RESERVED_BASE)
		add(vm, out, (struct gpa_range){low, VPCI_RESERVED_BASE}, holes, nholes);
	if (bar_above(v, FOUR_GIB))
		add(vm, out, (struct gpa_range){low > FOUR_GIB ? low : FOUR_GIB, VPCI_GUEST_PHYS_LIMIT}, holes, nholes);
	for (u32 k = 0; k < v->ndevs; k++)
		for (u32 j = 0; j < VPCI_BARS; j++) {
			const struct vpci_bar *b = &v->devs[k].bar[j];
			if (!bar_placed(b))
				continue;
			bool inside = false;
			for (u32 w = 0; w < out->nwin; w++)
				inside |= b->gpa >= out->win[w].base && b->gpa + b->size <= out->win[w].base + out->win[w].size;
			if (!inside)
				vpci_report(vm, &v->devs[k], "BAR%u at 0x%llx lies outside the host bridge's windows: the guest may move it",
					    j, b->gpa);
		}
}
