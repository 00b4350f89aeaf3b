/* tests/unit/test_dmar.c: dmar_parse and dmar_unit_for_device on well-formed and malformed DMAR tables.
 * Every table is handed over in a heap block of exactly its length, so ASan catches any overread. */
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "acpi_builder.h"
#include "iommu/dmar.h"

static struct dmar_info D; /* large: static */
static struct tb T;

/* Parses t->buf[0..len) from an exact-size copy. */
static int parse_len(u32 len)
{
	void *copy = malloc(len ? len : 1);
	int r;

	memcpy(copy, T.buf, len);
	r = dmar_parse(copy, len, &D);
	free(copy);
	return r;
}

static int parse(void)
{
	tb_finish(&T);
	return parse_len(T.len);
}

static void dmar_begin(u8 rev)
{
	tb_begin(&T, "DMAR", rev);
	tb_u8(&T, 47); /* 48-bit */
	tb_u8(&T, DMAR_FLAG_INTR_REMAP | DMAR_FLAG_X2APIC_OPT_OUT);
	for (int i = 0; i < 10; i++)
		tb_u8(&T, 0);
}

/* Starts a DRHD; returns its offset for struct_end. */
static u32 drhd(u8 flags, u8 size, u16 seg, u64 base)
{
	u32 s = T.len;

	tb_u16(&T, DMAR_TYPE_DRHD);
	tb_u16(&T, 0);
	tb_u8(&T, flags);
	tb_u8(&T, size);
	tb_u16(&T, seg);
	tb_u64(&T, base);
	return s;
}

static u32 rmrr(u16 seg, u64 base, u64 limit)
{
	u32 s = T.len;

	tb_u16(&T, DMAR_TYPE_RMRR);
	tb_u16(&T, 0);
	tb_u16(&T, 0);
	tb_u16(&T, seg);
	tb_u64(&T, base);
	tb_u64(&T, limit);
	return s;
}

static void struct_end(u32 s)
{
	tb_patch_u16(&T, s + 2, (u16)(T.len - s));
}

/* A scope with n (dev, fn) hops given as dev0, fn0, dev1, fn1, ... */
static void scope(u8 type, u8 enum_id, u8 bus, u32 n, const u8 *hops)
{
	tb_u8(&T, type);
	tb_u8(&T, (u8)(6 + 2 * n));
	tb_u16(&T, 0);
	tb_u8(&T, enum_id);
	tb_u8(&T, bus);
	tb_bytes(&T, hops, 2 * n);
}

static void dmar_qemu_like(void)
{
	build_dmar_qemu(&T);
	CHECK_EQ(parse_len(T.len), 0);
	CHECK_EQ(host_log_count(), 0);
	CHECK_EQ(D.haw, 39);
	CHECK(D.intr_remap);
	CHECK(!D.x2apic_opt_out);
	CHECK_EQ(D.ndrhd, 2);

	CHECK_EQ(D.drhd[0].base, STD_DRHD0);
	CHECK_EQ(D.drhd[0].size, 4096);
	CHECK_EQ(D.drhd[0].segment, 0);
	CHECK(!D.drhd[0].include_pci_all);
	CHECK_EQ(D.drhd[0].nscopes, 2);
	CHECK_EQ(D.drhd[0].scopes[0].type, DMAR_SCOPE_ENDPOINT);
	CHECK_EQ(D.drhd[0].scopes[0].start_bus, 0);
	CHECK_EQ(D.drhd[0].scopes[0].path_len, 1);
	CHECK_EQ(D.drhd[0].scopes[0].path[0].dev, 2);
	CHECK_EQ(D.drhd[0].scopes[0].path[0].fn, 0);
	CHECK_EQ(D.drhd[0].scopes[1].type, DMAR_SCOPE_IOAPIC);
	CHECK_EQ(D.drhd[0].scopes[1].start_bus, 0xff);
	CHECK_EQ(D.drhd[0].scopes[1].enum_id, 0);

	CHECK_EQ(D.drhd[1].base, STD_DRHD1);
	CHECK(D.drhd[1].include_pci_all);
	CHECK_EQ(D.drhd[1].nscopes, 0);

	CHECK_EQ(D.nrmrr, 1);
	CHECK_EQ(D.rmrr[0].base, 0x7f000000);
	CHECK_EQ(D.rmrr[0].limit, 0x7f0fffff);
	CHECK_EQ(D.rmrr[0].nscopes, 1);
	CHECK_EQ(D.rmrr[0].scopes[0].path[0].dev, 0x1d);

	CHECK_EQ(D.natsr, 1);
	CHECK(D.atsr[0].all_ports);
	CHECK_EQ(D.atsr[0].segment, 0);

	/* explicit scope wins; everything else on segment 0 goes to the INCLUDE_PCI_ALL unit */
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 2, 0), 0);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 2, 1), 1);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 3, 0), 1);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 1, 2, 0), 1);
	CHECK_EQ(dmar_unit_for_device(&D, 1, 0, 2, 0), -1);
	/* the I/O APIC scope (ff:00.0) is not a PCI requester */
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0xff, 0, 0), 1);
}

