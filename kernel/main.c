/* kernel/main.c: kernel_main, the first code after ExitBootServices: takes over the CPU (GDT, IDT,
 * page tables), memory, ACPI and the other CPUs, prints what it found, then calls hv_main. */
#include "kernel.h"
#include "apic.h"
#include "cpu.h"
#include "fmt.h"
#include "frame_alloc.h"
#include "frame_owner.h"
#include "gdt.h"
#include "idt.h"
#include "irq_vector.h"
#include "log.h"
#include "machine_exit.h"
#include "moat_frames.h"
#include "paging.h"
#include "panic.h"
#include "percpu.h"
#include "smp.h"
#include "string.h"
#include "tsc.h"
#include "uart.h"

static struct acpi_info acpi;
static struct moat_config cfg;
static struct kernel_ctx ctx;
static u8 bsp_ist[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
static const struct boot_info *boot;

/* ACPI tables may only be read where the firmware said it keeps them. */
static bool acpi_memory_ok(u64 phys, u64 len)
{
	for (u32 i = 0; i < boot->nmem; i++) {
		const struct boot_mem_region *r = &boot->mem[i];
		bool fw = r->type == BOOT_MEM_ACPI || r->type == BOOT_MEM_ACPI_NVS || r->type == BOOT_MEM_RESERVED;
		u64 end = r->base + r->pages * PAGE_SIZE;
		if (fw && phys >= r->base && phys < end)
			return len <= end - phys;
	}
	return false;
}

static void stop_other_cpus(void) { apic_send_nmi_others(); }

static void log_cpus(u32 online)
{
	char ids[160];
	size_t n = 0;
	for (u32 i = 0; i < online && i < MAX_CPUS && n < sizeof(ids) - 12; i++)
		n += (size_t)snprintf(ids + n, sizeof(ids) - n, i ? " %u" : "%u", percpu_area[i].apic_id);
	pr_info("cpu", "%u online (apic ids %s)", online, ids);
}

static __noreturn void kernel_start(struct boot_info *bi)
{
	boot = bi;
	uart_init();
	struct percpu *bsp = &percpu_area[0];
	for (int i = 0; i < IST_COUNT; i++)
		bsp->ist_stack[i] = (u64)(uintptr_t)bsp_ist[i] + IST_STACK_SIZE;
	gdt_load(&bsp->tables, bsp->ist_stack);
	idt_init();
	irq_vector_init();
	idt_load();
	cpu_setup_features();
	bsp->stack_top = bi->stack_top;
	bsp->stack_bottom = bi->stack_top - bi->stack_size;

	if (bi->magic != BOOT_INFO_MAGIC || bi->version != BOOT_INFO_VERSION)
		panic("boot info has magic 0x%llx version %u: moat.efi and its kernel disagree", bi->magic, bi->version);

	char err[160];
	if (config_parse("moat.cfg", (const char *)(uintptr_t)bi->cfg_addr, bi->cfg_size, &cfg, err, sizeof(err)))
		panic("config: %s", err);
	log_set_level(cfg.log_level);
	machine_exit_enable_emulator(cfg.emulator_exit);
	pr_info("kernel", "Moat started on its own stack (config from %s)", bi->cfg_source);

	if (frame_alloc_init(bi->mem, bi->nmem) != 0)
		panic("no usable memory for the frame allocator");
	if (paging_init(bi) != 0)
		panic("out of memory while building Moat's page tables");
	frame_alloc_add_type(bi->mem, bi->nmem, BOOT_MEM_BOOT_SERVICES);
	if (frame_owner_init(frame_alloc_max_phys()) != 0)
		panic("out of memory for the frame ownership table");
	moat_frames_record_early();
	for (u32 i = 0; i < bi->nmem; i++)
		if (bi->mem[i].type == BOOT_MEM_MOAT && bi->mem[i].base + bi->mem[i].pages * PAGE_SIZE <= frame_alloc_max_phys())
			frame_owner_assign(bi->mem[i].base, bi->mem[i].pages, OWNER_MOAT, FRAME_R | FRAME_W | FRAME_X);

	acpi_set_phys_check(acpi_memory_ok);
	acpi_parse(bi->rsdp, &acpi);
	machine_exit_set_acpi(acpi.pm1a_cnt, acpi.pm1b_cnt, acpi.slp_typ_a, acpi.slp_typ_b, acpi.have_s5);

	apic_init_bsp(acpi.have_madt ? acpi.lapic_addr : 0);
	bsp->apic_id = apic_id();
	bsp->online = 1;
	panic_set_stop_others(stop_other_cpus);
	u64 hz = tsc_calibrate();
	pr_debug("time", "tsc %llu MHz", hz / 1000000);

	static u32 ids[MAX_CPUS];
	u32 nids = 0;
	for (u32 i = 0; i < acpi.ncpus && nids < MAX_CPUS; i++)
		if (acpi.cpus[i].enabled)
			ids[nids++] = acpi.cpus[i].apic_id;
	if (acpi.have_madt && acpi.ncpus == 0)
		pr_warn("cpu", "the MADT lists no CPU: running on the boot CPU only");
	u32 online = smp_start(ids, nids, bi->low_page);
	if (!acpi.have_madt && cfg.cpu_discovery == CFG_CPU_DISCOVERY_BROADCAST)
		online = smp_start_broadcast(bi->low_page);
	cpus_online = online;

	log_cpus(online);
	pr_info("mem", "%llu MiB total, %llu MiB free for guests", frame_ram_bytes() / MiB(1),
		frame_free_count() * PAGE_SIZE / MiB(1));
	acpi_log_summary(&acpi);

	ctx.boot = bi;
	ctx.acpi = &acpi;
	ctx.cfg = &cfg;
	ctx.cpus_online = online;
	ctx.cpus_expected = nids ? nids : online; /* no MADT: 1, or what a broadcast found */
	hv_main(&ctx);
}

/* The canary lives in the per-CPU area: install it before any protected function runs. */
__attribute__((no_stack_protector)) void kernel_main(struct boot_info *bi)
{
	percpu_install(&percpu_area[0]);
	kernel_start(bi);
}
