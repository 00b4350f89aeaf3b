/* vmm/assign.h: giving a VM real PCI devices (issue 8, `devices = ...` in its config section). At VM
 * creation every device is checked (it exists, is an endpoint Moat does not keep, is not another
 * VM's, no RMRR names it unless `rmrr = accept` (then each RMRR naming it must lie outside the
 * VM's RAM, name no device of another VM, and is identity-mapped in the VM's DMA domain), its DMA alias group is wholly this VM's, its BARs can be mapped, and its
 * DMA can be confined: a DMA domain with interrupt remapping, or `dma = unprotected-identity` on a
 * machine without VT-d); then it is reset, confined, and shown on the VM's virtual PCI bus (vpci.h).
 * When the VM stops, before its frames are scrubbed, each device loses bus mastering, goes back to the
 * blocking domain and is reset again. */
#ifndef MOAT_ASSIGN_H
#define MOAT_ASSIGN_H

#include "vm.h"
#include "../kernel/pci.h"

/* Checks and assigns cv's devices to vm (its RAM and EPT exist). 0, or -1 with why =
 * "device 0000:00:02.0: <reason>" and nothing left assigned. No devices: 0. */
int assign_vm_start(struct vm *vm, const struct cfg_vm *cv, char *why, size_t n);
/* The two halves of assign_vm_start: checks, BAR probe, reset and the virtual bus (the devices are
 * visible to the guest, bus mastering refused: no DMA domain yet); then DMA confinement (domain created
 * and attached, or the identity alias), after which bus mastering may go on. A failed attach takes
 * the devices back (assign_vm_stop). 0 or -1 with why. */
int assign_vm_prepare(struct vm *vm, const struct cfg_vm *cv, char *why, size_t n);
int assign_vm_attach(struct vm *vm, char *why, size_t n);
/* Takes every device back (bus mastering off, blocking domain, reset); no-op without devices. */
void assign_vm_stop(struct vm *vm);
/* What HC_DMA_BASE returns: the offset from a guest-physical RAM address to the device address of the
 * same byte (ram_hpa with dma = unprotected-identity, 0 with a DMA domain), or -HC_ENODEV. */
s64 assign_dma_base(const struct vm *vm);

/* Does [gpa, gpa + size) overlap an RMRR range naming one of vm's devices (identity-mapped in its DMA
 * domain, so not a place for a BAR)? The first such range in *base and *limit. */
bool assign_rmrr_overlap(const struct vm *vm, u64 gpa, u64 size, u64 *base, u64 *limit);
/* The distinct RMRR ranges (inclusive limits) naming vm's devices, at most max of them: how many. They
 * are identity-mapped in its DMA domain, so the guest must be told they are not its to use (its memory
 * map, vm_linux.c; its PCI host bridge's windows, vpci_acpi.c). None with dma = unprotected-identity. */
u32 assign_rmrr_ranges(const struct vm *vm, u64 *base, u64 *limit, u32 max);

/* dma = unprotected-identity (assign_identity.c): RAM also mapped at GPA = HPA (moved higher first when
 * it sits below its own size). 0, or -1 with why. */
int assign_identity_map(struct vm *vm, char *why, size_t n);

/* Resets (assign_reset.c): assign_reset() runs the strongest one a supports (a secondary bus reset only when every function below a's bridge is in `group`,
 * the functions its VM gets), saving and restoring the header, bus mastering left off, and writes
 * what it did, and whether it visibly took effect, to how; returns how. */
const char *assign_reset(const struct pci_addr *a, const struct pci_addr *group, u32 ngroup, char *how, size_t n);

#endif