/* INCLUDE_PCI_ALL listed first: an explicit scope of a later unit still wins. */
static void dmar_explicit_scope_beats_include_all(void)
{
	static const u8 hop[] = {3, 0};
	u32 s;

	dmar_begin(1);
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed91000));
	s = drhd(0, 0, 0, 0xfed90000);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hop);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 3, 0), 1);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 4, 0), 0);
}

static void dmar_no_unit_covers(void)
{
	static const u8 hop[] = {2, 0};
	u32 s;

	dmar_begin(1);
	s = drhd(0, 0, 0, 0xfed90000);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hop);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 2, 0), 0);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 5, 0), -1);
}

static void dmar_size_field(void)
{
	dmar_begin(2);
	struct_end(drhd(0, 2, 0, 0xfed90000)); /* 2^2 pages */
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.drhd[0].size, 16384);
	CHECK(D.x2apic_opt_out);
	CHECK_EQ(D.haw, 48);

	dmar_begin(1); /* before revision 2 the byte is reserved */
	struct_end(drhd(0, 2, 0, 0xfed90000));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.drhd[0].size, 4096);
}

/* A multi-hop path is kept; only a caller that knows the device's own path matches it. */
static void dmar_multi_hop_and_bridge_paths(void)
{
	static const u8 two_hops[] = {0x1c, 0, 0, 0};
	static const u8 bridge[] = {0x1e, 0};
	const struct dmar_path_elem dev_path[] = {{0x1c, 0}, {0, 0}};
	const struct dmar_path_elem below_bridge[] = {{0x1e, 0}, {3, 1}};
	const struct dmar_path_elem other[] = {{0x1c, 0}, {1, 0}};
	u32 s;

	dmar_begin(1);
	s = drhd(0, 0, 0, 0xfed90000);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 2, two_hops);
	scope(DMAR_SCOPE_BRIDGE, 0, 0, 1, bridge);
	struct_end(s);
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed91000));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.drhd[0].scopes[0].path_len, 2);
	CHECK_EQ(D.drhd[0].scopes[0].path[0].dev, 0x1c);
	CHECK_EQ(D.drhd[0].scopes[0].path[1].dev, 0);
	CHECK_EQ(dmar_unit_for_path(&D, 0, 0, dev_path, 2), 0);
	CHECK_EQ(dmar_unit_for_path(&D, 0, 0, other, 2), 1);
	CHECK_EQ(dmar_unit_for_path(&D, 0, 0, below_bridge, 2), 0);
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 0x1e, 0), 0); /* the bridge itself */
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 0x1c, 0), 1); /* the first hop alone is not the endpoint */
	CHECK_EQ(dmar_unit_for_path(&D, 0, 0, dev_path, 0), -1);
}

static void dmar_zero_length_structure(void)
{
	dmar_begin(1);
	struct_end(drhd(0, 0, 0, 0xfed90000));
	tb_u16(&T, DMAR_TYPE_DRHD);
	tb_u16(&T, 0); /* length 0 */
	tb_u8(&T, 0);
	tb_u8(&T, 0);
	tb_u16(&T, 0);
	tb_u64(&T, 0xfed91000);
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed92000));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.ndrhd, 1);
	CHECK_EQ(D.drhd[0].base, 0xfed90000);
	CHECK_STR(host_log_last(),
		  "moat: iommu: error: DMAR: structure at offset 0x40 has length 0, rest ignored");
}

