/* kernel/smp.c: bring-up of the application processors the MADT lists (INIT-SIPI-SIPI, one at a
 * time) and the per-CPU setup every CPU runs; CPUs found by broadcast: kernel/smp_broadcast.c. */
#include "smp.h"
#include "apic.h"
#include "cpu.h"
#include "cpu_work.h"
#include "frame_alloc.h"
#include "frame_owner.h"
#include "moat_frames.h"
#include "idt.h"
#include "log.h"
#include "paging.h"
#include "string.h"
#include "tsc.h"

#define AP_STACK_PAGES 8
#define AP_WAIT_US 500000
#define INIT_DELAY_US 10000
#define SIPI_DELAY_US 200

extern const u8 ap_trampoline_start[], ap_trampoline_end[];
extern const u8 tr_gdtr_base[], tr_pm32_off[], tr_lm64_off[], tr_cr3[], tr_stack[], tr_entry[], tr_arg[];
extern const u8 tr_gdt[], tr_pm32[], tr_lm64[];

void cpu_setup_features(void)
{
	write_cr0((read_cr0() | CR0_NE | CR0_MP | CR0_WP) & ~(CR0_EM | CR0_TS));
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	wrmsr(MSR_IA32_EFER, rdmsr(MSR_IA32_EFER) | EFER_NXE);
}

/* A stack of `pages` with an unmapped guard page below it; returns its top, 0 on failure. */
static u64 alloc_guarded_stack(u64 pages)
{
	u64 base = moat_frames_alloc(pages + 1, 1, 0);
	if (!base)
		return 0;
	if (paging_set_page(base, 0) != 0) {
		frame_owner_release(base, pages + 1, OWNER_MOAT);
		frame_free_contig(base, pages + 1);
		return 0;
	}
	return base + (pages + 1) * PAGE_SIZE;
}

int cpu_alloc_stacks(struct percpu *pc)
{
	for (int i = 0; i < IST_COUNT; i++) {
		pc->ist_stack[i] = alloc_guarded_stack(IST_STACK_SIZE / PAGE_SIZE);
		if (!pc->ist_stack[i])
			return -1;
	}
	return 0;
}

static void patch32(u8 *page, const u8 *field, u32 v) { memcpy(page + (field - ap_trampoline_start), &v, 4); }
static void patch64(u8 *page, const u8 *field, u64 v) { memcpy(page + (field - ap_trampoline_start), &v, 8); }

__attribute__((visibility("hidden"))) __noreturn void ap_main(struct percpu *pc);
__attribute__((no_stack_protector)) void ap_main(struct percpu *pc)
{
	percpu_install(pc);
	gdt_load(&pc->tables, pc->ist_stack);
	idt_load();
	cpu_setup_features();
	apic_init_ap();
	pc->apic_id = apic_id();
	__atomic_store_n(&pc->online, 1, __ATOMIC_RELEASE);
	cpu_work_idle();
}

struct percpu *smp_prepare_cpu(u32 index, u32 apic)
{
	struct percpu *pc = &percpu_area[index];
	memset(pc, 0, sizeof(*pc));
	pc->index = index;
	pc->apic_id = apic;
	u64 top = alloc_guarded_stack(AP_STACK_PAGES);
	if (!top || cpu_alloc_stacks(pc) != 0) {
		pr_err("cpu", "out of memory for the stacks of cpu %u (apic id %u)", index, apic);
		return NULL;
	}
	pc->stack_top = top;
	pc->stack_bottom = top - AP_STACK_PAGES * PAGE_SIZE;
	return pc;
}

void smp_trampoline_patch(u8 *page, u64 stack_top, u64 entry, u64 arg)
{
	u64 base = (u64)(uintptr_t)page;
	patch32(page, tr_gdtr_base, (u32)(base + (u64)(tr_gdt - ap_trampoline_start)));
	patch32(page, tr_pm32_off, (u32)(base + (u64)(tr_pm32 - ap_trampoline_start)));
	patch32(page, tr_lm64_off, (u32)(base + (u64)(tr_lm64 - ap_trampoline_start)));
	patch64(page, tr_cr3, paging_root());
	patch64(page, tr_stack, stack_top);
	patch64(page, tr_entry, entry);
	patch64(page, tr_arg, arg);
}

u64 smp_ap_entry(void) { return (u64)(uintptr_t)ap_main; }

static bool start_one(u32 apic, u32 index, u8 *page)
{
	struct percpu *pc = smp_prepare_cpu(index, apic);
	if (!pc)
		return false;
	u64 base = (u64)(uintptr_t)page;
	smp_trampoline_patch(page, pc->stack_top, smp_ap_entry(), (u64)(uintptr_t)pc);

	apic_send_init(apic);
	tsc_delay_us(INIT_DELAY_US);
	for (int i = 0; i < 2 && !pc->online; i++) {
		apic_send_startup(apic, (u8)(base >> PAGE_SHIFT));
		tsc_delay_us(SIPI_DELAY_US);
	}
	u64 deadline = rdtsc() + tsc_hz() / 1000000 * AP_WAIT_US;
	while (!__atomic_load_n(&pc->online, __ATOMIC_ACQUIRE) && rdtsc() < deadline)
		cpu_relax();
	if (!pc->online) {
		pr_err("cpu", "cpu with apic id %u did not start (no answer to INIT-SIPI-SIPI)", apic);
		return false;
	}
	return true;
}

u8 *smp_trampoline_install(u64 low_page)
{
	u64 tr_size = (u64)(ap_trampoline_end - ap_trampoline_start);
	if (!low_page || tr_size > PAGE_SIZE)
		return NULL;
	/* the trampoline page must be executable while CPUs start */
	if (paging_set_page(low_page, PTE_P | PTE_RW) != 0)
		return NULL;
	memcpy((u8 *)(uintptr_t)low_page, ap_trampoline_start, tr_size);
	return (u8 *)(uintptr_t)low_page;
}

void smp_trampoline_remove(u64 low_page) { paging_set_page(low_page, PTE_P | PTE_RW | PTE_NX); }

u32 smp_start(const u32 *apic_ids, u32 n, u64 low_page)
{
	u32 online = 1;
	u32 self = apic_id();
	u64 tr_size = (u64)(ap_trampoline_end - ap_trampoline_start);
	if (!low_page || tr_size > PAGE_SIZE) {
		if (n > 1)
			pr_warn("cpu", "no trampoline page below 1 MiB: running on the boot CPU only");
		return online;
	}
	u8 *page = smp_trampoline_install(low_page);
	if (!page)
		return online;
	for (u32 i = 0; i < n && online < MAX_CPUS; i++) {
		if (apic_ids[i] == self)
			continue;
		if (start_one(apic_ids[i], online, page))
			online++;
	}
	smp_trampoline_remove(low_page);
	return online;
}
