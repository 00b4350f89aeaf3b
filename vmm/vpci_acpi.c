/* vmm/vpci_acpi.c: the memory windows a Linux VM's PCI host bridge announces (see vpci.h, and
 * vacpi_pci.c for the AML). Linux keeps a BAR where it finds it when it lies inside a window of its
 * root bus, and places a BAR anywhere in a window otherwise; so the windows are exactly the space
 * vpci_bar_conflict accepts: not the VM's RAM, not its identity alias, not the APIC/MSI window,
 * below the guest-physical limit; rounded inwards to WINDOW_ALIGN. */
#include "vpci.h"
#include "vacpi.h"
#include "../kernel/string.h"

#define WINDOW_ALIGN MiB(1)
#define FOUR_GIB VPCI_RESERVED_END

struct range {
	u64 base, end; /* [base, end) */
};

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

/* Adds [base, end) minus `hole` (empty when hole.end <= hole.base), rounded inwards. */
static void add(struct vacpi_pci *out, struct range r, struct range hole)
{
	struct range parts[2] = {r, {0, 0}};
	if (hole.end > hole.base && hole.base < r.end && hole.end > r.base) {
		parts[0].end = hole.base;
		parts[1] = (struct range){hole.end, r.end};
	}
	for (u32 i = 0; i < 2; i++) {
		u64 b = ALIGN_UP(parts[i].base, WINDOW_ALIGN), e = ALIGN_DOWN(parts[i].end, WINDOW_ALIGN);
		if (e > b && out->nwin < VACPI_PCI_WINDOWS)
			out->win[out->nwin++] = (struct vacpi_pci_window){b, e - b};
	}
}

void vpci_acpi_windows(const struct vm *vm, struct vacpi_pci *out)
{
	const struct vpci_vm *v = vpci_of(vm);
	memset(out, 0, sizeof(*out));
	struct range alias = {0, 0};
	if (v->identity)
		alias = (struct range){vm->ram_hpa, vm->ram_hpa + vm->ram_size};
	u64 low = vm->ram_size;
	if (low < VPCI_RESERVED_BASE)
		add(out, (struct range){low, VPCI_RESERVED_BASE}, alias);
	if (bar_above(v, FOUR_GIB))
		add(out, (struct range){low > FOUR_GIB ? low : FOUR_GIB, VPCI_GUEST_PHYS_LIMIT}, alias);
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