static void dmar_structure_overruns_table(void)
{
	u32 s;

	dmar_begin(1);
	struct_end(drhd(0, 0, 0, 0xfed90000));
	s = drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed91000);
	tb_patch_u16(&T, s + 2, 40); /* 16 bytes in the table */
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.ndrhd, 1);
	CHECK_STR(host_log_last(),
		  "moat: iommu: error: DMAR: structure at offset 0x40 overruns the table, rest ignored");
}

static void dmar_structure_shorter_than_fixed_part(void)
{
	dmar_begin(1);
	tb_u16(&T, DMAR_TYPE_RMRR);
	tb_u16(&T, 8);
	tb_u32(&T, 0);
	struct_end(drhd(0, 0, 0, 0xfed90000));
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.nrmrr, 0);
	CHECK_EQ(D.ndrhd, 1);
	CHECK(host_log_has("DMAR: RMRR at offset 0x30: length 8 shorter than its fixed part, skipped"));
}

static void dmar_scope_overruns_structure(void)
{
	static const u8 hops[] = {2, 0, 3, 0};
	u32 s;

	dmar_begin(1);
	s = drhd(0, 0, 0, 0xfed90000);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hops);
	tb_u8(&T, DMAR_SCOPE_ENDPOINT); /* claims 10 bytes, 6 remain in the DRHD */
	tb_u8(&T, 10);
	tb_u16(&T, 0);
	tb_u8(&T, 0);
	tb_u8(&T, 0);
	struct_end(s);
	s = drhd(0, 0, 0, 0xfed91000);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hops + 2);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.ndrhd, 2);
	CHECK_EQ(D.drhd[0].nscopes, 1);
	CHECK_EQ(D.drhd[1].nscopes, 1);
	CHECK(host_log_has("DMAR: scope at offset 0x48 overruns its DRHD at 0x30, rest ignored"));
	CHECK_EQ(dmar_unit_for_device(&D, 0, 0, 3, 0), 1);
}

static void dmar_scope_bad_lengths(void)
{
	static const u8 hop[] = {2, 0};
	u32 s;

	dmar_begin(1);
	s = drhd(0, 0, 0, 0xfed90000);
	tb_u8(&T, DMAR_SCOPE_ENDPOINT); /* odd path length: skipped, the walk goes on */
	tb_u8(&T, 7);
	tb_u16(&T, 0);
	tb_u8(&T, 0);
	tb_u8(&T, 0);
	tb_u8(&T, 5);
	tb_u8(&T, 9); /* unknown scope type: skipped */
	tb_u8(&T, 8);
	tb_u16(&T, 0);
	tb_u8(&T, 0);
	tb_u8(&T, 0);
	tb_u8(&T, 4);
	tb_u8(&T, 0);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hop);
	tb_u8(&T, DMAR_SCOPE_ENDPOINT); /* length 2: the rest is unreadable */
	tb_u8(&T, 2);
	tb_u32(&T, 0);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.drhd[0].nscopes, 1);
	CHECK_EQ(D.drhd[0].scopes[0].path[0].dev, 2);
	CHECK(host_log_has("DMAR: scope at offset 0x40: path of 1 bytes, skipped"));
	CHECK(host_log_has("DMAR: scope at offset 0x47: unknown type 9, skipped"));
	CHECK(host_log_has("DMAR: scope at offset 0x57 has length 2, rest of DRHD at 0x30 ignored"));
}

static void dmar_rmrr_invalid_ranges(void)
{
	static const u8 hop[] = {0x14, 0};
	u32 s;

	dmar_begin(1);
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed90000));
	s = rmrr(0, 0x80000000, 0x7fffffff); /* limit < base */
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hop);
	struct_end(s);
	struct_end(rmrr(0, 0x80000800, 0x80000fff)); /* base not aligned */
	struct_end(rmrr(0, 0x80000000, 0x80000ffe)); /* limit + 1 not aligned */
	s = rmrr(0, 0x80000000, 0x80000fff);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, hop);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.nrmrr, 1);
	CHECK_EQ(D.rmrr[0].base, 0x80000000);
	CHECK_EQ(D.rmrr[0].nscopes, 1);
	CHECK(host_log_has("DMAR: RMRR at offset 0x40: range 0x80000000-0x7fffffff invalid, skipped"));
	CHECK(host_log_has("DMAR: RMRR at offset 0x60: range 0x80000800-0x80000fff invalid, skipped"));
	CHECK(host_log_has("DMAR: RMRR at offset 0x78: range 0x80000000-0x80000ffe invalid, skipped"));
}

