/* guests/bench/main.c: exit-path costs. Times ITERATIONS round trips of CPUID (exit to Moat's
 * CPUID handler), VMCALL (HC_VM_ID) and an I/O exit (IN from an unclaimed port) with RDTSC and
 * prints the mean per round trip, minus the cost of the empty timing loop. In Bochs the TSC
 * counts instructions, so the figures are instructions per exit round trip. */
#include "guest.h"

#define ITERATIONS 2000
#define UNCLAIMED_PORT 0x80

static u64 per_iteration(u64 t0, u64 t1, u64 base) { return (t1 - t0) / ITERATIONS > base ? (t1 - t0) / ITERATIONS - base : 0; }

int guest_main(u64 ram, u64 area)
{
	(void)ram;
	(void)area;
	u32 r[4];
	u64 t0, t1;

	t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++)
		__asm__ volatile("" ::: "memory");
	t1 = rdtsc();
	u64 base = (t1 - t0) / ITERATIONS;

	t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++)
		cpuid(0, 0, r);
	t1 = rdtsc();
	u64 c_cpuid = per_iteration(t0, t1, base);

	t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++)
		hypercall(HC_VM_ID, 0, 0);
	t1 = rdtsc();
	u64 c_vmcall = per_iteration(t0, t1, base);

	t0 = rdtsc();
	for (int i = 0; i < ITERATIONS; i++)
		(void)inb(UNCLAIMED_PORT);
	t1 = rdtsc();
	u64 c_io = per_iteration(t0, t1, base);

	u32 info[4];
	cpuid(MOAT_CPUID_INFO_LEAF, 0, info);
	gprintf("bench: %u iterations each, TSC %u kHz, empty loop %llu ticks\n", ITERATIONS, info[0], base);
	gprintf("bench: cpuid %llu ticks per round trip\n", c_cpuid);
	gprintf("bench: vmcall %llu ticks per round trip\n", c_vmcall);
	gprintf("bench: io %llu ticks per round trip\n", c_io);
	return 0;
}
