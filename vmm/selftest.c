/* vmm/selftest.c: the registry and runner of in-hypervisor test suites. */
#include "selftest.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

struct suite {
	const char *name;
	void (*run)(const struct kernel_ctx *k, struct selftest_result *r);
};

static const struct suite suites[] = {
	{"boot", selftest_boot},
	{"panic", selftest_panic},
	{"assign", selftest_assign},
	{"rmrr", selftest_rmrr},
	{"alias", selftest_alias},
	{"dma", selftest_dma},
	{"fault", selftest_fault},
	{"ir", selftest_ir},
	{"dma-bench", selftest_dma_bench},
	{"nic-dma", selftest_nic_dma},
	{"vm", selftest_vm},
	{"smm", selftest_smm},
	{"tpm", selftest_tpm},
};

void selftest_report(struct selftest_result *r, const char *name, bool ok, const char *why)
{
	char line[200];
	if (ok) {
		r->passed++;
		snprintf(line, sizeof(line), "test %s: PASS", name);
	} else {
		r->failed++;
		snprintf(line, sizeof(line), "test %s: FAIL: %s", name, why ? why : "failed");
	}
	log_plain(line);
}

void selftest_run(const struct kernel_ctx *k, struct selftest_result *r)
{
	for (u32 i = 0; i < k->cfg->ntests; i++) {
		const char *want = k->cfg->tests[i];
		bool found = false;
		for (u32 s = 0; s < ARRAY_SIZE(suites); s++) {
			if (strcmp(suites[s].name, want) == 0) {
				suites[s].run(k, r);
				found = true;
			}
		}
		if (!found)
			selftest_report(r, want, false, "no such test suite");
	}
	char line[80];
	snprintf(line, sizeof(line), "tests: %u passed, %u failed", r->passed, r->failed);
	log_plain(line);
}
