/* kernel/tsc.c: TSC calibration over 10 ms of PIT channel 2, and busy-wait delays. */
#include "tsc.h"
#include "cpu.h"
#include "log.h"

#define PIT_HZ 1193182ULL
#define PIT_CH2_DATA 0x42
#define PIT_MODE 0x43
#define PIT_MODE_CH2_LOHI_ONESHOT 0xb0
#define PORT_B 0x61
#define PORT_B_GATE2 BIT(0)
#define PORT_B_SPEAKER BIT(1)
#define PORT_B_OUT2 BIT(5)
#define CALIBRATE_MS 10
#define PIT_SPIN_LIMIT 50000000
#define TSC_GUESS_HZ 1000000000ULL

static u64 hz = TSC_GUESS_HZ;

u64 tsc_calibrate(void)
{
	u16 count = (u16)(PIT_HZ * CALIBRATE_MS / 1000);
	u8 b = inb(PORT_B);
	outb(PORT_B, (u8)((b & ~PORT_B_SPEAKER) | PORT_B_GATE2));
	outb(PIT_MODE, PIT_MODE_CH2_LOHI_ONESHOT);
	outb(PIT_CH2_DATA, (u8)count);
	outb(PIT_CH2_DATA, (u8)(count >> 8));
	/* restart the count by toggling the gate */
	b = inb(PORT_B);
	outb(PORT_B, (u8)(b & ~PORT_B_GATE2));
	outb(PORT_B, (u8)(b | PORT_B_GATE2));
	u64 t0 = rdtsc();
	int i = 0;
	while (!(inb(PORT_B) & PORT_B_OUT2) && i < PIT_SPIN_LIMIT)
		i++;
	u64 t1 = rdtsc();
	if (i == PIT_SPIN_LIMIT || t1 <= t0) {
		pr_warn("time", "PIT did not answer; assuming a %llu MHz TSC", TSC_GUESS_HZ / 1000000);
		hz = TSC_GUESS_HZ;
	} else {
		hz = (t1 - t0) * (1000 / CALIBRATE_MS);
	}
	return hz;
}

u64 tsc_hz(void) { return hz; }

void tsc_delay_us(u64 us)
{
	u64 end = rdtsc() + hz / 1000000 * us;
	while (rdtsc() < end)
		cpu_relax();
}
