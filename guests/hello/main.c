/* guests/hello/main.c: the friendly guest. Prints through the virtual UART, uses each
 * hypercall (VM id, VM name, console write with a good and a bad pointer, yield, stop self),
 * reads Moat's CPUID signature, checks that its RAM outside its image came zeroed, keeps a
 * checksummed buffer and an SSE register across many VM switches (another VM, e.g. the
 * attacker, runs meanwhile) and reports both unchanged. Before stopping it fills its free RAM
 * with a pattern, so that a VM created later in the same frames would see any leftover.
 * Exit code (HC_STOP): 0 all good, 1 dirty RAM at start, 2 checksum or SSE changed. */
#include "guest.h"

#define CANARY_BYTES (64 * 1024)
#define SWITCH_ROUNDS 40
#define RUN_TICKS 20000000ULL /* keep switching for this many TSC ticks (instructions in Bochs) */
#define PATTERN 0xa5
#define XMM_MAGIC 0x1234567890abcdefULL

static u8 canary[CANARY_BYTES];

static u64 checksum(const u8 *p, u64 n)
{
	u64 h = 1469598103934665603ULL; /* FNV-1a */
	for (u64 i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

/* Bytes in [from, to) that are not zero. */
static u64 dirty_bytes(u64 from, u64 to)
{
	u64 n = 0;
	for (const volatile u64 *p = (const u64 *)from; (u64)p < to; p++)
		n += *p != 0;
	return n;
}

static void console_write(const char *s)
{
	s64 r = hypercall(HC_CONSOLE_WRITE, (u64)(uintptr_t)s, gstrlen(s));
	if (r != (s64)gstrlen(s))
		gprintf("console hypercall returned %lld\n", r);
}

int guest_main(u64 ram, u64 area)
{
	int rc = 0;
	char name[40];
	u32 sig[4];
	u64 free_lo = (u64)(uintptr_t)__image_end;
	u64 stack_lo = area - 64 * 1024;

	uart_puts("hello: started\n");
	s64 id = hypercall(HC_VM_ID, 0, 0);
	s64 nl = hypercall(HC_VM_NAME, (u64)(uintptr_t)name, sizeof(name));
	gprintf("hello: I am VM %lld named '%s' (%lld), %llu KiB of RAM\n", id, nl > 0 ? name : "?", nl, ram / 1024);
	cpuid(MOAT_CPUID_SIGNATURE_LEAF, 0, sig);
	char s[13];
	__builtin_memcpy(s, &sig[1], 4);
	__builtin_memcpy(s + 4, &sig[2], 4);
	__builtin_memcpy(s + 8, &sig[3], 4);
	s[12] = 0;
	u32 f[4];
	cpuid(1, 0, f);
	gprintf("hello: cpuid hypervisor signature '%s', hypervisor bit %u, vmx bit %u\n", s, (f[2] >> 31) & 1,
		(f[2] >> 5) & 1);

	u64 dirty = dirty_bytes(free_lo, stack_lo);
	gprintf("hello: memory check: %llu KiB above my image read as zero, %llu dirty words\n",
		(stack_lo - free_lo) / 1024, dirty);
	if (dirty)
		rc = 1;

	console_write("hello: this line came through the console hypercall\n");
	s64 bad = hypercall(HC_CONSOLE_WRITE, ram - 4, 64);
	gprintf("hello: console hypercall with a pointer past my RAM returned %lld\n", bad);

	for (u64 i = 0; i < CANARY_BYTES; i++)
		canary[i] = (u8)(i * 7 + 3);
	u64 before = checksum(canary, CANARY_BYTES);
	gprintf("hello: canary checksum %llx\n", before);

	u64 x = XMM_MAGIC, back = 0;
	__asm__ volatile("movq %0, %%xmm5" ::"r"(x));
	u64 t0 = rdtsc(), yields = 0;
	while (rdtsc() - t0 < RUN_TICKS || yields < SWITCH_ROUNDS) {
		hypercall(HC_YIELD, 0, 0);
		yields++;
	}
	__asm__ volatile("movq %%xmm5, %0" : "=r"(back));
	u64 after = checksum(canary, CANARY_BYTES);
	gprintf("hello: after %llu yields: canary checksum %llx %s, xmm5 %s\n", yields, after,
		after == before ? "unchanged" : "CHANGED", back == x ? "unchanged" : "CHANGED");
	if (after != before || back != x)
		rc = 2;

	gmemset((void *)free_lo, PATTERN, stack_lo - free_lo);
	gprintf("hello: done, stopping with code %d\n", rc);
	return rc;
}
