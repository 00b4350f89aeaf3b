/* vmm/vlapic.c: the virtual local APIC of a Linux VM, in x2APIC mode only (Intel SDM vol. 3,
 * "Advanced Programmable Interrupt Controller", x2APIC MSR map). APIC ID 0; registers are kept
 * here and never reach the real APIC. What it does:
 * - pending (IRR) and in-service (ISR) vectors, task priority, EOI (clears the highest ISR bit);
 * - the timer: one-shot and periodic (initial count x divide value, counted at the TSC rate, which is
 *   what CPUID 0x15 reports as the APIC's crystal clock) and TSC-deadline (MSR 0x6E0);
 * - self-IPIs (SELF_IPI register, or ICR with the self shorthand or destination 0, fixed mode);
 *   any other IPI is ignored (the VM has one CPU);
 * - LVT registers are stored; only the timer's ever delivers. Error and LINT sources never fire.
 * IA32_APIC_BASE starts as "enabled, x2APIC, BSP, base 0xFEE00000". Linux leaves x2APIC mode when it
 * finds no interrupt remapping (it cannot know that Moat's x2APIC needs none): it disables the APIC
 * and enables it in xAPIC mode, and from then on uses the MMIO page, which vlapic_mmio.c emulates
 * on the same registers. Other bases, and the x2APIC MSRs outside x2APIC mode, fault (#GP). */
#include "vplat.h"
#include "../kernel/string.h"

#define MSR_APIC_BASE 0x1b
#define MSR_TSC_DEADLINE 0x6e0
#define MSR_X2APIC_FIRST 0x800
#define MSR_X2APIC_LAST 0x8ff
#define APIC_BASE_DEFAULT 0xfee00000ULL
#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_VALUE (APIC_BASE_DEFAULT | APIC_BASE_BSP | APIC_BASE_EXTD | APIC_BASE_EN)
#define APIC_BASE_MODE_BITS (APIC_BASE_EXTD | APIC_BASE_EN)
#define APIC_BASE_FIXED (APIC_BASE_DEFAULT | APIC_BASE_BSP)
#define DFR_FLAT 0xffffffffU

/* x2APIC registers: MSR 0x800 + (xAPIC offset >> 4) */
#define X2_ID 0x802
#define X2_VERSION 0x803
#define X2_TPR 0x808
#define X2_PPR 0x80a
#define X2_EOI 0x80b
#define X2_LDR 0x80d
#define X2_SVR 0x80f
#define X2_ISR0 0x810
#define X2_TMR0 0x818
#define X2_IRR0 0x820
#define X2_ESR 0x828
#define X2_LVT_CMCI 0x82f
#define X2_ICR 0x830
#define X2_LVT_TIMER 0x832
#define X2_LVT_ERROR 0x837
#define X2_TMICT 0x838
#define X2_TMCCT 0x839
#define X2_TDCR 0x83e
#define X2_SELF_IPI 0x83f

#define APIC_VERSION 0x14             /* integrated APIC */
#define APIC_MAX_LVT_SHIFT 16
#define LDR_CLUSTER_SHIFT 16
#define LVT_VECTOR_MASK 0xffU
#define LVT_MASKED BIT(16)
#define LVT_TIMER_MODE_SHIFT 17
#define LVT_TIMER_MODE_MASK 3U
#define TIMER_ONESHOT 0
#define TIMER_PERIODIC 1
#define TIMER_TSC_DEADLINE 2
#define LVT_WRITABLE_TIMER 0x700ffU   /* vector, mask, mode */
#define LVT_WRITABLE_OTHER 0x1f7ffU   /* vector, delivery mode, polarity, trigger, mask */
#define SVR_ENABLE BIT(8)
#define SVR_WRITABLE 0x11ffU
#define TPR_MASK 0xffU
#define PRIO_CLASS_SHIFT 4
#define ICR_VECTOR_MASK 0xffULL
#define ICR_MODE_SHIFT 8
#define ICR_MODE_MASK 7ULL
#define ICR_MODE_FIXED 0
#define ICR_SHORTHAND_SHIFT 18
#define ICR_SHORTHAND_MASK 3ULL
#define ICR_SHORTHAND_NONE 0
#define ICR_SHORTHAND_SELF 1
#define ICR_DEST_SHIFT 32
#define TDCR_MASK 0xbU
#define TDCR_HIGH_BIT 8U
#define TDCR_DIV_BY_1 7U
#define VECTOR_FIRST_VALID 16
#define BITS_PER_WORD 32
#define LVT_INDEX_TIMER (X2_LVT_TIMER - X2_LVT_CMCI)

