/* tools/bench/iommu_tables.c: host benchmark of the VT-d table builder (iommu/sl_table.c, compiled
 * natively): building a 1 GiB domain with 1 GiB, 2 MiB or only 4 KiB pages (table pages, time), and
 * the table side of unmapping it page by page. The hardware side (invalidation) is measured in the
 * hypervisor by the dma-bench suite. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "iommu/sl_table.h"

#define HPA_BASE (1ULL << 32) /* where the 1 GiB of "guest memory" sits */
#define IOVA_BASE (1ULL << 34)

static u64 host_alloc(void *ctx)
{
	(void)ctx;
	void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
	if (!p)
		return 0;
	memset(p, 0, PAGE_SIZE);
	return (u64)(uintptr_t)p;
}
static void host_free(void *ctx, u64 phys)
{
	(void)ctx;
	free((void *)(uintptr_t)phys);
}
static void *host_ptr(void *ctx, u64 phys)
{
	(void)ctx;
	return (void *)(uintptr_t)phys;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int run(const char *what, bool sp2m, bool sp1g, bool unmap_pages)
{
	static const struct sl_ops ops = {host_alloc, host_free, host_ptr, NULL, NULL};
	struct sl_table t;
	if (sl_init(&t, &ops, 4, 48, sp2m, sp1g) != 0)
		return -1;
	double t0 = now_ms();
	if (sl_map(&t, IOVA_BASE, HPA_BASE, GiB(1), SL_PERM_RW) != 0)
		return -1;
	double t1 = now_ms();
	printf("  1 GiB domain, %-16s %6llu table pages (%7llu KiB), built in %8.3f ms\n", what,
	       (unsigned long long)t.table_pages, (unsigned long long)t.table_pages * 4, t1 - t0);
	if (unmap_pages) {
		const u64 n = GiB(1) / PAGE_SIZE;
		t0 = now_ms();
		for (u64 i = 0; i < n; i++)
			if (sl_unmap(&t, IOVA_BASE + i * PAGE_SIZE, PAGE_SIZE) != 0)
				return -1;
		t1 = now_ms();
		printf("  table-side unmap of %llu single 4 KiB pages (%s): %.3f ms, %.1f M/s\n",
		       (unsigned long long)n, what, t1 - t0, n / (t1 - t0) / 1e3);
	}
	sl_destroy(&t);
	return 0;
}

int main(void)
{
	printf("VT-d second-level tables, 4-level (host, table builder only):\n");
	if (run("1G superpages", true, true, false) || run("2M superpages", true, false, false) ||
	    run("4K pages only", false, false, true) || run("1G split to 4K", true, true, true)) {
		fprintf(stderr, "iommu_tables: out of memory\n");
		return 1;
	}
	return 0;
}
