/* tests/unit/test_tpm.c: TPM detection over a fake locality-0 register page: QEMU's tpm-crb and
 * tpm-tis, a legacy TIS 1.3 TPM 2.0, a TPM 1.2 (refused), nothing at all, and the ACPI start methods. */
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "kernel/tpm.h"

static u32 page[TPM_LOCALITY_SIZE / 4];
static u64 page_base;
static unsigned reads, stray_reads;

static u32 fake_read(u64 addr)
{
	reads++;
	if (addr < page_base || addr >= page_base + TPM_LOCALITY_SIZE || (addr & 3)) {
		stray_reads++;
		return ~0u;
	}
	return page[(addr - page_base) / 4];
}

static void set(u32 off, u32 v)
{
	page[off / 4] = v;
}

/* An empty bus: every register reads all-ones. */
static void reset(u64 base)
{
	memset(page, 0xff, sizeof(page));
	page_base = base;
	reads = stray_reads = 0;
}

/* QEMU tpm-crb: InterfaceType CRB, version 1, CapCRB, 64-byte transfers, CRB selected. */
static void qemu_crb(void)
{
	reset(TPM_DEFAULT_BASE);
	set(TPM_INTERFACE_ID, 0x00025811);
	set(TPM_CRB_INTF_ID_HI, 0x00011014);
}

static void tpm_crb_from_table(void)
{
	struct tpm_info t;

	qemu_crb();
	tpm_probe_regs(true, TPM2_START_CRB, 0xfed40040, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.iface, TPM_IFACE_CRB);
	CHECK_EQ(t.base, 0xfed40000);
	CHECK_EQ(t.did_vid, 0x00011014);
	CHECK_EQ(t.intf_id, 0x00025811);
	CHECK(host_log_has("moat: tpm: TPM 2.0 over crb at 0xfed40000\n"));
	CHECK_EQ(stray_reads, 0);
}

static void tpm_crb_without_table(void)
{
	struct tpm_info t;

	qemu_crb();
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.iface, TPM_IFACE_CRB);
	CHECK(host_log_has("moat: tpm: TPM 2.0 over crb at 0xfed40000\n"));
}

static void tpm_crb_elsewhere(void)
{
	struct tpm_info t;

	reset(0xfe000000);
	set(TPM_INTERFACE_ID, 0x00025811);
	set(TPM_CRB_INTF_ID_HI, 0x1234abcd);
	tpm_probe_regs(true, TPM2_START_CRB, 0xfe000040, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.base, 0xfe000000);
	CHECK(host_log_has("moat: tpm: TPM 2.0 over crb at 0xfe000000\n"));
	CHECK_EQ(stray_reads, 0);
}

/* QEMU tpm-tis with a TPM 2.0 backend: PTP FIFO interface id. */
static void tpm_tis_ptp_fifo(void)
{
	struct tpm_info t;

	reset(TPM_DEFAULT_BASE);
	set(TPM_INTERFACE_ID, TPM_INTF_TYPE_FIFO | TPM_INTF_CAP_FIFO | TPM_INTF_SEL_LOCK);
	set(TPM_TIS_DID_VID, 0x00011014);
	set(TPM_TIS_INTF_CAPABILITY,
	    (u32)TPM_TIS_INTF_VERSION_1_3_TPM2 << TPM_TIS_INTF_VERSION_SHIFT | 0x7ff);
	tpm_probe_regs(true, TPM2_START_TIS, 0, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.iface, TPM_IFACE_TIS);
	CHECK_EQ(t.base, 0xfed40000);
	CHECK_EQ(t.did_vid, 0x00011014);
	CHECK(host_log_has("moat: tpm: TPM 2.0 over tis at 0xfed40000\n"));
	CHECK_EQ(stray_reads, 0);
}