void vlapic_reset(struct vlapic *l)
{
	memset(l, 0, sizeof(*l));
	for (u32 i = 0; i < VLAPIC_NLVT; i++)
		l->lvt[i] = LVT_MASKED;
	l->svr = LVT_VECTOR_MASK; /* spurious vector 0xFF, software-disabled */
	l->ldr = 1;               /* cluster 0, bit 0: x2APIC ID 0 */
	l->apic_base = APIC_BASE_VALUE;
	l->xapic_dfr = DFR_FLAT;
}

static bool x2apic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE_BITS) == APIC_BASE_MODE_BITS;
}

bool vlapic_xapic_mode(const struct vlapic *l)
{
	return (l->apic_base & APIC_BASE_MODE_BITS) == APIC_BASE_EN;
}

/* Legal IA32_APIC_BASE values: the default base with BSP, and disabled, xAPIC or x2APIC. */
static bool apic_base_ok(u64 v)
{
	return (v & ~(u64)APIC_BASE_MODE_BITS) == APIC_BASE_FIXED && (v & APIC_BASE_MODE_BITS) != APIC_BASE_EXTD;
}

static u32 timer_mode(const struct vlapic *l)
{
	return (l->lvt[LVT_INDEX_TIMER] >> LVT_TIMER_MODE_SHIFT) & LVT_TIMER_MODE_MASK;
}

/* Divide value of TDCR: bits 3,1,0 encode 2, 4, ... 128, and 1. */
static u64 timer_divisor(const struct vlapic *l)
{
	u32 code = ((l->tdcr & TDCR_HIGH_BIT) >> 1) | (l->tdcr & 3);
	return code == TDCR_DIV_BY_1 ? 1 : 2ULL << code;
}

static void set_bit(u32 *words, int v) { words[v / BITS_PER_WORD] |= 1U << (v % BITS_PER_WORD); }
static void clear_bit(u32 *words, int v) { words[v / BITS_PER_WORD] &= ~(1U << (v % BITS_PER_WORD)); }

static int highest(const u32 *words)
{
	for (int w = VLAPIC_WORDS - 1; w >= 0; w--)
		if (words[w])
			return w * BITS_PER_WORD + (BITS_PER_WORD - 1 - __builtin_clz(words[w]));
	return -1;
}

static u32 ppr(const struct vlapic *l)
{
	int isrv = highest(l->isr);
	u32 isr_class = isrv < 0 ? 0 : (u32)isrv >> PRIO_CLASS_SHIFT;
	u32 tpr_class = (l->tpr & TPR_MASK) >> PRIO_CLASS_SHIFT;
	return isr_class > tpr_class ? isr_class << PRIO_CLASS_SHIFT : l->tpr & TPR_MASK;
}

int vlapic_deliverable(const struct vlapic *l)
{
	int v = highest(l->irr);
	if (v < 0 || ((u32)v >> PRIO_CLASS_SHIFT) <= (ppr(l) >> PRIO_CLASS_SHIFT))
		return -1;
	return v;
}

void vlapic_accept(struct vlapic *l, int v)
{
	clear_bit(l->irr, v);
	set_bit(l->isr, v);
}

static void raise(struct vlapic *l, u32 vector)
{
	if (vector >= VECTOR_FIRST_VALID && vector < VLAPIC_VECTORS)
		set_bit(l->irr, (int)vector);
}

void vlapic_raise(struct vm *vm, u32 vector) { raise(&vm->plat->lapic, vector); }

void vlapic_tick(struct vm *vm, u64 now)
{
	struct vlapic *l = &vm->plat->lapic;
	if (!l->deadline || now < l->deadline)
		return;
	u32 lvt = l->lvt[LVT_INDEX_TIMER];
	if (!(lvt & LVT_MASKED) && (l->svr & SVR_ENABLE)) {
		raise(l, lvt & LVT_VECTOR_MASK);
		vm->plat->timer_irqs++;
	}
	if (timer_mode(l) == TIMER_PERIODIC && l->period) {
		l->deadline += l->period;
		if (l->deadline <= now) /* fell behind (the VM did not run): no burst of catch-up ticks */
			l->deadline = now + l->period;
	} else {
		l->deadline = 0;
	}
}

