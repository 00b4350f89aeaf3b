/* kernel/gdt.h: Moat's own GDT and 64-bit TSS (one per CPU), with IST stacks for the
 * exceptions that must not run on a possibly broken stack (#DF, NMI, #MC). */
#ifndef MOAT_GDT_H
#define MOAT_GDT_H

#include "types.h"

#define GDT_SEL_NULL 0x00
#define GDT_SEL_CODE 0x08
#define GDT_SEL_DATA 0x10
#define GDT_SEL_TSS 0x18
#define GDT_ENTRIES 5 /* null, code, data, TSS (two slots) */

#define IST_DF 1
#define IST_NMI 2
#define IST_MC 3
#define IST_COUNT 3
#define IST_STACK_SIZE 8192

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iomap_base;
} __packed;

struct cpu_tables {
	u64 gdt[GDT_ENTRIES];
	struct tss64 tss;
} __attribute__((aligned(16)));

/* Builds and loads the GDT and TSS; ist_tops[i] is the top of IST stack i+1. */
void gdt_load(struct cpu_tables *t, const u64 ist_tops[IST_COUNT]);

#endif
