/* kernel/panic.c: panic and fatal-exception reports. Prints the reason, registers and a frame
 * pointer backtrace, stops the other CPUs, and in test runs leaves the emulator failing. */
#include <stdarg.h>
#include "panic.h"
#include "console.h"
#include "cpu.h"
#include "fmt.h"
#include "idt.h"
#include "log.h"
#include "machine_exit.h"
#include "percpu.h"

#define BACKTRACE_MAX 16
#define PANIC_STOP_SPINS 1000000 /* time for the NMI to reach the other CPUs */

static volatile u32 panicking;
static void (*stop_others)(void);

bool panic_in_progress(void) { return panicking != 0; }
void panic_set_stop_others(void (*fn)(void)) { stop_others = fn; }

void panic_park_cpu(void)
{
	for (;;) {
		irq_disable();
		cpu_hlt();
	}
}

/* The image's address range, for a backtrace that stops at anything outside it. The image+0x
 * offsets resolve with `addr2line -e build/moat.so 0xOFFSET`. */
extern const u8 ImageBase[];
extern const u8 __image_end[];

static void backtrace(u64 rbp, int first)
{
	for (int i = first; i < BACKTRACE_MAX && rbp; i++) {
		if (rbp & 7)
			break;
		const u64 *frame = (const u64 *)(uintptr_t)rbp;
		u64 ret = frame[1];
		if (ret < (u64)(uintptr_t)ImageBase || ret >= (u64)(uintptr_t)__image_end)
			break;
		pr_err("panic", "  #%d 0x%llx (image+0x%llx)", i, ret, ret - (u64)(uintptr_t)ImageBase);
		rbp = frame[0];
	}
}

static __noreturn void panic_finish(void)
{
	if (stop_others) {
		stop_others();
		/* a CPU stopped by the NMI may have held the console lock: the last lines must get out */
		for (int i = 0; i < PANIC_STOP_SPINS; i++)
			cpu_relax();
		console_break_lock();
	}
	pr_err("panic", "Moat stopped");
	machine_exit_fail();
	panic_park_cpu();
}

static bool panic_enter(void)
{
	irq_disable();
	return __atomic_exchange_n(&panicking, 1, __ATOMIC_ACQ_REL) == 0;
}

void panic(const char *fmt, ...)
{
	if (!panic_enter())
		panic_park_cpu();
	char msg[192];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pr_err("panic", "%s", msg);
	backtrace((u64)(uintptr_t)__builtin_frame_address(0), 0);
	panic_finish();
}

void panic_exception(struct int_frame *f, const char *name)
{
	if (!panic_enter())
		panic_park_cpu();
	pr_err("panic", "exception %llu (%s) error 0x%llx at rip 0x%llx (image+0x%llx) on cpu %u", f->vector, name,
	       f->error, f->rip, f->rip - (u64)(uintptr_t)ImageBase, this_cpu()->index);
	pr_err("panic", "cr2 0x%016llx cr3 0x%016llx rflags 0x%llx", read_cr2(), read_cr3(), f->rflags);
	pr_err("panic", "rax %016llx rbx %016llx rcx %016llx rdx %016llx", f->rax, f->rbx, f->rcx, f->rdx);
	pr_err("panic", "rsi %016llx rdi %016llx rbp %016llx rsp %016llx", f->rsi, f->rdi, f->rbp, f->rsp);
	pr_err("panic", "r8  %016llx r9  %016llx r10 %016llx r11 %016llx", f->r8, f->r9, f->r10, f->r11);
	pr_err("panic", "r12 %016llx r13 %016llx r14 %016llx r15 %016llx", f->r12, f->r13, f->r14, f->r15);
	pr_err("panic", "backtrace:");
	pr_err("panic", "  #0 0x%llx (image+0x%llx)", f->rip, f->rip - (u64)(uintptr_t)ImageBase);
	backtrace(f->rbp, 1);
	panic_finish();
}

__attribute__((visibility("hidden"))) void __stack_chk_fail(void);
void __stack_chk_fail(void) { panic("stack protector: stack smashed"); }
