/* kernel/apic.c: local APIC access through MMIO (xAPIC) or MSRs (x2APIC), and IPIs. */
#include "apic.h"
#include "cpu.h"
#include "idt.h"

#define APIC_BASE_BSP BIT(8)
#define APIC_BASE_EXTD BIT(10)
#define APIC_BASE_EN BIT(11)
#define APIC_BASE_ADDR_MASK 0xffffff000ULL

#define CPUID1_ECX_X2APIC BIT(21)

#define APIC_REG_ID 0x20
#define APIC_REG_TPR 0x80
#define APIC_REG_EOI 0xb0
#define APIC_REG_SVR 0xf0
#define APIC_REG_ICR_LO 0x300
#define APIC_REG_ICR_HI 0x310
#define APIC_REG_LVT_TIMER 0x320
#define APIC_REG_LVT_LINT0 0x350
#define APIC_REG_LVT_LINT1 0x360
#define APIC_REG_LVT_ERROR 0x370
#define X2APIC_MSR_BASE 0x800

#define SVR_ENABLE BIT(8)
#define LVT_MASKED BIT(16)
#define ICR_DELIVERY_FIXED (0u << 8)
#define ICR_DELIVERY_NMI (4u << 8)
#define ICR_DELIVERY_INIT (5u << 8)
#define ICR_DELIVERY_STARTUP (6u << 8)
#define ICR_PENDING BIT(12)
#define ICR_LEVEL_ASSERT BIT(14)
#define ICR_DEST_ALL_BUT_SELF (3u << 18)
#define XAPIC_ID_SHIFT 24
#define ICR_SPIN_LIMIT 1000000

#define PIC1_DATA 0x21
#define PIC2_DATA 0xa1

static bool x2apic;
static u64 mmio;

bool apic_is_x2apic(void) { return x2apic; }
u64 apic_mmio_base(void) { return mmio; }

static u32 apic_read(u32 reg)
{
	if (x2apic)
		return (u32)rdmsr(X2APIC_MSR_BASE + (reg >> 4));
	return mmio_read32(mmio + reg);
}

static void apic_write(u32 reg, u32 v)
{
	if (x2apic)
		wrmsr(X2APIC_MSR_BASE + (reg >> 4), v);
	else
		mmio_write32(mmio + reg, v);
}

static void apic_enable_this_cpu(void)
{
	u64 base = rdmsr(MSR_IA32_APIC_BASE) | APIC_BASE_EN;
	if (x2apic)
		base |= APIC_BASE_EXTD;
	wrmsr(MSR_IA32_APIC_BASE, base);
	apic_write(APIC_REG_TPR, 0);
	apic_write(APIC_REG_LVT_TIMER, LVT_MASKED);
	apic_write(APIC_REG_LVT_ERROR, LVT_MASKED);
	apic_write(APIC_REG_SVR, SVR_ENABLE | VEC_SPURIOUS);
}

void apic_init_bsp(u64 mmio_base)
{
	outb(PIC1_DATA, 0xff);
	outb(PIC2_DATA, 0xff);
	u64 msr = rdmsr(MSR_IA32_APIC_BASE);
	mmio = mmio_base ? mmio_base : (msr & APIC_BASE_ADDR_MASK);
	x2apic = (cpuid(1, 0).ecx & CPUID1_ECX_X2APIC) || (msr & APIC_BASE_EXTD);
	apic_enable_this_cpu();
}

void apic_init_ap(void) { apic_enable_this_cpu(); }

u32 apic_id(void)
{
	if (x2apic)
		return apic_read(APIC_REG_ID);
	return apic_read(APIC_REG_ID) >> XAPIC_ID_SHIFT;
}

void apic_eoi(void) { apic_write(APIC_REG_EOI, 0); }

static void send_icr(u32 dest, u32 low)
{
	if (x2apic) {
		wrmsr(X2APIC_MSR_BASE + (APIC_REG_ICR_LO >> 4), ((u64)dest << 32) | low);
		return;
	}
	apic_write(APIC_REG_ICR_HI, dest << XAPIC_ID_SHIFT);
	apic_write(APIC_REG_ICR_LO, low);
	for (int i = 0; i < ICR_SPIN_LIMIT && (apic_read(APIC_REG_ICR_LO) & ICR_PENDING); i++)
		cpu_relax();
}

void apic_send_init(u32 dest) { send_icr(dest, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT); }
void apic_send_startup(u32 dest, u8 page_vector) { send_icr(dest, ICR_DELIVERY_STARTUP | page_vector); }
void apic_send_fixed(u32 dest, u8 vector) { send_icr(dest, ICR_DELIVERY_FIXED | ICR_LEVEL_ASSERT | vector); }
void apic_send_init_others(void) { send_icr(0, ICR_DELIVERY_INIT | ICR_LEVEL_ASSERT | ICR_DEST_ALL_BUT_SELF); }
void apic_send_startup_others(u8 page_vector)
{
	send_icr(0, ICR_DELIVERY_STARTUP | ICR_DEST_ALL_BUT_SELF | page_vector);
}
void apic_send_nmi_others(void) { send_icr(0, ICR_DELIVERY_NMI | ICR_LEVEL_ASSERT | ICR_DEST_ALL_BUT_SELF); }