static void start_count(struct vlapic *l)
{
	if (timer_mode(l) == TIMER_TSC_DEADLINE)
		return;
	l->period = timer_mode(l) == TIMER_PERIODIC ? (u64)l->tmict * timer_divisor(l) : 0;
	l->deadline = l->tmict ? rdtsc() + (u64)l->tmict * timer_divisor(l) : 0;
}

static u32 current_count(const struct vlapic *l)
{
	if (timer_mode(l) == TIMER_TSC_DEADLINE || !l->deadline)
		return 0;
	u64 now = rdtsc();
	return now >= l->deadline ? 0 : (u32)((l->deadline - now) / timer_divisor(l));
}

static void send_ipi(struct vlapic *l, u64 icr)
{
	u64 mode = (icr >> ICR_MODE_SHIFT) & ICR_MODE_MASK;
	u64 shorthand = (icr >> ICR_SHORTHAND_SHIFT) & ICR_SHORTHAND_MASK;
	bool to_self = shorthand == ICR_SHORTHAND_SELF || (shorthand == ICR_SHORTHAND_NONE && !(icr >> ICR_DEST_SHIFT));
	if (mode == ICR_MODE_FIXED && to_self)
		raise(l, (u32)(icr & ICR_VECTOR_MASK));
}

static bool read_reg(struct vlapic *l, u32 msr, u64 *v)
{
	if (msr >= X2_ISR0 && msr < X2_ISR0 + VLAPIC_WORDS) {
		*v = l->isr[msr - X2_ISR0];
		return true;
	}
	if (msr >= X2_TMR0 && msr < X2_TMR0 + VLAPIC_WORDS) {
		*v = 0; /* every interrupt is edge-triggered */
		return true;
	}
	if (msr >= X2_IRR0 && msr < X2_IRR0 + VLAPIC_WORDS) {
		*v = l->irr[msr - X2_IRR0];
		return true;
	}
	if (msr >= X2_LVT_CMCI && msr <= X2_LVT_ERROR) {
		*v = l->lvt[msr - X2_LVT_CMCI];
		return true;
	}
	switch (msr) {
	case X2_ID: *v = 0; return true;
	case X2_VERSION: *v = APIC_VERSION | ((VLAPIC_NLVT - 1) << APIC_MAX_LVT_SHIFT); return true;
	case X2_TPR: *v = l->tpr; return true;
	case X2_PPR: *v = ppr(l); return true;
	case X2_LDR: *v = l->ldr; return true;
	case X2_SVR: *v = l->svr; return true;
	case X2_ESR: *v = l->esr; return true;
	case X2_ICR: *v = l->icr; return true;
	case X2_TMICT: *v = l->tmict; return true;
	case X2_TMCCT: *v = current_count(l); return true;
	case X2_TDCR: *v = l->tdcr; return true;
	default: return false; /* reserved or write-only (EOI, SELF_IPI): #GP */
	}
}

static bool write_reg(struct vlapic *l, u32 msr, u64 v)
{
	if (msr >= X2_LVT_CMCI && msr <= X2_LVT_ERROR) {
		u32 i = msr - X2_LVT_CMCI;
		u32 old_mode = timer_mode(l);
		l->lvt[i] = (u32)v & (i == LVT_INDEX_TIMER ? LVT_WRITABLE_TIMER : LVT_WRITABLE_OTHER);
		if (!(l->svr & SVR_ENABLE))
			l->lvt[i] |= LVT_MASKED;
		if (i == LVT_INDEX_TIMER && timer_mode(l) != old_mode)
			l->deadline = l->period = 0; /* a mode change disarms the timer */
		return true;
	}
	switch (msr) {
	case X2_TPR: l->tpr = (u32)v & TPR_MASK; return true;
	case X2_EOI: {
		int v_isr = highest(l->isr);
		if (v_isr >= 0)
			clear_bit(l->isr, v_isr);
		return true;
	}
	case X2_SVR:
		l->svr = (u32)v & SVR_WRITABLE;
		if (!(l->svr & SVR_ENABLE))
			for (u32 i = 0; i < VLAPIC_NLVT; i++)
				l->lvt[i] |= LVT_MASKED;
		return true;
	case X2_ESR: l->esr = 0; return true;
	case X2_ICR:
		l->icr = v;
		send_ipi(l, v);
		return true;
	case X2_TMICT:
		l->tmict = (u32)v;
		start_count(l);
		return true;
	case X2_TDCR: l->tdcr = (u32)v & TDCR_MASK; return true;
	case X2_SELF_IPI: raise(l, (u32)(v & LVT_VECTOR_MASK)); return true;
	default: return false; /* read-only or reserved: #GP */
	}
}

