/* tests/unit/test_virq.c: the pending device-interrupt set of a VM (vmm/virq.c): raising from the
 * host handler, taking the highest vector on the VM's CPU, refusing exception vectors, and the
 * inject / wait / nothing decision for an image VM (RFLAGS.IF, STI/MOV SS blocking, an event already
 * being injected). Also the compatibility-format message Moat writes without interrupt remapping. */
#include "check.h"
#include "iommu/msi.h"
#include "vmm/virq.h"

#define RFLAGS_FIXED 0x2ULL
#define IF_ON (RFLAGS_FIXED | VIRQ_IF)
#define STI_BLOCKING 0x1ULL
#define MOVSS_BLOCKING 0x2ULL
#define NMI_BLOCKING 0x8ULL

static void raise_take_order(void)
{
	struct virq q = {0};
	CHECK(!virq_any(&q));
	CHECK_EQ(virq_take(&q), -1);
	CHECK(virq_raise(&q, 0x41));
	CHECK(virq_raise(&q, 0xfe));
	CHECK(virq_raise(&q, 0x80));
	CHECK(virq_raise(&q, 0x41)); /* twice pending is once pending (edge, like an IRR bit) */
	CHECK_EQ(q.raised, 4);
	CHECK(virq_any(&q));
	CHECK_EQ(virq_take(&q), 0xfe);
	CHECK_EQ(virq_take(&q), 0x80);
	CHECK_EQ(virq_take(&q), 0x41);
	CHECK_EQ(virq_take(&q), -1);
	CHECK(!virq_any(&q));
	CHECK(virq_raise(&q, VIRQ_FIRST_VALID));
	CHECK(virq_raise(&q, 0xff));
	CHECK_EQ(virq_take(&q), 0xff);
	CHECK_EQ(virq_take(&q), VIRQ_FIRST_VALID);
}

static void exception_vectors_refused(void)
{
	struct virq q = {0};
	for (u32 v = 0; v < VIRQ_FIRST_VALID; v++)
		CHECK(!virq_raise(&q, v));
	CHECK(!virq_raise(&q, VIRQ_VECTORS));
	CHECK_EQ(q.refused, VIRQ_FIRST_VALID + 1);
	CHECK_EQ(q.raised, 0);
	CHECK(!virq_any(&q));
	virq_raise(&q, 0x50);
	virq_clear(&q);
	CHECK(!virq_any(&q));
	CHECK_EQ(q.raised, 0);
	CHECK_EQ(q.refused, 0);
}

static void image_vm_gate(void)
{
	struct virq q = {0};
	CHECK_EQ(virq_decide(&q, false, IF_ON, 0), VIRQ_NONE);
	virq_raise(&q, 0x40);
	CHECK_EQ(virq_decide(&q, false, IF_ON, 0), VIRQ_INJECT);
	CHECK_EQ(virq_decide(&q, false, IF_ON, NMI_BLOCKING), VIRQ_INJECT); /* NMI blocking does not block INTR */
	CHECK_EQ(virq_decide(&q, false, RFLAGS_FIXED, 0), VIRQ_WAIT);     /* IF=0 */
	CHECK_EQ(virq_decide(&q, false, IF_ON, STI_BLOCKING), VIRQ_WAIT);
	CHECK_EQ(virq_decide(&q, false, IF_ON, MOVSS_BLOCKING), VIRQ_WAIT);
	CHECK_EQ(virq_decide(&q, true, IF_ON, 0), VIRQ_WAIT); /* an event (re-)injection comes first */
	/* waiting does not lose it */
	CHECK_EQ(virq_take(&q), 0x40);
	CHECK_EQ(virq_decide(&q, false, IF_ON, 0), VIRQ_NONE);
}

static void compat_message_is_moats(void)
{
	/* what vpci_msi.c writes without IR: Moat's host vector 0xD0 + slot to this CPU, fixed, edge */
	struct msi_msg m = msi_compat(0, 0xd1);
	CHECK_EQ(m.addr_lo, MSI_ADDR_BASE);
	CHECK_EQ(m.addr_hi, 0);
	CHECK_EQ(m.data, 0xd1);
	CHECK(!msi_addr_is_remappable(m.addr_lo));
}

static const struct unit_test virq_tests[] = {
	UNIT_TEST(raise_take_order),
	UNIT_TEST(exception_vectors_refused),
	UNIT_TEST(image_vm_gate),
	UNIT_TEST(compat_message_is_moats),
};
UNIT_SUITE(virq_suite, virq_tests);