/* A TIS 1.3 part without an interface id register (reads all-ones) that says TPM 2.0. */
static void tpm_tis13_tpm2(void)
{
	struct tpm_info t;

	reset(TPM_DEFAULT_BASE);
	set(TPM_TIS_DID_VID, 0x001a15d1);
	set(TPM_TIS_INTF_CAPABILITY, (u32)TPM_TIS_INTF_VERSION_1_3_TPM2 << TPM_TIS_INTF_VERSION_SHIFT);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.iface, TPM_IFACE_TIS);
	CHECK_EQ(t.intf_id, 0xffffffff);
	CHECK(host_log_has("moat: tpm: TPM 2.0 over tis at 0xfed40000\n"));
}

static void tpm_12_refused(void)
{
	struct tpm_info t;

	reset(TPM_DEFAULT_BASE);
	set(TPM_TIS_DID_VID, 0x00011014);
	set(TPM_TIS_INTF_CAPABILITY, (u32)TPM_TIS_INTF_VERSION_1_3 << TPM_TIS_INTF_VERSION_SHIFT);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_EQ(t.iface, TPM_IFACE_NONE);
	CHECK_HAS(host_log_last(), "moat: tpm: none; TPM 1.2");

	set(TPM_TIS_INTF_CAPABILITY, (u32)TPM_TIS_INTF_VERSION_1_21 << TPM_TIS_INTF_VERSION_SHIFT);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "moat: tpm: none; TPM 1.2");

	/* A TIS 1.2 part whose reserved interface id register reads 0 is still TPM 1.2. */
	set(TPM_INTERFACE_ID, 0);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "moat: tpm: none; TPM 1.2");
}

static void tpm_absent(void)
{
	struct tpm_info t;

	reset(TPM_DEFAULT_BASE); /* all-ones */
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "moat: tpm: none");
	CHECK_EQ(stray_reads, 0);

	memset(page, 0, sizeof(page)); /* all-zero */
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "moat: tpm: none");

	/* CRB interface id but no vendor id. */
	reset(TPM_DEFAULT_BASE);
	set(TPM_INTERFACE_ID, 0x00025811);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);

	/* Reserved interface type. */
	reset(TPM_DEFAULT_BASE);
	set(TPM_INTERFACE_ID, 0x5);
	set(TPM_TIS_DID_VID, 0x00011014);
	tpm_probe_regs(false, 0, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "unknown interface type 0x5");
}

static void tpm_start_methods(void)
{
	struct tpm_info t;

	qemu_crb();
	tpm_probe_regs(true, TPM2_START_CRB_ACPI, 0xfed40040, fake_read, &t);
	CHECK(!t.present);
	CHECK_EQ(reads, 0); /* refused before touching the device */
	CHECK_HAS(host_log_last(), "moat: tpm: none; ");
	CHECK_HAS(host_log_last(), "start method 8");

	tpm_probe_regs(true, TPM2_START_ACPI, 0xfed40040, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "start method 2");

	tpm_probe_regs(true, 11, 0xfed40040, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "unsupported start method 11");

	tpm_probe_regs(true, TPM2_START_CRB, 0, fake_read, &t);
	CHECK(!t.present);
	CHECK_HAS(host_log_last(), "without a control area");
	CHECK_EQ(reads, 0);

	/* The interface id decides: a table saying TIS over a CRB device still finds CRB. */
	tpm_probe_regs(true, TPM2_START_TIS, 0, fake_read, &t);
	CHECK(t.present);
	CHECK_EQ(t.iface, TPM_IFACE_CRB);
}

static const struct unit_test tpm_tests[] = {
    UNIT_TEST(tpm_crb_from_table), UNIT_TEST(tpm_crb_without_table), UNIT_TEST(tpm_crb_elsewhere),
    UNIT_TEST(tpm_tis_ptp_fifo),   UNIT_TEST(tpm_tis13_tpm2),	     UNIT_TEST(tpm_12_refused),
    UNIT_TEST(tpm_absent),	   UNIT_TEST(tpm_start_methods),
};
UNIT_SUITE(tpm_suite, tpm_tests);
