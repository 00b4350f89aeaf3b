/* vmm/selftest_boot.c: the "boot" suite: proves, on the running machine, that Moat took it over
 * as designed: every CPU started, W^X and NX enforced, page 0 and stack guards unmapped, the
 * frame allocator consistent, the stack canary installed. */
#include "selftest.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/idt.h"
#include "../kernel/log.h"
#include "../kernel/percpu.h"
#include "../kernel/probe.h"
#include "../kernel/string.h"

#define PF_ERR_PRESENT BIT(0)
#define PF_ERR_WRITE BIT(1)
#define PF_ERR_FETCH BIT(4)
#define ALLOC_TEST_FRAMES 64
#define X86_RET 0xc3

extern const u8 __text_start[], __rodata_start[];
static u8 data_probe_byte = X86_RET;

/* True when the probe faulted with a page fault whose error code has all of `bits`. */
static bool page_fault_with(bool faulted, u64 bits)
{
	struct percpu *pc = this_cpu();
	return faulted && pc->fault_vector == VEC_PF && (pc->fault_error & bits) == bits;
}

static void test_cpus(const struct kernel_ctx *k, struct selftest_result *r)
{
	char why[96];
	u32 seen = 0;
	for (u32 i = 0; i < MAX_CPUS; i++)
		seen += percpu_area[i].online ? 1 : 0;
	snprintf(why, sizeof(why), "%u of %u CPUs online (%u flagged)", k->cpus_online, k->cpus_expected, seen);
	selftest_report(r, "boot-cpus", k->cpus_online == k->cpus_expected && seen == k->cpus_online, why);
}

static void test_wx(struct selftest_result *r)
{
	bool text = page_fault_with(probe_write((u64)(uintptr_t)__text_start), PF_ERR_PRESENT | PF_ERR_WRITE);
	selftest_report(r, "boot-text-readonly", text, "a write to Moat's code did not fault");
	bool ro = page_fault_with(probe_write((u64)(uintptr_t)__rodata_start), PF_ERR_PRESENT | PF_ERR_WRITE);
	selftest_report(r, "boot-rodata-readonly", ro, "a write to Moat's constants did not fault");
	bool nx = page_fault_with(probe_exec((u64)(uintptr_t)&data_probe_byte), PF_ERR_PRESENT | PF_ERR_FETCH);
	selftest_report(r, "boot-data-noexec", nx, "code in Moat's data ran");
	u64 frame = frame_alloc();
	bool ram_nx = false;
	if (frame) {
		*(volatile u8 *)(uintptr_t)frame = X86_RET;
		ram_nx = page_fault_with(probe_exec(frame), PF_ERR_PRESENT | PF_ERR_FETCH);
		frame_free(frame);
	}
	selftest_report(r, "boot-ram-noexec", ram_nx, "code in a free RAM frame ran");
}

static void test_unmapped(const struct kernel_ctx *k, struct selftest_result *r)
{
	bool null = page_fault_with(probe_read(0), 0) && !(this_cpu()->fault_error & PF_ERR_PRESENT);
	selftest_report(r, "boot-null-unmapped", null, "page 0 is readable");
	u64 guard = k->boot->stack_top - k->boot->stack_size - 1;
	bool g = page_fault_with(probe_read(guard), 0) && !(this_cpu()->fault_error & PF_ERR_PRESENT);
	selftest_report(r, "boot-stack-guard", g, "the page below the boot stack is readable");
}

static void test_alloc(struct selftest_result *r)
{
	static u64 frames[ALLOC_TEST_FRAMES];
	const char *why = NULL;
	u64 before = frame_free_count();
	u32 got = 0;
	for (; got < ALLOC_TEST_FRAMES; got++) {
		frames[got] = frame_alloc();
		if (!frames[got]) {
			why = "allocation failed with memory free";
			break;
		}
		if (frames[got] % PAGE_SIZE || frames[got] < FRAME_LOW_LIMIT)
			why = "a frame is misaligned or below 1 MiB";
		for (u32 j = 0; j < got; j++)
			if (frames[j] == frames[got])
				why = "a frame was handed out twice";
		memset((void *)(uintptr_t)frames[got], (int)got, PAGE_SIZE);
	}
	for (u32 i = 0; i < got && !why; i++)
		if (((volatile u8 *)(uintptr_t)frames[i])[PAGE_SIZE - 1] != (u8)i)
			why = "frames overlap: a pattern was overwritten";
	if (!why && frame_free_count() != before - got)
		why = "the free count did not drop by the frames taken";
	for (u32 i = 0; i < got; i++)
		if (frame_free(frames[i]) != 0)
			why = "freeing an allocated frame failed";
	if (!why && frame_free_count() != before)
		why = "the free count was not restored";
	if (!why && got)
		pr_info("test", "boot-frame-alloc: freeing a frame twice on purpose: one error line follows");
	if (!why && got && frame_free(frames[0]) != -1)
		why = "a double free was not detected";
	selftest_report(r, "boot-frame-alloc", !why, why);
}

static void test_canary(struct selftest_result *r)
{
	u64 v;
	__asm__ volatile("mov %%fs:0x28, %0" : "=r"(v));
	selftest_report(r, "boot-stack-canary", v && v == this_cpu()->canary, "no canary at %fs:0x28");
}

void selftest_boot(const struct kernel_ctx *k, struct selftest_result *r)
{
	test_cpus(k, r);
	test_wx(r);
	test_unmapped(k, r);
	test_alloc(r);
	test_canary(r);
}
