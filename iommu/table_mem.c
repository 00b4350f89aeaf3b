/* iommu/table_mem.c: frames for VT-d structures and their cache maintenance (see table_mem.h). */
#include "table_mem.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define CACHE_LINE 64

static bool coherent = true;

void vtd_table_set_coherent(bool c) { coherent = c; }
bool vtd_table_coherent(void) { return coherent; }

u64 vtd_table_alloc(void)
{
	u64 f = frame_alloc();
	if (!f) {
		pr_err("iommu", "out of memory for a VT-d table");
		return 0;
	}
	if (frame_owner_assign(f, 1, OWNER_MOAT, FRAME_R | FRAME_W) != 0) {
		frame_free(f);
		return 0;
	}
	memset((void *)(uintptr_t)f, 0, PAGE_SIZE);
	vtd_table_flush((void *)(uintptr_t)f, PAGE_SIZE);
	return f;
}

void vtd_table_free(u64 phys)
{
	if (frame_owner_release(phys, 1, OWNER_MOAT) == 0)
		frame_free(phys);
}

void vtd_table_flush(const void *p, size_t len)
{
	if (coherent || !len)
		return;
	uintptr_t a = ALIGN_DOWN((uintptr_t)p, CACHE_LINE), end = (uintptr_t)p + len;
	for (; a < end; a += CACHE_LINE)
		__asm__ volatile("clflush (%0)" ::"r"(a) : "memory");
	__asm__ volatile("mfence" ::: "memory");
}

static u64 ops_alloc(void *ctx __unused) { return vtd_table_alloc(); }
static void ops_free(void *ctx __unused, u64 phys) { vtd_table_free(phys); }
static void *ops_ptr(void *ctx __unused, u64 phys) { return (void *)(uintptr_t)phys; }
static void ops_flush(void *ctx __unused, const void *p, size_t len) { vtd_table_flush(p, len); }

const struct sl_ops vtd_sl_ops = {
	.alloc = ops_alloc,
	.free = ops_free,
	.ptr = ops_ptr,
	.flush = ops_flush,
	.ctx = NULL,
};
