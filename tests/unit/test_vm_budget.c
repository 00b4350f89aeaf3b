/* tests/unit/test_vm_budget.c: a config's VMs either all fit the free memory, or none starts and
 * the message names each VM's share. */
#include <string.h>
#include "check.h"
#include "vmm/vm_budget.h"

static void two_vms(struct moat_config *c, u64 a, u64 b)
{
	config_defaults(c);
	c->nvms = 2;
	strcpy(c->vms[0].name, "a");
	c->vms[0].memory = a;
	strcpy(c->vms[1].name, "b");
	c->vms[1].memory = b;
}

static void budget_fits(void)
{
	struct moat_config c;
	char buf[256];
	two_vms(&c, MiB(100), MiB(100));
	CHECK(vms_check_memory(&c, MiB(250), buf, sizeof(buf)) == NULL);
}

static void budget_exceeded(void)
{
	struct moat_config c;
	char buf[256];
	two_vms(&c, MiB(200), MiB(100));
	const char *m = vms_check_memory(&c, MiB(250), buf, sizeof(buf));
	CHECK(m != NULL);
	CHECK_HAS(m, "'a' 204800 KiB, 'b' 102400 KiB");
	CHECK_HAS(m, "only 254976 KiB are free: no VM started");
}

static void budget_counts_overhead(void)
{
	struct moat_config c;
	char buf[256];
	/* exactly the RAM fits, but not the per-VM tables */
	two_vms(&c, MiB(100), MiB(100));
	CHECK(vms_check_memory(&c, MiB(200) + VM_BUDGET_RESERVE, buf, sizeof(buf)) != NULL);
	CHECK(vms_check_memory(&c, MiB(200) + VM_BUDGET_RESERVE + 2 * VM_OVERHEAD_PAGES * PAGE_SIZE, buf,
			       sizeof(buf)) == NULL);
	CHECK(vms_check_memory(&c, 0, buf, 8) != NULL); /* a short buffer is fine */
	CHECK_EQ(strlen(buf), 7);
}

static const struct unit_test vm_budget_tests[] = {
	UNIT_TEST(budget_fits), UNIT_TEST(budget_exceeded), UNIT_TEST(budget_counts_overhead),
};
UNIT_SUITE(vm_budget_suite, vm_budget_tests);
