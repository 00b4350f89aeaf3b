/* tests/unit/test_vmsix.c: the shadow MSI-X table (vmm/vmsix.c): classifying accesses on the trapped
 * page (table, PBA, other registers to forward), reads from the shadow, and the program/mask
 * decisions on the vector-control writes, with non-interrupt addresses refused. */
#include "check.h"
#include "vmm/vmsix.h"

#define TABLE_OFF 0x2000
#define PBA_OFF 0x3000
#define ENTRIES 5
#define GUEST_ADDR 0xfee00000u
#define GUEST_VECTOR 0x41

static void classify(void)
{
	struct vmsix x;
	CHECK_EQ(vmsix_init(&x, 0, TABLE_OFF, PBA_OFF), -1);
	CHECK_EQ(vmsix_init(&x, VMSIX_MAX_ENTRIES + 1, TABLE_OFF, PBA_OFF), -1);
	CHECK_EQ(vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF), 0);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF, 4), VMSIX_TABLE);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF + ENTRIES * 16 - 4, 4), VMSIX_TABLE);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF + ENTRIES * 16, 4), VMSIX_OTHER); /* same page, a device register */
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF - 4, 4), VMSIX_OTHER);
	CHECK_EQ(vmsix_classify(&x, TABLE_OFF - 2, 4), VMSIX_OTHER); /* straddles: not the table's */
	CHECK_EQ(vmsix_classify(&x, PBA_OFF, 8), VMSIX_PBA);
	CHECK_EQ(vmsix_classify(&x, PBA_OFF + 8, 4), VMSIX_OTHER);
}

static void shadow_and_unmask(void)
{
	struct vmsix x;
	u32 ent = 99;
	vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF);
	u64 e2 = TABLE_OFF + 2 * VMSIX_ENTRY_SIZE;
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_CTRL), VMSIX_CTRL_MASKED); /* masked after reset */
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_ADDR_LO, 4, GUEST_ADDR, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_ADDR_HI, 4, 0, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_DATA, 4, GUEST_VECTOR, &ent), VMSIX_NOTHING);
	CHECK_EQ(ent, 2);
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_ADDR_LO), GUEST_ADDR);
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_DATA), GUEST_VECTOR);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0, &ent), VMSIX_PROGRAM);
	CHECK_EQ(vmsix_vector(&x, ent), GUEST_VECTOR);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0, &ent), VMSIX_NOTHING); /* already unmasked */
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, VMSIX_CTRL_MASKED, &ent), VMSIX_MASK);
	CHECK_EQ(vmsix_write(&x, e2 + VMSIX_CTRL, 4, 0xfffffffe, &ent), VMSIX_PROGRAM); /* reserved bits dropped */
	CHECK_EQ(vmsix_read(&x, e2 + VMSIX_CTRL), 0);
	/* PBA: reads 0, writes ignored */
	CHECK_EQ(vmsix_read(&x, PBA_OFF), 0);
	CHECK_EQ(vmsix_write(&x, PBA_OFF, 4, 0xffffffff, &ent), VMSIX_NOTHING);
}

static void refusals(void)
{
	struct vmsix x;
	u32 ent = 0;
	vmsix_init(&x, ENTRIES, TABLE_OFF, PBA_OFF);
	/* unmasking an entry whose address is RAM: the real entry stays masked */
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + VMSIX_ADDR_LO, 4, 0x100000, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + VMSIX_CTRL, 4, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_ADDR_LO, 4, GUEST_ADDR, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_ADDR_HI, 4, 1, &ent), VMSIX_NOTHING);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 16 + VMSIX_CTRL, 4, 0, &ent), VMSIX_REFUSED);
	/* sizes and alignment Moat does not emulate */
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + 2, 4, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF, 8, 0, &ent), VMSIX_REFUSED);
	CHECK_EQ(vmsix_write(&x, TABLE_OFF + ENTRIES * 16, 4, 0, &ent), VMSIX_REFUSED); /* not the table's: forward */
	CHECK_EQ(vmsix_read(&x, TABLE_OFF + 1), 0);
	CHECK_EQ(vmsix_vector(&x, ENTRIES), 0);
}

static const struct unit_test vmsix_tests[] = {
	UNIT_TEST(classify),
	UNIT_TEST(shadow_and_unmask),
	UNIT_TEST(refusals),
};
UNIT_SUITE(vmsix_suite, vmsix_tests);
