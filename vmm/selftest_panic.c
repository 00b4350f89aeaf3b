/* vmm/selftest_panic.c: the "panic" suite: deliberately executes an invalid instruction inside
 * Moat, so a scenario can check the fatal-exception report (vector, RIP, registers, backtrace)
 * and that a test run then leaves the emulator with the failing code. It never returns. */
#include "selftest.h"
#include "../kernel/log.h"

void selftest_panic(const struct kernel_ctx *k, struct selftest_result *r)
{
	(void)k;
	(void)r;
	pr_info("test", "panic: executing ud2 on purpose; a register dump and a failing exit follow");
	__asm__ volatile("mov $0x6d6f6174, %%rbx\n\tud2" ::: "rbx", "memory"); /* rbx = "moat" */
	__builtin_unreachable();
}
