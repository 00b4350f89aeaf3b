/* vmm/vmsi.h: the pure decision behind an assigned device's emulated MSI (vpci_msi.c): what becomes of
 * a message the device sent (through Moat's host vector) in the guest's current MSI state. Delivered
 * when MSI is enabled, the guest's address is an interrupt address and its vector is not masked;
 * kept pending (the guest's pending bit, sent when it unmasks) when masked; dropped otherwise (MSI
 * off, or an address Linux writes as zero while it tears the vector down). Host tests in
 * tests/unit/test_vmsi.c replay Linux's sequence. */
#ifndef MOAT_VMSI_H
#define MOAT_VMSI_H

#include "../kernel/types.h"

#define VMSI_MASK_VECTOR0 BIT(0) /* Moat offers one vector: mask and pending bit 0 */

enum vmsi_fire { VMSI_DROP, VMSI_DELIVER, VMSI_PENDING };

bool vmsi_addr_ok(u32 addr_lo, u32 addr_hi);
/* The guest's state: MSI enable, per-vector masking offered, its mask register, its address. */
enum vmsi_fire vmsi_fire(bool enabled, bool maskable, u32 mask, u32 addr_lo, u32 addr_hi);
/* The guest vector its data names (the low byte). */
u8 vmsi_vector(u32 data);

#endif
