/* iommu/dmar.c: DMAR table parser (DRHD units, RMRRs, ATSRs and their device scopes) and the lookup of
 * the remapping unit that covers a PCI device. */
#include "dmar.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define DMAR_LOG "iommu"

/* Where a scope list sits, for log lines: its structure's name and offset in the table. */
struct scope_ctx {
	const char *what;
	u32 struct_off;
};

static bool scope_type_known(u8 type)
{
	return type >= DMAR_SCOPE_ENDPOINT && type <= DMAR_SCOPE_ACPI_NAMESPACE;
}

/* Decodes one scope whose header and length were checked; false (after a log line) to skip it. */
static bool parse_scope(const struct dmar_scope_hw *hw, u32 off, struct dmar_scope *s)
{
	const struct dmar_path_hw *path = (const void *)(hw + 1);
	u32 path_bytes = hw->length - sizeof(*hw);
	u32 n = path_bytes / sizeof(*path);

	if (!scope_type_known(hw->type)) {
		pr_warn(DMAR_LOG, "DMAR: scope at offset 0x%x: unknown type %u, skipped", off, hw->type);
		return false;
	}
	if (path_bytes == 0 || path_bytes % sizeof(*path)) {
		pr_err(DMAR_LOG, "DMAR: scope at offset 0x%x: path of %u bytes, skipped", off, path_bytes);
		return false;
	}
	if (n > DMAR_MAX_PATH) {
		pr_err(DMAR_LOG, "DMAR: scope at offset 0x%x: path of %u hops (max %u), skipped", off, n,
		       DMAR_MAX_PATH);
		return false;
	}
	for (u32 i = 0; i < n; i++) {
		if (path[i].dev > PCI_DEV_MAX || path[i].fn > PCI_FN_MAX) {
			pr_err(DMAR_LOG, "DMAR: scope at offset 0x%x: hop %u (%x.%x) out of range, skipped",
			       off, i, path[i].dev, path[i].fn);
			return false;
		}
		s->path[i].dev = path[i].dev;
		s->path[i].fn = path[i].fn;
	}
	s->type = hw->type;
	s->enum_id = hw->enum_id;
	s->start_bus = hw->start_bus;
	s->path_len = (u8)n;
	return true;
}

/* Parses the scopes in p[0..len), which start at table offset base_off. Returns how many were kept. */
static u32 parse_scopes(const u8 *p, u32 len, u32 base_off, const struct scope_ctx *ctx,
			struct dmar_scope *scopes)
{
	u32 n = 0, dropped = 0;

	for (u32 off = 0; off < len;) {
		const struct dmar_scope_hw *hw = (const void *)(p + off);
		u32 left = len - off;
		u32 at = base_off + off;

		if (left < sizeof(*hw) || hw->length > left) {
			pr_err(DMAR_LOG, "DMAR: scope at offset 0x%x overruns its %s at 0x%x, rest ignored",
			       at, ctx->what, ctx->struct_off);
			break;
		}
		if (hw->length < sizeof(*hw)) {
			pr_err(DMAR_LOG,
			       "DMAR: scope at offset 0x%x has length %u, rest of %s at 0x%x ignored", at,
			       hw->length, ctx->what, ctx->struct_off);
			break;
		}
		if (n >= DMAR_MAX_SCOPES)
			dropped++;
		else if (parse_scope(hw, at, &scopes[n]))
			n++;
		off += hw->length;
	}
	if (dropped)
		pr_warn(DMAR_LOG, "DMAR: %s at 0x%x: %u scopes beyond %u ignored", ctx->what, ctx->struct_off,
			dropped, DMAR_MAX_SCOPES);
	return n;
}

static void parse_drhd(const struct dmar_table *t, const u8 *s, u32 off, struct dmar_info *out)
{
	const struct dmar_drhd_hw *hw = (const void *)s;
	const struct scope_ctx ctx = {"DRHD", off};
	struct dmar_drhd *u;

	if (hw->base == 0 || (hw->base & ~PAGE_MASK)) {
		pr_err(DMAR_LOG, "DMAR: DRHD at offset 0x%x: register base 0x%llx not page aligned, skipped",
		       off, (unsigned long long)hw->base);
		return;
	}
	if (out->ndrhd >= DMAR_MAX_UNITS) {
		pr_warn(DMAR_LOG, "DMAR: DRHD at offset 0x%x: more than %u units, ignored", off,
			DMAR_MAX_UNITS);
		return;
	}
	u = &out->drhd[out->ndrhd];
	u->base = hw->base;
	u->size = PAGE_SIZE;
	if (t->hdr.revision >= DMAR_DRHD_SIZE_MIN_REV)
		u->size = PAGE_SIZE << (hw->size & DMAR_DRHD_SIZE_MASK);
	u->segment = hw->segment;
	u->include_pci_all = hw->flags & DMAR_DRHD_INCLUDE_PCI_ALL;
	if (u->include_pci_all) {
		for (u32 i = 0; i < out->ndrhd; i++)
			if (out->drhd[i].include_pci_all && out->drhd[i].segment == u->segment)
				pr_warn(
				    DMAR_LOG,
				    "DMAR: DRHD at offset 0x%x: second INCLUDE_PCI_ALL unit of segment %u",
				    off, u->segment);
	}
	u->nscopes =
	    parse_scopes(s + sizeof(*hw), hw->h.length - sizeof(*hw), off + sizeof(*hw), &ctx, u->scopes);
	out->ndrhd++;
}

