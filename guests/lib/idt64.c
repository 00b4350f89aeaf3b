/* guests/lib/idt64.c: the 64-bit test guests' IDT: exceptions 0-19 go to the stubs in
 * start64.S, which resume the innermost guest_catch. */
#include "guest.h"

#define IDT_VECTORS 20
#define GATE_INTERRUPT_PRESENT 0x8e

struct gate {
	u16 off_lo, sel;
	u8 ist, attr;
	u16 off_mid;
	u32 off_hi, zero;
} __attribute__((packed));

struct idtr {
	u16 limit;
	u64 base;
} __attribute__((packed));

static struct gate idt[IDT_VECTORS] __attribute__((aligned(16)));

#define S(v) extern void exc_stub_##v(void);
S(0) S(1) S(2) S(3) S(4) S(5) S(6) S(7) S(8) S(9) S(10) S(11) S(12) S(13) S(14) S(15) S(16) S(17) S(18) S(19)
#undef S

void guest_idt_init(void)
{
	static void (*const stubs[IDT_VECTORS])(void) = {
		exc_stub_0,  exc_stub_1,  exc_stub_2,  exc_stub_3,  exc_stub_4,  exc_stub_5,  exc_stub_6,
		exc_stub_7,  exc_stub_8,  exc_stub_9,  exc_stub_10, exc_stub_11, exc_stub_12, exc_stub_13,
		exc_stub_14, exc_stub_15, exc_stub_16, exc_stub_17, exc_stub_18, exc_stub_19,
	};
	for (int v = 0; v < IDT_VECTORS; v++) {
		u64 a = (u64)(uintptr_t)stubs[v];
		idt[v] = (struct gate){(u16)a, MOAT_GUEST_CODE_SEL, 0, GATE_INTERRUPT_PRESENT, (u16)(a >> 16),
				       (u32)(a >> 32), 0};
	}
	struct idtr r = {sizeof(idt) - 1, (u64)(uintptr_t)idt};
	__asm__ volatile("lidt %0" ::"m"(r));
}
