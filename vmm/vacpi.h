/* vmm/vacpi.h: the minimal ACPI tables of a Linux VM (vacpi.c builds them; pure, unit-tested):
 * RSDP (revision 2) -> XSDT -> FADT (hardware-reduced, with a sleep control/status register pair
 * and a reset register in I/O space that Moat traps) -> DSDT (\_S5 and the COM1 device, no IRQ;
 * with assigned devices also a PCI host bridge, vacpi_pci.c),
 * and the MADT (one enabled local APIC, ID 0, no I/O APIC, no 8259). They go in the VM's legacy
 * BIOS area, which its memory map reports reserved (vmm/pvh.h), so Linux keeps them; the PVH
 * start_info points at the RSDP, which also lies where a scan of 0xE0000-0xFFFFF finds it. */
#ifndef MOAT_VACPI_H
#define MOAT_VACPI_H

#include "../kernel/types.h"

#define VACPI_GPA 0xE0000ULL /* inside PVH's reserved 0xA0000-0xFFFFF window */
#define VACPI_SIZE PAGE_SIZE

/* The ports the tables name (vplat_io.c traps them). */
#define VACPI_SLEEP_CONTROL_PORT 0x600
#define VACPI_SLEEP_STATUS_PORT 0x601
#define VACPI_RESET_PORT 0xcf9
#define VACPI_RESET_VALUE 0x06 /* CPU reset | system reset */
/* Sleep control register (ACPI 6, "Sleep Control Register"): SLP_TYPx in bits 4:2, SLP_EN bit 5. */
#define VACPI_SLP_TYP_SHIFT 2
#define VACPI_SLP_TYP_MASK 7U
#define VACPI_SLP_EN 0x20U
#define VACPI_S5_TYP 5 /* the SLP_TYP \_S5 gives */

/* A PCI host bridge for bus 0 (configuration through CF8/CFC) and the guest-physical memory
 * windows its devices' BARs may occupy (vacpi_pci.c): a window ending at or below 4 GiB is a
 * DWordMemory descriptor, one above a QWordMemory. Given to a VM with assigned devices only. */
#define VACPI_PCI_WINDOWS 8  /* below 4 GiB, cut by the identity alias and RMRR ranges; above */
#define VACPI_PCI_AML_MAX 768 /* vacpi_pci_aml's output with VACPI_PCI_WINDOWS QWord windows fits */
struct vacpi_pci_window {
	u64 base, size; /* size 0: unused */
};
struct vacpi_pci {
	u32 nwin;
	struct vacpi_pci_window win[VACPI_PCI_WINDOWS];
};

/* Writes the tables into buf (VACPI_SIZE bytes that the guest sees at gpa); pci: also a PCI host
 * bridge in the DSDT, NULL: none. Returns the RSDP's guest-physical address, or 0 (buf untouched)
 * if the tables do not fit. */
u64 vacpi_build(u8 *buf, size_t size, u64 gpa, const struct vacpi_pci *pci);

/* The AML "Scope (\_SB) { Device (PCI0) { _HID PNP0A03, _UID 0, _BBN 0, _CRS } }" for pci, into
 * dst (cap bytes). Returns its length, 0 if it does not fit. */
size_t vacpi_pci_aml(const struct vacpi_pci *pci, u8 *dst, size_t cap);

#endif