static void parse_rmrr(const u8 *s, u32 off, struct dmar_info *out)
{
	const struct dmar_rmrr_hw *hw = (const void *)s;
	const struct scope_ctx ctx = {"RMRR", off};
	struct dmar_rmrr *r;

	if (hw->limit < hw->base || (hw->base & ~PAGE_MASK) || ((hw->limit + 1) & ~PAGE_MASK)) {
		pr_err(DMAR_LOG, "DMAR: RMRR at offset 0x%x: range 0x%llx-0x%llx invalid, skipped", off,
		       (unsigned long long)hw->base, (unsigned long long)hw->limit);
		return;
	}
	if (out->nrmrr >= DMAR_MAX_RMRR) {
		pr_warn(DMAR_LOG, "DMAR: RMRR at offset 0x%x: more than %u RMRRs, ignored", off,
			DMAR_MAX_RMRR);
		return;
	}
	r = &out->rmrr[out->nrmrr];
	r->segment = hw->segment;
	r->base = hw->base;
	r->limit = hw->limit;
	r->nscopes =
	    parse_scopes(s + sizeof(*hw), hw->h.length - sizeof(*hw), off + sizeof(*hw), &ctx, r->scopes);
	out->nrmrr++;
}

static void parse_atsr(const u8 *s, u32 off, struct dmar_info *out)
{
	const struct dmar_atsr_hw *hw = (const void *)s;
	const struct scope_ctx ctx = {"ATSR", off};
	struct dmar_atsr *a;

	if (out->natsr >= DMAR_MAX_ATSR) {
		pr_warn(DMAR_LOG, "DMAR: ATSR at offset 0x%x: more than %u ATSRs, ignored", off,
			DMAR_MAX_ATSR);
		return;
	}
	a = &out->atsr[out->natsr];
	a->segment = hw->segment;
	a->all_ports = hw->flags & DMAR_ATSR_ALL_PORTS;
	a->nscopes =
	    parse_scopes(s + sizeof(*hw), hw->h.length - sizeof(*hw), off + sizeof(*hw), &ctx, a->scopes);
	out->natsr++;
}

/* The fixed part of each structure type Moat reads (0: not read, skipped by its length). */
static u32 fixed_len(u16 type)
{
	switch (type) {
	case DMAR_TYPE_DRHD:
		return sizeof(struct dmar_drhd_hw);
	case DMAR_TYPE_RMRR:
		return sizeof(struct dmar_rmrr_hw);
	case DMAR_TYPE_ATSR:
		return sizeof(struct dmar_atsr_hw);
	default:
		return sizeof(struct dmar_struct_hdr);
	}
}

static const char *type_name(u16 type)
{
	switch (type) {
	case DMAR_TYPE_DRHD:
		return "DRHD";
	case DMAR_TYPE_RMRR:
		return "RMRR";
	case DMAR_TYPE_ATSR:
		return "ATSR";
	default:
		return "structure";
	}
}

int dmar_parse(const void *table, u32 len, struct dmar_info *out)
{
	const struct dmar_table *t = table;
	const u8 *base = table;

	memset(out, 0, sizeof(*out));
	if (!table || len < sizeof(*t)) {
		pr_err(DMAR_LOG, "DMAR: too short (%u bytes), ignored", len);
		return -1;
	}
	if (memcmp(t->hdr.signature, "DMAR", ACPI_SIG_LEN) != 0) {
		pr_err(DMAR_LOG, "DMAR: bad signature, ignored");
		return -1;
	}
	if (t->hdr.length < sizeof(*t)) {
		pr_err(DMAR_LOG, "DMAR: length field %u too short, ignored", t->hdr.length);
		return -1;
	}
	if (t->hdr.length > len)
		pr_warn(DMAR_LOG, "DMAR: length field %u beyond the %u bytes given, reading %u",
			t->hdr.length, len, len);
	else
		len = t->hdr.length;

	out->haw = (u32)t->host_addr_width + 1;
	out->flags = t->flags;
	out->intr_remap = t->flags & DMAR_FLAG_INTR_REMAP;
	out->x2apic_opt_out = t->flags & DMAR_FLAG_X2APIC_OPT_OUT;

	for (u32 off = sizeof(*t); off < len;) {
		const struct dmar_struct_hdr *h = (const void *)(base + off);
		u32 left = len - off;

		if (left < sizeof(*h) || h->length > left) {
			pr_err(DMAR_LOG, "DMAR: structure at offset 0x%x overruns the table, rest ignored",
			       off);
			break;
		}
		if (h->length < sizeof(*h)) {
			pr_err(DMAR_LOG, "DMAR: structure at offset 0x%x has length %u, rest ignored", off,
			       h->length);
			break;
		}
		if (h->length < fixed_len(h->type)) {
			pr_err(DMAR_LOG,
			       "DMAR: %s at offset 0x%x: length %u shorter than its fixed part, skipped",
			       type_name(h->type), off, h->length);
		} else if (h->type == DMAR_TYPE_DRHD) {
			parse_drhd(t, base + off, off, out);
		} else if (h->type == DMAR_TYPE_RMRR) {
			parse_rmrr(base + off, off, out);
		} else if (h->type == DMAR_TYPE_ATSR) {
			parse_atsr(base + off, off, out);
		}
		off += h->length;
	}
	if (out->ndrhd == 0) {
		pr_err(DMAR_LOG, "DMAR: no usable DRHD unit");
		return -1;
	}
	return 0;
}

