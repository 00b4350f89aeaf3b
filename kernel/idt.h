/* kernel/idt.h: the interrupt descriptor table and the frame every interrupt handler receives. */
#ifndef MOAT_IDT_H
#define MOAT_IDT_H

#include "types.h"

/* Pushed by kernel/isr.asm, lowest address first. */
struct int_frame {
	u64 r15, r14, r13, r12, r11, r10, r9, r8;
	u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
	u64 vector, error;
	u64 rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

#define VEC_DE 0
#define VEC_NMI 2
#define VEC_BP 3
#define VEC_UD 6
#define VEC_DF 8
#define VEC_GP 13
#define VEC_PF 14
#define VEC_MC 18
#define VEC_FIRST_IRQ 32
#define VEC_SPURIOUS 0xff

typedef void (*irq_handler_fn)(struct int_frame *f);

/* Builds the IDT once (BSP); every CPU then loads it with idt_load(). */
void idt_init(void);
void idt_load(void);
/* Routes vector (>= 32) to handler; handlers for device interrupts send their own EOI. */
void idt_set_handler(u8 vector, irq_handler_fn handler);

#endif
