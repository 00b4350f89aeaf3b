/* vmm/selftest_dma_bench.c: the "dma-bench" suite: DMA-domain figures on the running machine:
 * building a 1 GiB domain (table pages and time) and the rate of strict unmaps (each one waits for
 * its IOTLB invalidation). Prints "moat: bench: iommu: ..." lines; fails only on errors, never on
 * speed. */
#include "selftest.h"
#include "../iommu/iommu.h"
#include "../kernel/cpu.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/string.h"
#include "../kernel/tsc.h"

#define BENCH_OWNER (OWNER_VM_FIRST + 2)
#define CHUNK MiB(2)
#define CHUNK_PAGES (CHUNK / PAGE_SIZE)
#define DOMAIN_SIZE GiB(1)
#define BUILD_GPA GiB(4)
#define UNMAP_GPA GiB(8)
#define UNMAP_PAGES 512

static u64 us_since(u64 t0) { return (rdtsc() - t0) / (tsc_hz() / 1000000 ? tsc_hz() / 1000000 : 1); }

void selftest_dma_bench(const struct kernel_ctx *k __unused, struct selftest_result *r)
{
	const char *why = NULL;
	u64 chunk = frame_alloc_contig(CHUNK_PAGES, CHUNK_PAGES, 0);
	if (!chunk || frame_owner_assign(chunk, CHUNK_PAGES, BENCH_OWNER, FRAME_R | FRAME_W) != 0) {
		selftest_report(r, "dma-bench", false, "no 2 MiB of memory for the benchmark");
		return;
	}
	struct iommu_domain *d = domain_create(BENCH_OWNER, "bench");
	if (!d)
		why = "domain_create failed";

	/* a 1 GiB guest-physical space made of one 2 MiB chunk mapped 512 times */
	u64 t0 = rdtsc();
	for (u64 off = 0; !why && off < DOMAIN_SIZE; off += CHUNK)
		if (domain_map(d, BUILD_GPA + off, chunk, CHUNK, DOMAIN_RW) != 0)
			why = "mapping the 1 GiB domain failed";
	if (!why)
		pr_info("bench", "iommu: 1 GiB domain from 2 MiB mappings: %llu table pages, %llu us (%u-level)",
			domain_table_pages(d), us_since(t0), domain_levels(d));

	/* strict unmap rate: 512 single pages, each unmap waits for its invalidation */
	for (u64 i = 0; !why && i < UNMAP_PAGES; i++)
		if (domain_map(d, UNMAP_GPA + i * PAGE_SIZE, chunk + i * PAGE_SIZE, PAGE_SIZE, DOMAIN_RW) != 0)
			why = "mapping pages for the unmap benchmark failed";
	t0 = rdtsc();
	for (u64 i = 0; !why && i < UNMAP_PAGES; i++)
		if (domain_unmap(d, UNMAP_GPA + i * PAGE_SIZE, PAGE_SIZE) != 0)
			why = "a strict unmap failed";
	if (!why) {
		u64 us = us_since(t0);
		pr_info("bench", "iommu: unmap+invalidate 4 KiB: %u in %llu us, %llu per second", UNMAP_PAGES, us,
			us ? UNMAP_PAGES * 1000000ULL / us : 0);
	}
	/* one unmap of the whole 1 GiB (superpage entries, one range invalidation) */
	t0 = rdtsc();
	if (!why && domain_unmap(d, BUILD_GPA, DOMAIN_SIZE) != 0)
		why = "unmapping the 1 GiB domain failed";
	if (!why)
		pr_info("bench", "iommu: unmap+invalidate 1 GiB at once: %llu us", us_since(t0));

	domain_destroy(d);
	memset((void *)(uintptr_t)chunk, 0, CHUNK);
	frame_owner_mark_scrubbed(chunk, CHUNK_PAGES, BENCH_OWNER); /* domain gone, IOTLB invalidated */
	frame_owner_release(chunk, CHUNK_PAGES, BENCH_OWNER);
	frame_free_contig(chunk, CHUNK_PAGES);
	selftest_report(r, "dma-bench", !why, why);
}
