/* guests/worker/main.c: the guest a control VM exports and restores (tests/scenarios/vmx_export.scn).
 * Built with -mgeneral-regs-only (guests.mk): xmm5 is touched by nothing but its own two asm lines.
 * It keeps state in memory and in a register: every round it fills a 256 KiB buffer with a pattern
 * that depends on the round number, keeps the round in xmm5, prints its progress now and then and
 * yields. When its VM id changes it has been restored into a new VM: it checks that the buffer and
 * xmm5 still hold what the last round left there, runs a few more rounds and stops.
 * A plaintext marker sits in its memory so that the control VM can look for it in the image.
 * Exit code: 0 continued correctly, 2 state lost across the restore, 3 never restored. */
#include "guest.h"

#define STATE_BYTES (256 * 1024)
#define PRINT_EVERY 4
#define MAX_ROUNDS 3000
#define ROUNDS_AFTER 3
#define MARKER "WORKER-PLAINTEXT-MARKER-7f3a"

static u8 state[STATE_BYTES];
volatile const char marker[] = MARKER;

static u8 pattern(u64 i, u64 round) { return (u8)(i * 13 + round * 7 + (i >> 9)); }

static void fill(u64 round)
{
	for (u64 i = 0; i < STATE_BYTES; i++)
		state[i] = pattern(i, round);
}

/* Bytes of the buffer that differ from round's pattern. */
static u64 wrong_bytes(u64 round)
{
	u64 n = 0;
	for (u64 i = 0; i < STATE_BYTES; i++)
		n += state[i] != pattern(i, round);
	return n;
}

static u64 checksum(void)
{
	u64 h = 1469598103934665603ULL; /* FNV-1a */
	for (u64 i = 0; i < STATE_BYTES; i++)
		h = (h ^ state[i]) * 1099511628211ULL;
	return h;
}

static void set_xmm5(u64 v) { __asm__ volatile("movq %0, %%xmm5" ::"r"(v)); }
static u64 get_xmm5(void)
{
	u64 v;
	__asm__ volatile("movq %%xmm5, %0" : "=r"(v));
	return v;
}

int guest_main(u64 ram, u64 area)
{
	(void)area;
	char name[40];
	s64 id0 = hypercall(HC_VM_ID, 0, 0);
	hypercall(HC_VM_NAME, (u64)(uintptr_t)name, sizeof(name));
	gprintf("worker: started as VM %lld '%s', %llu KiB of RAM, marker at %p\n", id0, name, ram / 1024,
		(void *)marker);
	gprintf("worker: pause hypercall without control rights refused with %lld\n", hypercall(HC_VM_PAUSE, 0, 0));

	for (u64 round = 1; round <= MAX_ROUNDS; round++) {
		fill(round);
		set_xmm5(round);
		if (round % PRINT_EVERY == 0)
			gprintf("worker: round %llu, memory checksum %llx\n", round, checksum());
		hypercall(HC_YIELD, 0, 0);
		s64 id = hypercall(HC_VM_ID, 0, 0);
		if (id == id0)
			continue;
		hypercall(HC_VM_NAME, (u64)(uintptr_t)name, sizeof(name));
		u64 wrong = wrong_bytes(round), x = get_xmm5();
		gprintf("worker: now VM %lld '%s': continuing after round %llu, %llu wrong bytes in memory, xmm5 %s\n",
			id, name, round, wrong, x == round ? "intact" : "LOST");
		if (wrong || x != round)
			return 2;
		for (u64 r = round + 1; r <= round + ROUNDS_AFTER; r++) {
			fill(r);
			gprintf("worker: round %llu, memory checksum %llx\n", r, checksum());
			hypercall(HC_YIELD, 0, 0);
		}
		gprintf("worker: continued correctly, stopping with code 0\n");
		return 0;
	}
	gprintf("worker: never restored after %u rounds\n", MAX_ROUNDS);
	return 3;
}
