/* tests/unit/test_irte.c: interrupt remapping encoders: IRTE (xAPIC and x2APIC destinations, source-id
 * validation), IRTA, the interrupt entry cache descriptor, table sizing, both MSI formats and the
 * remapped-format I/O APIC redirection entry. */
#include "check.h"
#include "iommu/irte.h"
#include "iommu/msi.h"
#include "iommu/vtd_regs.h"

static void irte_xapic(void)
{
	struct irte_target t = {.vector = 0xc1, .dest = 3, .x2apic = false, .level = false, .sid = 0x0010};
	struct irte e = irte_encode(&t);
	/* P, fixed, physical, edge, vector in 23:16, APIC id in DST 15:8 (bits 47:40) */
	CHECK_EQ(e.lo, 0x00000300ULL << 32 | 0xc1ULL << 16 | 1);
	/* SID 00:02.0, SQ 0, SVT 1 */
	CHECK_EQ(e.hi, 0x40010ULL);
	CHECK(irte_present(&e));
	CHECK_EQ(irte_vector(&e), 0xc1);
	CHECK_EQ(irte_dest(&e, false), 3);
	CHECK_EQ(irte_sid(&e), 0x10);
	/* what QEMU traced for Moat's first entry (data[0], data[1]) */
	t.dest = 0;
	e = irte_encode(&t);
	CHECK_EQ(e.lo, 0xc10001ULL);
	CHECK_EQ(e.hi, 0x40010ULL);
}

static void irte_x2apic_and_limits(void)
{
	struct irte_target t = {.vector = 0x40, .dest = 0x12345, .x2apic = true, .level = true, .sid = 0xff00};
	struct irte e = irte_encode(&t);
	CHECK_EQ(e.lo >> 32, 0x12345);
	CHECK(e.lo & VTD_IRTE_LO_TM);
	CHECK(!(e.lo & (VTD_IRTE_LO_DM | VTD_IRTE_LO_RH | VTD_IRTE_LO_FPD | VTD_IRTE_LO_IM)));
	CHECK_EQ(irte_dest(&e, true), 0x12345);
	CHECK_EQ((e.hi >> VTD_IRTE_HI_SVT_SHIFT) & VTD_IRTE_HI_SVT_MASK, VTD_IRTE_SVT_RID);
	CHECK_EQ((e.hi >> VTD_IRTE_HI_SQ_SHIFT) & VTD_IRTE_HI_SQ_MASK, 0);
	CHECK_EQ(e.hi >> 20, 0); /* reserved */
	/* an xAPIC table cannot name APIC id 256 */
	t.x2apic = false;
	t.dest = 256;
	e = irte_encode(&t);
	CHECK(!irte_present(&e));
	CHECK_EQ(e.lo, 0);
}

static void irta_iec_sizing(void)
{
	CHECK_EQ(irta_encode(0x197000, 256, false), 0x197000ULL | 7);
	CHECK_EQ(irta_encode(0x200000, 65536, true), 0x200000ULL | VTD_IRTA_EIME | 15);
	CHECK_EQ(irta_encode(0x1000, 2, false), 0x1000ULL);
	CHECK_EQ(iec_desc_global(), 0x4);
	CHECK_EQ(iec_desc_index(0x1234, 0), 0x1234ULL << 32 | BIT(4) | 0x4);
	CHECK_EQ(iec_desc_index(8, 3), 8ULL << 32 | 3ULL << 27 | BIT(4) | 0x4);
	CHECK_EQ(irt_entries_for(6, 32, 24), 256);
	CHECK_EQ(irt_entries_for(8, 32, 24), 512);
	CHECK_EQ(irt_entries_for(0, 32, 0), 256);
	CHECK_EQ(irt_entries_for(100000, 32, 0), VTD_IRT_MAX_ENTRIES);
}

static void msi_formats(void)
{
	struct msi_msg m = msi_compat(0, 0xc3);
	CHECK_EQ(m.addr_lo, 0xfee00000);
	CHECK_EQ(m.addr_hi, 0);
	CHECK_EQ(m.data, 0xc3);
	CHECK(!msi_addr_is_remappable(m.addr_lo));
	m = msi_compat(5, 0x31);
	CHECK_EQ(m.addr_lo, 0xfee05000);
	CHECK_EQ(m.data, 0x31);
	/* remappable: format bit 4, SHV bit 3, handle 14:0 in 19:5, handle 15 in bit 2 */
	m = msi_remappable(0);
	CHECK_EQ(m.addr_lo, 0xfee00018);
	CHECK_EQ(m.data, 0);
	CHECK(msi_addr_is_remappable(m.addr_lo));
	CHECK_EQ(msi_remappable(1).addr_lo, 0xfee00038);
	CHECK_EQ(msi_remappable(256).addr_lo, 0xfee02018);
	m = msi_remappable(0x8001);
	CHECK_EQ(m.addr_lo, 0xfee00000u | BIT(4) | BIT(3) | BIT(2) | 1u << 5);
	CHECK_EQ(msi_remap_index(&m), 0x8001);
	m.data = 3; /* subhandle */
	CHECK_EQ(msi_remap_index(&m), 0x8004);
	for (u32 h = 0; h < 0x10000; h += 0x1111) {
		m = msi_remappable((u16)h);
		CHECK_EQ(m.addr_lo & MSI_ADDR_WINDOW_MASK, MSI_ADDR_BASE);
		CHECK_EQ(msi_remap_index(&m), h);
	}
}

static void ioapic_rte(void)
{
	u64 e = ioapic_rte_remapped(5, 0x41, false, false, false);
	CHECK_EQ(e, 1ULL << 48 | 5ULL << 49 | 0x41);
	e = ioapic_rte_remapped(0x8000, 0x42, true, true, true);
	CHECK_EQ(e, 1ULL << 48 | BIT(11) | BIT(13) | BIT(15) | BIT(16) | 0x42);
	CHECK_EQ((e >> 17) & ((1ULL << 31) - 1), 0); /* reserved 47:17 */
}

static const struct unit_test irte_tests[] = {
	UNIT_TEST(irte_xapic),	   UNIT_TEST(irte_x2apic_and_limits), UNIT_TEST(irta_iec_sizing),
	UNIT_TEST(msi_formats),	   UNIT_TEST(ioapic_rte),
};
UNIT_SUITE(irte_suite, irte_tests);
