/* kernel/percpu.h: per-CPU data, reached through the FS/GS base. Offset 0x28 holds the stack
 * protector canary, where GCC (and the hosted BearSSL library) read it as %fs:0x28. */
#ifndef MOAT_PERCPU_H
#define MOAT_PERCPU_H

#include "types.h"
#include "gdt.h"

#define MAX_CPUS 64
#define PERCPU_CANARY_OFFSET 0x28
#define PERCPU_FIXUP_OFFSET 0x20

struct percpu {
	struct percpu *self;     /* 0x00 */
	u32 index;               /* 0x08: 0 = the boot CPU */
	u32 apic_id;             /* 0x0c */
	u64 stack_top;           /* 0x10 */
	u64 stack_bottom;        /* 0x18: lowest usable byte; the guard page is below */
	u64 fixup_rip;           /* 0x20: where a probe resumes after an expected fault (0: none) */
	u64 canary;              /* 0x28 */
	volatile u32 online;
	u32 fault_vector;        /* set when a probe's expected fault happened */
	u64 fault_error;
	u64 fault_addr;
	struct cpu_tables tables; /* this CPU's GDT and TSS */
	u64 ist_stack[IST_COUNT]; /* tops of the IST stacks */
};

_Static_assert(__builtin_offsetof(struct percpu, canary) == PERCPU_CANARY_OFFSET, "canary at %fs:0x28");
_Static_assert(__builtin_offsetof(struct percpu, fixup_rip) == PERCPU_FIXUP_OFFSET, "kernel/probe.asm");

extern struct percpu percpu_area[MAX_CPUS];
extern u32 cpus_online;

/* Loads FS and GS bases with this CPU's area and sets its canary. Call first on each CPU. */
void percpu_install(struct percpu *pc);

static inline struct percpu *this_cpu(void)
{
	struct percpu *p;
	__asm__ volatile("mov %%gs:0, %0" : "=r"(p));
	return p;
}

#endif