bool vlapic_rdmsr(struct vm *vm, u32 msr, u64 *v, bool *gp)
{
	struct vlapic *l = &vm->plat->lapic;
	*gp = false;
	if (msr == MSR_APIC_BASE) {
		*v = l->apic_base;
		return true;
	}
	if (msr == MSR_TSC_DEADLINE) {
		*v = timer_mode(l) == TIMER_TSC_DEADLINE ? l->deadline : 0;
		return true;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return false;
	*gp = !x2apic_mode(l) || !read_reg(l, msr, v);
	return true;
}

bool vlapic_wrmsr(struct vm *vm, u32 msr, u64 v, bool *gp)
{
	struct vlapic *l = &vm->plat->lapic;
	*gp = false;
	if (msr == MSR_APIC_BASE) {
		*gp = !apic_base_ok(v);
		if (!*gp)
			l->apic_base = v;
		return true;
	}
	if (msr == MSR_TSC_DEADLINE) {
		if (timer_mode(l) == TIMER_TSC_DEADLINE)
			l->deadline = v;
		return true;
	}
	if (msr < MSR_X2APIC_FIRST || msr > MSR_X2APIC_LAST)
		return false;
	*gp = !x2apic_mode(l) || !write_reg(l, msr, v);
	return true;
}

/* ---- the xAPIC page: the same registers at offset (MSR - 0x800) << 4, plus what only xAPIC has ---- */
#define XAPIC_REG_SHIFT 4
#define XAPIC_ID 0x020
#define XAPIC_LDR 0x0d0
#define XAPIC_DFR 0x0e0
#define XAPIC_ICR_LOW 0x300
#define XAPIC_ICR_HIGH 0x310
#define XAPIC_LDR_MASK 0xff000000U
#define ICR_LOW_MASK 0xffffffffULL
#define ICR_HIGH_SHIFT 32

u32 vlapic_mmio_read(struct vlapic *l, u32 off)
{
	u64 v = 0;
	switch (off) {
	case XAPIC_ID: return 0;
	case XAPIC_LDR: return l->xapic_ldr;
	case XAPIC_DFR: return l->xapic_dfr;
	case XAPIC_ICR_LOW: return (u32)(l->icr & ICR_LOW_MASK);
	case XAPIC_ICR_HIGH: return (u32)(l->icr >> ICR_HIGH_SHIFT);
	default:
		if (!read_reg(l, MSR_X2APIC_FIRST + (off >> XAPIC_REG_SHIFT), &v))
			return 0; /* reserved: reads as zero */
		return (u32)v;
	}
}

void vlapic_mmio_write(struct vlapic *l, u32 off, u32 v)
{
	switch (off) {
	case XAPIC_LDR: l->xapic_ldr = v & XAPIC_LDR_MASK; break;
	case XAPIC_DFR: l->xapic_dfr = v; break;
	case XAPIC_ICR_HIGH: l->icr = (l->icr & ICR_LOW_MASK) | ((u64)v << ICR_HIGH_SHIFT); break;
	case XAPIC_ICR_LOW:
		l->icr = (l->icr & ~ICR_LOW_MASK) | v;
		send_ipi(l, l->icr);
		break;
	case (X2_SELF_IPI - MSR_X2APIC_FIRST) << XAPIC_REG_SHIFT: break; /* x2APIC only */
	default: write_reg(l, MSR_X2APIC_FIRST + (off >> XAPIC_REG_SHIFT), v); break; /* read-only: ignored */
	}
}