static bool path_prefix(const struct dmar_scope *s, u8 start_bus, const struct dmar_path_elem *path, u32 len)
{
	if (s->start_bus != start_bus || s->path_len > len)
		return false;
	for (u32 i = 0; i < s->path_len; i++)
		if (s->path[i].dev != path[i].dev || s->path[i].fn != path[i].fn)
			return false;
	return true;
}

static bool scope_covers(const struct dmar_scope *s, u8 start_bus, const struct dmar_path_elem *path, u32 len)
{
	switch (s->type) {
	case DMAR_SCOPE_ENDPOINT:
		return s->path_len == len && path_prefix(s, start_bus, path, len);
	case DMAR_SCOPE_BRIDGE: /* the bridge and every device below it */
		return path_prefix(s, start_bus, path, len);
	default:
		return false; /* I/O APIC, HPET, ACPI devices are not PCI requesters looked up here */
	}
}

bool dmar_rmrr_names(const struct dmar_rmrr *r, u16 seg, u8 start_bus, const struct dmar_path_elem *path, u32 len)
{
	if (!path || len == 0 || len > DMAR_MAX_PATH || r->segment != seg)
		return false;
	for (u32 i = 0; i < r->nscopes && i < DMAR_MAX_SCOPES; i++)
		if (scope_covers(&r->scopes[i], start_bus, path, len))
			return true;
	return false;
}

u32 dmar_rmrr_next(const struct dmar_info *d, u32 from, u16 seg, u8 start_bus, const struct dmar_path_elem *path,
		   u32 len)
{
	u32 n = d->nrmrr < DMAR_MAX_RMRR ? d->nrmrr : DMAR_MAX_RMRR;
	for (u32 i = from; i < n; i++)
		if (dmar_rmrr_names(&d->rmrr[i], seg, start_bus, path, len))
			return i;
	return n;
}

bool dmar_range_overlaps(u64 base, u64 limit, u64 start, u64 size)
{
	if (!size || limit < base)
		return false;
	return start <= limit && (base <= start || base - start < size); /* no overflow near 2^64 */
}

int dmar_unit_for_path(const struct dmar_info *d, u16 seg, u8 start_bus, const struct dmar_path_elem *path,
		       u32 path_len)
{
	int include_all = -1;

	if (!path || path_len == 0 || path_len > DMAR_MAX_PATH)
		return -1;
	for (u32 i = 0; i < d->ndrhd && i < DMAR_MAX_UNITS; i++) {
		const struct dmar_drhd *u = &d->drhd[i];

		if (u->segment != seg)
			continue;
		if (u->include_pci_all) {
			if (include_all < 0)
				include_all = (int)i;
			continue;
		}
		for (u32 j = 0; j < u->nscopes && j < DMAR_MAX_SCOPES; j++)
			if (scope_covers(&u->scopes[j], start_bus, path, path_len))
				return (int)i;
	}
	return include_all;
}

/*
 * Limitation: a DMAR scope names a device by its path from a start bus through bridges, one
 * (device, function) hop per bridge. Turning a multi-hop path into the device's bus number needs
 * the bridges' secondary bus numbers from PCI config space, which is not read here. So, for a
 * device known only by bus:dev.fn:
 *  - a one-hop scope (start bus B, path D.F) matches device B:D.F exactly, and a one-hop bridge
 *    scope matches the bridge itself;
 *  - multi-hop scopes, and devices below a bridge scope, are not matched: they are kept as paths
 *    for dmar_unit_for_path(), whose caller knows the device's own path. Such a device falls back
 *    to its segment's INCLUDE_PCI_ALL unit (or -1), which fails closed: its DMA reaches a unit
 *    where Moat installed no context entry for it.
 */
int dmar_unit_for_device(const struct dmar_info *d, u16 seg, u8 bus, u8 dev, u8 fn)
{
	const struct dmar_path_elem hop = {dev, fn};

	return dmar_unit_for_path(d, seg, bus, &hop, 1);
}
