/* vmm/virq.h: device interrupts pending for a VM (issue 8: MSI of assigned devices). The host vector's
 * handler may run on any CPU (with interrupt remapping the IRTE names the VM's CPU; without it the
 * message does too, but nothing relies on it): it only sets the guest's vector in the VM's pending
 * set, atomically. The VM's own CPU takes vectors out before each VM entry (virq_vm.c): into the
 * virtual local APIC of a VM with a platform, or as an external-interrupt event for an image VM when
 * its RFLAGS.IF and interruptibility state let one in (else it stays pending: the VM exits at the
 * latest at the end of its time slice, and the next entry tries again; a halted image VM only yields,
 * so it is entered again anyway). The state and the decision are pure code (host unit tests). */
#ifndef MOAT_VIRQ_H
#define MOAT_VIRQ_H

#include "../kernel/types.h"

#define VIRQ_VECTORS 256
#define VIRQ_WORD_BITS 64
#define VIRQ_WORDS (VIRQ_VECTORS / VIRQ_WORD_BITS)
#define VIRQ_FIRST_VALID 32 /* 0-31 are exceptions: a device may not name them */
#define VIRQ_IF BIT(9)      /* RFLAGS.IF */
#define VIRQ_BLOCKING (BIT(0) | BIT(1)) /* interruptibility: blocking by STI, by MOV SS */

struct virq {
	u64 pending[VIRQ_WORDS];
	u64 raised;   /* device interrupts taken for the VM (host handler) */
	u64 refused;  /* ... whose guest vector was an exception vector */
	u64 injected; /* vectors handed to the guest (event injection or its virtual APIC) */
};

/* Any CPU, interrupts off: vector becomes pending. false (counted) for vectors below 32. */
bool virq_raise(struct virq *q, u32 vector);
bool virq_any(const struct virq *q);
/* The VM's CPU: the highest pending vector, no longer pending; -1 if none. */
int virq_take(struct virq *q);
void virq_clear(struct virq *q);

enum virq_gate { VIRQ_NONE, VIRQ_INJECT, VIRQ_WAIT };
/* For an image VM about to be entered: inject now, wait (an event is already being injected, IF=0,
 * or STI/MOV SS blocking), or nothing pending. */
enum virq_gate virq_decide(const struct virq *q, bool event_pending, u64 rflags, u64 interruptibility);

#endif
