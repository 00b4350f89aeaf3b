/* kernel/smp_broadcast.c: `cpu_discovery = broadcast` in [moat]. Firmware without ACPI (OVMF
 * on Bochs) gives no MADT, so Moat knows of no other CPU and runs on the boot CPU alone. With
 * this opt-in, and only when there is no MADT, the boot CPU sends INIT-SIPI-SIPI to "all
 * excluding self" and takes whichever CPUs check in during a bounded window: they queue on
 * tickets (kernel/ap_broadcast.asm) and the boot CPU starts them one at a time, each with its
 * own stacks and per-CPU area, so CPU indices follow check-in order and each AP learns its own
 * APIC id in ap_main. It is meant for emulators: on real hardware the MADT is the only list of
 * CPUs that are present, enabled and safe to wake, and a MADT, when there is one, always wins. */
#include "smp.h"
#include "apic.h"
#include "cpu.h"
#include "log.h"
#include "tsc.h"

#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200
#define CHECKIN_WINDOW_US 100000 /* how long after the SIPIs new CPUs are taken */
#define AP_WAIT_US 500000	 /* from a served ticket to ap_main's "online" */
#define US_PER_S 1000000
#define NOT_SERVING 0xffffffffU
#define TICKETS_CLOSED 0x40000000U /* added to every ticket taken after the window: parks */
#define APIC_ID_UNKNOWN 0xffffffffU
#define LANDING_WORDS 8

struct bcast_ctl {
	u32 ticket;  /* 0x00: the next ticket */
	u32 limit;   /* 0x04: tickets from here on park their CPU */
	u32 serving; /* 0x08: the ticket that may enter */
	u32 pad;
	u64 stack; /* 0x10: its stack top */
	u64 entry; /* 0x18: ap_main */
	u64 arg;   /* 0x20: its struct percpu */
};
_Static_assert(__builtin_offsetof(struct bcast_ctl, serving) == 0x08, "kernel/ap_broadcast.asm");
_Static_assert(__builtin_offsetof(struct bcast_ctl, stack) == 0x10, "kernel/ap_broadcast.asm");
_Static_assert(__builtin_offsetof(struct bcast_ctl, arg) == 0x20, "kernel/ap_broadcast.asm");

extern const u8 ap_broadcast_entry[];

static struct bcast_ctl ctl;
/* The trampoline pushes one word before it jumps; every AP pushes the same 0 here. */
static u64 landing[LANDING_WORDS] __attribute__((aligned(16)));

static u64 us_to_tsc(u64 us) { return tsc_hz() / US_PER_S * us; }

/* Lets ticket index-1 in as CPU index; true once it is online. */
static bool serve(u32 index)
{
	struct percpu *pc = smp_prepare_cpu(index, APIC_ID_UNKNOWN);
	if (!pc)
		return false;
	ctl.stack = pc->stack_top;
	ctl.arg = (u64)(uintptr_t)pc;
	__atomic_store_n(&ctl.serving, index - 1, __ATOMIC_RELEASE);
	u64 deadline = rdtsc() + us_to_tsc(AP_WAIT_US);
	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE) && rdtsc() < deadline)
		cpu_relax();
	if (!pc->online) {
		pr_err("cpu", "the cpu that took ticket %u did not reach ap_main: no more CPUs are started", index - 1);
		return false;
	}
	return true;
}

/* Starts the CPU that holds the next ticket as CPU *online; false when it did not come up. */
static bool take_next(u32 *online)
{
	if (!serve(*online))
		return false;
	(*online)++;
	return true;
}

u32 smp_start_broadcast(u64 low_page)
{
	pr_warn("cpu", "cpu_discovery = broadcast: no MADT, starting the other CPUs with an INIT-SIPI-SIPI "
		       "broadcast (meant for emulators and firmware without ACPI)");
	u8 *page = smp_trampoline_install(low_page);
	if (!page) {
		pr_warn("cpu", "no trampoline page below 1 MiB: running on the boot CPU only");
		return 1;
	}
	ctl = (struct bcast_ctl){.limit = MAX_CPUS - 1, .serving = NOT_SERVING, .entry = smp_ap_entry()};
	smp_trampoline_patch(page, (u64)(uintptr_t)&landing[LANDING_WORDS], (u64)(uintptr_t)ap_broadcast_entry,
			     (u64)(uintptr_t)&ctl);
	apic_send_init_others();
	tsc_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2; i++) {
		apic_send_startup_others((u8)(low_page >> PAGE_SHIFT));
		tsc_delay_us(SIPI_DELAY_US);
	}

	u32 online = 1;
	bool stalled = false;
	u64 deadline = rdtsc() + us_to_tsc(CHECKIN_WINDOW_US);
	while (!stalled && rdtsc() < deadline) {
		if (online - 1 < __atomic_load_n(&ctl.ticket, __ATOMIC_ACQUIRE) && online < MAX_CPUS)
			stalled = !take_next(&online);
		else
			cpu_relax();
	}
	u32 taken = __atomic_exchange_n(&ctl.ticket, TICKETS_CLOSED, __ATOMIC_ACQ_REL);
	while (!stalled && online - 1 < taken && online < MAX_CPUS)
		stalled = !take_next(&online);
	smp_trampoline_remove(low_page);
	if (taken > online - 1)
		pr_warn("cpu", "%u CPUs answered the broadcast but were not started (parked)", taken - (online - 1));
	return online;
}
