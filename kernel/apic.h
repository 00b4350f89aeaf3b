/* kernel/apic.h: the local APIC of each CPU (x2APIC when the CPU has it, xAPIC otherwise). */
#ifndef MOAT_APIC_H
#define MOAT_APIC_H

#include "types.h"

/* Masks the legacy PICs and enables this CPU's APIC (spurious vector 0xff). mmio_base from
 * the MADT (0: from IA32_APIC_BASE). */
void apic_init_bsp(u64 mmio_base);
void apic_init_ap(void);
bool apic_is_x2apic(void);
u32 apic_id(void);
u64 apic_mmio_base(void);
void apic_eoi(void);
void apic_send_init(u32 dest);
void apic_send_startup(u32 dest, u8 page_vector);
void apic_send_fixed(u32 dest, u8 vector);
/* INIT and STARTUP to every CPU but this one (CPU discovery without a MADT: smp_broadcast.c). */
void apic_send_init_others(void);
void apic_send_startup_others(u8 page_vector);
/* An NMI to every CPU but this one (panic). */
void apic_send_nmi_others(void);

#endif