static void dmar_drhd_unaligned_base(void)
{
	dmar_begin(1);
	struct_end(drhd(0, 0, 0, 0xfed90100));
	CHECK(parse() < 0);
	CHECK_EQ(D.ndrhd, 0);
	CHECK(host_log_has("DMAR: DRHD at offset 0x30: register base 0xfed90100 not page aligned, skipped"));
	CHECK_STR(host_log_last(), "moat: iommu: error: DMAR: no usable DRHD unit");
}

static void dmar_too_short_or_wrong(void)
{
	dmar_begin(1);
	CHECK(parse_len(40) < 0);
	CHECK_STR(host_log_last(), "moat: iommu: error: DMAR: too short (40 bytes), ignored");
	CHECK(dmar_parse(NULL, 0, &D) < 0);

	dmar_begin(1);
	memcpy(T.buf, "DMAX", 4);
	CHECK(parse() < 0);
	CHECK_HAS(host_log_last(), "DMAR: bad signature");

	/* the header's length field is what bounds the walk when it is the smaller */
	dmar_begin(1);
	struct_end(drhd(0, 0, 0, 0xfed90000));
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed91000));
	tb_finish(&T);
	((struct acpi_sdt_header *)T.buf)->length = 64;
	CHECK_EQ(parse_len(T.len), 0);
	CHECK_EQ(D.ndrhd, 1);
}

static void dmar_too_many_scopes(void)
{
	static const u8 hop[] = {1, 0};
	u32 s;

	dmar_begin(1);
	s = drhd(0, 0, 0, 0xfed90000);
	for (int i = 0; i < DMAR_MAX_SCOPES + 3; i++)
		scope(DMAR_SCOPE_ENDPOINT, 0, (u8)i, 1, hop);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.drhd[0].nscopes, DMAR_MAX_SCOPES);
	CHECK(host_log_has("DMAR: DRHD at 0x30: 3 scopes beyond 32 ignored"));
}

/* RMRR device matching and range overlap (dmar_rmrr_names/next, dmar_range_overlaps), used by rmrr = accept
 * (vmm/assign.c) and domain_attach (iommu/domain.c). */
static void dmar_rmrr_scope_matching(void)
{
	static const u8 usb[] = {0x14, 0};
	static const u8 bridge[] = {0x1e, 0};
	static const u8 ehci[] = {0x1d, 0};
	const struct dmar_path_elem p_usb[] = {{0x14, 0}}, p_usb_fn1[] = {{0x14, 1}}, p_below_usb[] = {{0x14, 0}, {0, 0}};
	const struct dmar_path_elem p_bridge[] = {{0x1e, 0}}, p_below_bridge[] = {{0x1e, 0}, {3, 1}}, p_other[] = {{0x1f, 0}};
	const struct dmar_path_elem p_ehci[] = {{0x1d, 0}};
	u32 s;

	dmar_begin(1);
	struct_end(drhd(DMAR_DRHD_INCLUDE_PCI_ALL, 0, 0, 0xfed90000));
	s = rmrr(0, 0x7f000000, 0x7f0fffff);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, usb);
	struct_end(s);
	s = rmrr(0, 0xbd8e8000, 0xbd907fff);
	scope(DMAR_SCOPE_BRIDGE, 0, 0, 1, bridge);
	scope(DMAR_SCOPE_ENDPOINT, 0, 0, 1, ehci);
	struct_end(s);
	CHECK_EQ(parse(), 0);
	CHECK_EQ(D.nrmrr, 2);

	/* an endpoint scope names exactly its path */
	CHECK(dmar_rmrr_names(&D.rmrr[0], 0, 0, p_usb, 1));
	CHECK(!dmar_rmrr_names(&D.rmrr[0], 0, 0, p_usb_fn1, 1));
	CHECK(!dmar_rmrr_names(&D.rmrr[0], 0, 0, p_below_usb, 2));
	CHECK(!dmar_rmrr_names(&D.rmrr[0], 1, 0, p_usb, 1)); /* another segment */
	CHECK(!dmar_rmrr_names(&D.rmrr[0], 0, 1, p_usb, 1)); /* another start bus */
	CHECK(!dmar_rmrr_names(&D.rmrr[0], 0, 0, p_usb, 0)); /* no path known */
	/* a bridge scope names the bridge and everything below it */
	CHECK(dmar_rmrr_names(&D.rmrr[1], 0, 0, p_bridge, 1));
	CHECK(dmar_rmrr_names(&D.rmrr[1], 0, 0, p_below_bridge, 2));
	CHECK(dmar_rmrr_names(&D.rmrr[1], 0, 0, p_ehci, 1));
	CHECK(!dmar_rmrr_names(&D.rmrr[1], 0, 0, p_other, 1));

	/* iterating the RMRRs naming one device */
	CHECK_EQ(dmar_rmrr_next(&D, 0, 0, 0, p_usb, 1), 0);
	CHECK_EQ(dmar_rmrr_next(&D, 1, 0, 0, p_usb, 1), 2);
	CHECK_EQ(dmar_rmrr_next(&D, 0, 0, 0, p_below_bridge, 2), 1);
	CHECK_EQ(dmar_rmrr_next(&D, 2, 0, 0, p_below_bridge, 2), 2);
	CHECK_EQ(dmar_rmrr_next(&D, 0, 0, 0, p_other, 1), 2);
	CHECK_EQ(dmar_rmrr_next(&D, 0, 0, 0, p_usb, 0), 2);
	D.rmrr[0].scopes[1] = D.rmrr[1].scopes[0]; /* the same bridge named by both */
	D.rmrr[0].nscopes = 2;
	CHECK_EQ(dmar_rmrr_next(&D, 0, 0, 0, p_below_bridge, 2), 0);
	CHECK_EQ(dmar_rmrr_next(&D, 1, 0, 0, p_below_bridge, 2), 1);
}

