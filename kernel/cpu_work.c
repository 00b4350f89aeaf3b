/* kernel/cpu_work.c: the per-CPU work slots and the AP idle loop (see cpu_work.h). A slot goes
 * IDLE -> POSTED (poster) -> RUNNING -> DONE (the CPU it belongs to); the poster may post again
 * once it is DONE. Checks and HLT are made race-free with "cli; check; sti; hlt": an IPI that
 * arrives after the check is still pending at the HLT and ends it. */
#include "cpu_work.h"
#include "apic.h"
#include "cpu.h"
#include "idt.h"
#include "percpu.h"
#include "tsc.h"

#define RFLAGS_IF BIT(9)
#define US_PER_S 1000000

enum work_state { WORK_IDLE = 0, WORK_POSTED, WORK_RUNNING, WORK_DONE };

struct work_slot {
	cpu_work_fn fn;
	void *arg;
	u32 poster_apic; /* woken when the work is done */
	u32 state;       /* enum work_state, accessed atomically */
};

static struct work_slot slots[MAX_CPUS];

static u32 load_state(const struct work_slot *w) { return __atomic_load_n(&w->state, __ATOMIC_ACQUIRE); }

/* Waking is all the IPI is for; the work itself is found in the slot. */
static void on_work_ipi(struct int_frame *f __unused) { apic_eoi(); }

static void halt_until_interrupt(void) { __asm__ volatile("sti; hlt; cli" ::: "memory"); }

static u64 read_rflags(void)
{
	u64 f;
	__asm__ volatile("pushfq; pop %0" : "=r"(f));
	return f;
}

int cpu_work_post(u32 cpu, cpu_work_fn fn, void *arg)
{
	if (cpu == 0 || cpu >= cpus_online || cpu >= MAX_CPUS || !percpu_area[cpu].online)
		return -1;
	struct work_slot *w = &slots[cpu];
	u32 s = load_state(w);
	if (s != WORK_IDLE && s != WORK_DONE)
		return -1;
	idt_set_handler(VEC_CPU_WORK, on_work_ipi);
	w->fn = fn;
	w->arg = arg;
	w->poster_apic = this_cpu()->apic_id;
	__atomic_store_n(&w->state, WORK_POSTED, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST); /* the x2APIC ICR write is not serializing */
	apic_send_fixed(percpu_area[cpu].apic_id, VEC_CPU_WORK);
	return 0;
}

bool cpu_work_done(u32 cpu) { return cpu < MAX_CPUS && load_state(&slots[cpu]) == WORK_DONE; }

bool cpu_work_wait(u32 cpu, u64 timeout_us)
{
	if (timeout_us) {
		u64 deadline = rdtsc() + tsc_hz() / US_PER_S * timeout_us;
		while (!cpu_work_done(cpu) && rdtsc() < deadline)
			cpu_relax();
		return cpu_work_done(cpu);
	}
	bool had_if = read_rflags() & RFLAGS_IF;
	irq_disable();
	while (!cpu_work_done(cpu))
		halt_until_interrupt();
	if (had_if)
		irq_enable();
	return true;
}

void cpu_work_idle(void)
{
	idt_set_handler(VEC_CPU_WORK, on_work_ipi);
	struct work_slot *w = &slots[this_cpu()->index];
	for (;;) {
		irq_disable();
		if (load_state(w) != WORK_POSTED) {
			halt_until_interrupt();
			continue;
		}
		__atomic_store_n(&w->state, WORK_RUNNING, __ATOMIC_RELAXED);
		w->fn(w->arg);
		irq_disable();
		u32 poster = w->poster_apic;
		__atomic_store_n(&w->state, WORK_DONE, __ATOMIC_RELEASE);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		apic_send_fixed(poster, VEC_CPU_WORK);
	}
}
