/* kernel/idt.c: builds the IDT (every vector has a stub) and dispatches interrupts: exceptions
 * inside Moat are fatal and reported in full; other vectors go to registered handlers. */
#include "idt.h"
#include "gdt.h"
#include "log.h"
#include "panic.h"
#include "cpu.h"
#include "percpu.h"

#define IDT_TYPE_INTERRUPT 0xe
#define IDT_PRESENT BIT(7)
#define ISR_STUB_SIZE 16

struct idt_entry {
	u16 offset_lo;
	u16 selector;
	u8 ist;
	u8 type_attr;
	u16 offset_mid;
	u32 offset_hi;
	u32 reserved;
} __packed;

struct idtr {
	u16 limit;
	u64 base;
} __packed;

extern const u8 isr_stubs[];

static struct idt_entry idt[256] __attribute__((aligned(16)));
static irq_handler_fn handlers[256];

static const char *const exception_names[32] = {
	"divide error", "debug", "NMI", "breakpoint", "overflow", "bound range", "invalid opcode",
	"device not available", "double fault", "coprocessor overrun", "invalid TSS", "segment not present",
	"stack fault", "general protection", "page fault", "reserved", "x87 error", "alignment check",
	"machine check", "SIMD error", "virtualization", "control protection", "reserved", "reserved",
	"reserved", "reserved", "reserved", "reserved", "hypervisor injection", "VMM communication",
	"security", "reserved",
};

static void set_gate(u8 vec, u8 ist)
{
	u64 addr = (u64)(uintptr_t)isr_stubs + (u64)vec * ISR_STUB_SIZE;
	idt[vec] = (struct idt_entry){
		.offset_lo = (u16)addr,
		.selector = GDT_SEL_CODE,
		.ist = ist,
		.type_attr = IDT_PRESENT | IDT_TYPE_INTERRUPT,
		.offset_mid = (u16)(addr >> 16),
		.offset_hi = (u32)(addr >> 32),
	};
}

void idt_init(void)
{
	for (int v = 0; v < 256; v++)
		set_gate((u8)v, 0);
	set_gate(VEC_DF, IST_DF);
	set_gate(VEC_NMI, IST_NMI);
	set_gate(VEC_MC, IST_MC);
}

void idt_load(void)
{
	struct idtr r = {sizeof(idt) - 1, (u64)(uintptr_t)idt};
	__asm__ volatile("lidt %0" ::"m"(r));
}

void idt_set_handler(u8 vector, irq_handler_fn handler) { handlers[vector] = handler; }

__attribute__((visibility("hidden"))) void isr_dispatch(struct int_frame *f);
void isr_dispatch(struct int_frame *f)
{
	if (f->vector == VEC_NMI && panic_in_progress())
		panic_park_cpu();
	if (f->vector >= VEC_FIRST_IRQ) {
		irq_handler_fn h = handlers[f->vector];
		if (h)
			h(f);
		else if (f->vector != VEC_SPURIOUS)
			pr_warn("idt", "unexpected interrupt vector %llu ignored", f->vector);
		return;
	}
	struct percpu *pc = this_cpu();
	if (pc->fixup_rip && (f->vector == VEC_PF || f->vector == VEC_GP)) {
		/* an expected fault from kernel/probe.asm: record it and resume at the probe's exit */
		pc->fault_vector = (u32)f->vector;
		pc->fault_error = f->error;
		pc->fault_addr = read_cr2();
		f->rip = pc->fixup_rip;
		pc->fixup_rip = 0;
		return;
	}
	panic_exception(f, exception_names[f->vector]);
}