static void dmar_rmrr_range_overlap(void)
{
	const u64 ram = 0x200000; /* a VM's RAM at guest-physical [0, 2 MiB) */

	CHECK(dmar_range_overlaps(0xe0000, 0xeffff, 0, ram));
	CHECK(!dmar_range_overlaps(0x39a000, 0x39dfff, 0, ram));
	CHECK(dmar_range_overlaps(0x1ff000, 0x1fffff, 0, ram));  /* the last page */
	CHECK(!dmar_range_overlaps(0x200000, 0x200fff, 0, ram)); /* the first page after it */
	CHECK(dmar_range_overlaps(0x100000, 0x4fffff, 0x200000, 0x1000)); /* containing the other range */
	CHECK(!dmar_range_overlaps(0x100000, 0x1fffff, 0x200000, 0x1000)); /* ending right below it */
	CHECK(dmar_range_overlaps(0x1ff000, 0x200fff, 0x200000, 0x1000)); /* straddling its start */
	CHECK(!dmar_range_overlaps(0, 0xfff, 0, 0));                       /* an empty range */
	CHECK(!dmar_range_overlaps(0x2000, 0x1fff, 0, ram));               /* an inverted one */
	CHECK(dmar_range_overlaps(0xfffffffffffff000ULL, ~0ULL, 0xfffffffffffff000ULL, 0x1000));
	CHECK(!dmar_range_overlaps(0, 0xfff, 0xfffffffffffff000ULL, 0x1000)); /* start + size wraps to 0 */
}

static const struct unit_test tests[] = {
    UNIT_TEST(dmar_qemu_like),
    UNIT_TEST(dmar_explicit_scope_beats_include_all),
    UNIT_TEST(dmar_no_unit_covers),
    UNIT_TEST(dmar_size_field),
    UNIT_TEST(dmar_multi_hop_and_bridge_paths),
    UNIT_TEST(dmar_zero_length_structure),
    UNIT_TEST(dmar_structure_overruns_table),
    UNIT_TEST(dmar_structure_shorter_than_fixed_part),
    UNIT_TEST(dmar_scope_overruns_structure),
    UNIT_TEST(dmar_scope_bad_lengths),
    UNIT_TEST(dmar_rmrr_invalid_ranges),
    UNIT_TEST(dmar_drhd_unaligned_base),
    UNIT_TEST(dmar_too_short_or_wrong),
    UNIT_TEST(dmar_too_many_scopes),
    UNIT_TEST(dmar_rmrr_scope_matching),
    UNIT_TEST(dmar_rmrr_range_overlap),
};

UNIT_SUITE(dmar_suite, tests);
