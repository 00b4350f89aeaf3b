/* iommu/domain.c: DMA domains (see domain.h): the blocking domain, per-VM domains, their mappings
 * checked against the frame ownership table, the identity maps of accepted RMRRs, strict unmap, and
 * device attachment. */
#include "domain.h"
#include "iommu.h"
#include "iommu_rt.h"
#include "sl_table.h"
#include "table_mem.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/log.h"
#include "../kernel/pci.h"
#include "../kernel/string.h"


struct iommu_domain {
	bool used;
	u16 owner;
	u16 did;
	char name[DOMAIN_NAME_MAX + 1];
	struct sl_table sl;
	u32 ndevices;
	u32 nrmrr; /* RMRR ranges identity-mapped (domain_map_rmrr), inclusive limits */
	struct {
		u64 base, limit;
	} rmrr[DOMAIN_RMRR_MAX];
};

static struct iommu_domain domains[DOMAIN_MAX];
static struct iommu_domain *blocking;

static struct iommu_domain *by_did(u16 did)
{
	for (u32 i = 0; i < DOMAIN_MAX; i++)
		if (domains[i].used && domains[i].did == did)
			return &domains[i];
	return NULL;
}

static struct iommu_domain *new_domain(u16 owner, const char *name)
{
	struct iommu_rt *rt = iommu_rt();
	for (u32 i = 0; i < DOMAIN_MAX; i++) {
		struct iommu_domain *d = &domains[i];
		if (d->used)
			continue;
		u16 did = (u16)(IOMMU_DID_BLOCKING + i);
		if (did >= rt->max_did)
			break;
		*d = (struct iommu_domain){.owner = owner, .did = did};
		strlcpy(d->name, name, sizeof(d->name));
		if (sl_init(&d->sl, &vtd_sl_ops, rt->levels, rt->aw, rt->sp_2m, rt->sp_1g) != 0)
			return NULL;
		d->used = true;
		return d;
	}
	pr_err("iommu", "no domain id left for '%s' (%u domains)", name, DOMAIN_MAX);
	return NULL;
}

int iommu_domains_init(void)
{
	blocking = new_domain(OWNER_MOAT, "blocking");
	return blocking ? 0 : -1;
}

struct iommu_domain *domain_create(u16 owner, const char *name)
{
	struct iommu_rt *rt = iommu_rt();
	if (!rt->up || !blocking) {
		pr_err("iommu", "domain '%s': DMA remapping is not on", name);
		return NULL;
	}
	if (owner < OWNER_VM_FIRST || owner > OWNER_VM_LAST) {
		pr_err("iommu", "domain '%s': owner %u is not a VM", name, owner);
		return NULL;
	}
	spin_lock(&rt->lock);
	struct iommu_domain *d = new_domain(owner, name);
	spin_unlock(&rt->lock);
	if (d)
		pr_info("iommu", "domain %u for vm '%s' (%u-level, %u-bit)", d->did, d->name, d->sl.levels, d->sl.aw);
	return d;
}

/* IOTLB invalidation of a range on every unit that is up: 0, or -1 if any failed. */
static int flush_range(u16 did, u64 gpa, u64 size)
{
	struct iommu_rt *rt = iommu_rt();
	int rc = 0;
	for (u32 i = 0; i < rt->nunits; i++)
		if (rt->units[i].up && vtd_inv_iotlb_range(&rt->units[i], did, gpa, size) != 0)
			rc = -1;
	return rc;
}

/* Once checked: the translations, made visible to every unit that is up. 0 or -1. */
static int map_tables(struct iommu_domain *d, u64 gpa, u64 hpa, u64 size, u32 sl_perms)
{
	struct iommu_rt *rt = iommu_rt();
	spin_lock(&rt->lock);
	int rc = sl_map(&d->sl, gpa, hpa, size, sl_perms);
	if (rc == 0) {
		for (u32 i = 0; i < rt->nunits; i++) {
			struct vtd_unit *u = &rt->units[i];
			if (!u->up)
				continue;
			/* not present -> present: only caching-mode units may hold the old state */
			if (u->caps->cm && vtd_inv_iotlb_range(u, d->did, gpa, size) != 0)
				rc = -1;
			else if (vtd_write_buffer_flush(u) != 0)
				rc = -1;
		}
	}
	spin_unlock(&rt->lock);
	return rc;
}

int domain_map(struct iommu_domain *d, u64 gpa, u64 hpa, u64 size, u32 perms)
{
	if (!d || !d->used || d == blocking)
		return -1;
	u8 need = (u8)((perms & DOMAIN_R ? FRAME_R : 0) | (perms & DOMAIN_W ? FRAME_W : 0));
	if (!need || (perms & ~DOMAIN_RW) || hpa % PAGE_SIZE || size % PAGE_SIZE || !size ||
	    !frame_owner_allows(hpa, size / PAGE_SIZE, d->owner, need)) {
		pr_err("iommu", "vm '%s': refused to map 0x%llx +0x%llx -> 0x%llx: frames not owned by the vm with "
		       "those rights", d->name, gpa, size, hpa);
		return -1;
	}
	u32 sl_perms = (perms & DOMAIN_R ? SL_PERM_R : 0) | (perms & DOMAIN_W ? SL_PERM_W : 0);
	int rc = map_tables(d, gpa, hpa, size, sl_perms);
	if (rc)
		pr_err("iommu", "vm '%s': mapping 0x%llx +0x%llx failed (already mapped, outside %u bits, or no "
		       "memory)", d->name, gpa, size, d->sl.aw);
	return rc;
}


int domain_unmap(struct iommu_domain *d, u64 gpa, u64 size)
{
	if (!d || !d->used || d == blocking)
		return -1;
	struct iommu_rt *rt = iommu_rt();
	spin_lock(&rt->lock);
	int rc = sl_unmap(&d->sl, gpa, size);
	/* invalidate even after a partial unmap: whatever was removed must be gone from the IOTLB */
	if (flush_range(d->did, gpa, size) != 0)
		rc = -1;
	spin_unlock(&rt->lock);
	if (rc)
		pr_err("iommu", "vm '%s': unmap of 0x%llx +0x%llx did not complete: keep those frames", d->name,
		       gpa, size);
	return rc;
}

/* Points every requester id of dev on its unit at domain to. */
static int set_context(const struct pci_addr *dev, struct iommu_domain *to)
{
	struct vtd_unit *u = iommu_unit_for(dev);
	if (!u)
		return -1;
	u16 rids[IOMMU_MAX_DMA_ALIASES];
	u32 n = iommu_dma_aliases(dev, rids, IOMMU_MAX_DMA_ALIASES);
	int rc = 0;
	for (u32 i = 0; i < n; i++)
		if (vtd_context_set(u, rids[i], to->sl.root, to->sl.levels, to->did) != 0)
			rc = -1;
	return rc;
}

u32 iommu_rmrr_next(const struct pci_addr *dev, u32 from)
{
	const struct dmar_info *di = &iommu_state()->dmar;
	struct dmar_path_elem path[DMAR_MAX_PATH];
	u8 start = 0;
	u32 n = iommu_dev_path(dev, &start, path, DMAR_MAX_PATH);
	return dmar_rmrr_next(di, from, dev->seg, start, path, n);
}

bool domain_rmrr_mapped(const struct iommu_domain *d, u64 base, u64 limit)
{
	for (u32 i = 0; d && i < d->nrmrr; i++)
		if (d->rmrr[i].base == base && d->rmrr[i].limit == limit)
			return true;
	return false;
}

/* Why [base, limit] may not be identity-mapped for a device, or NULL: every frame must be memory no one
 * else can ever be given: not Moat's or a VM's in the ownership table, not free in the allocator (the
 * firmware reports RMRRs as reserved memory), and no other domain may map it (two VMs' devices writing
 * the same firmware memory would be a channel between them). */
static const char *rmrr_unfit(const struct iommu_domain *d, u64 base, u64 limit, u64 *bad, char *buf,
			      size_t n)
{
	u64 alloc_end = frame_alloc_max_phys();
	for (u64 p = base; p <= limit && p >= base; p += PAGE_SIZE) {
		*bad = p;
		u16 o = frame_owner_of(p);
		if (o != OWNER_NONE) {
			snprintf(buf, n, "frame 0x%llx belongs to %s (owner %u), not to the firmware", p,
				 o == OWNER_MOAT ? "Moat" : "a VM", o);
			return buf;
		}
		if (p < alloc_end && !frame_is_allocated(p)) {
			snprintf(buf, n, "frame 0x%llx is free RAM that Moat could hand to anyone", p);
			return buf;
		}
	}
	for (u32 i = 0; i < DOMAIN_MAX; i++) {
		const struct iommu_domain *o = &domains[i];
		if (!o->used || o == d)
			continue;
		for (u32 k = 0; k < o->nrmrr; k++)
			if (dmar_range_overlaps(base, limit, o->rmrr[k].base,
						o->rmrr[k].limit - o->rmrr[k].base + 1)) {
				snprintf(buf, n, "vm '%s''s DMA domain already maps 0x%llx-0x%llx", o->name,
					 o->rmrr[k].base, o->rmrr[k].limit);
				return buf;
			}
	}
	return NULL;
}

int domain_map_rmrr(struct iommu_domain *d, u64 base, u64 limit)
{
	if (!d || !d->used || d == blocking)
		return -1;
	if (domain_rmrr_mapped(d, base, limit))
		return 0;
	char buf[120];
	u64 bad = base;
	const char *why = NULL;
	if (limit < base || base % PAGE_SIZE || (limit + 1) % PAGE_SIZE)
		why = "not a page-aligned range";
	else if (d->nrmrr == DOMAIN_RMRR_MAX)
		why = "too many RMRR ranges in one domain";
	else
		why = rmrr_unfit(d, base, limit, &bad, buf, sizeof(buf));
	if (!why && map_tables(d, base, base, limit - base + 1, SL_PERM_R | SL_PERM_W) != 0)
		why = "the range is already mapped (the VM's RAM?), outside the address width, or no memory";
	if (why) {
		pr_err("iommu", "vm '%s': RMRR 0x%llx-0x%llx not identity-mapped: %s", d->name, base, limit,
		       why);
		return -1;
	}
	spin_lock(&iommu_rt()->lock);
	d->rmrr[d->nrmrr].base = base;
	d->rmrr[d->nrmrr].limit = limit;
	d->nrmrr++;
	spin_unlock(&iommu_rt()->lock);
	return 0;
}

u32 domain_rmrr_ranges(const struct iommu_domain *d, u64 *base, u64 *limit, u32 max)
{
	u32 n = 0;
	for (; d && n < d->nrmrr && n < max; n++) {
		base[n] = d->rmrr[n].base;
		limit[n] = d->rmrr[n].limit;
	}
	return n;
}

static int attach(struct iommu_domain *d, const struct pci_addr *dev, bool need_ir)
{
	char bdf[PCI_ADDR_STR_MAX];
	pci_addr_format(dev, bdf, sizeof(bdf));
	if (!d || !d->used || d == blocking)
		return -1;
	struct iommu_rt *rt = iommu_rt();
	struct vtd_unit *u = iommu_unit_for(dev);
	if (!u) {
		pr_err("iommu", "%s: no DMA remapping unit covers it: not given to vm '%s'", bdf, d->name);
		return -1;
	}
	if (need_ir && !irq_remap_on()) {
		pr_err("iommu", "%s: interrupt remapping is off: not given to vm '%s'", bdf, d->name);
		return -1;
	}
	const struct dmar_info *di = &iommu_state()->dmar;
	for (u32 r = iommu_rmrr_next(dev, 0); r < di->nrmrr; r = iommu_rmrr_next(dev, r + 1))
		if (!domain_rmrr_mapped(d, di->rmrr[r].base, di->rmrr[r].limit)) {
			pr_err(
			    "iommu",
			    "%s: named by an RMRR (firmware DMA to 0x%llx-0x%llx) that vm '%s''s domain does "
			    "not identity-map: not given to it",
			    bdf, di->rmrr[r].base, di->rmrr[r].limit, d->name);
			return -1;
		}
	spin_lock(&rt->lock);
	u16 rids[IOMMU_MAX_DMA_ALIASES];
	u32 n = iommu_dma_aliases(dev, rids, IOMMU_MAX_DMA_ALIASES);
	for (u32 i = 0; i < n; i++) {
		int cur = vtd_context_did(u, rids[i]);
		if (cur >= 0 && cur != IOMMU_DID_BLOCKING && cur != d->did) {
			struct iommu_domain *o = by_did((u16)cur);
			spin_unlock(&rt->lock);
			pr_err("iommu", "%s: requester id %02x:%02x.%u already belongs to vm '%s'", bdf, rids[i] >> 8,
			       (rids[i] >> 3) & 0x1f, rids[i] & 7, o ? o->name : "?");
			return -1;
		}
	}
	int rc = set_context(dev, d);
	if (rc == 0)
		d->ndevices++;
	spin_unlock(&rt->lock);
	if (rc == 0)
		pr_info("iommu", "%s attached to vm '%s' (domain %u, %u requester id%s)", bdf, d->name, d->did, n,
			n > 1 ? "s" : "");
	else
		pr_err("iommu", "%s: attaching to vm '%s' failed", bdf, d->name);
	return rc;
}

int domain_attach(struct iommu_domain *d, const struct pci_addr *dev) { return attach(d, dev, true); }

int domain_attach_dma_test(struct iommu_domain *d, const struct pci_addr *dev)
{
	return attach(d, dev, false);
}

int domain_detach(struct iommu_domain *d, const struct pci_addr *dev)
{
	if (!d || !d->used || d == blocking)
		return -1;
	struct iommu_rt *rt = iommu_rt();
	struct vtd_unit *u = iommu_unit_for(dev);
	if (!u || vtd_context_did(u, pci_addr_rid(dev)) != d->did)
		return -1;
	spin_lock(&rt->lock);
	int rc = set_context(dev, blocking);
	if (d->ndevices)
		d->ndevices--;
	spin_unlock(&rt->lock);
	return rc;
}

void domain_destroy(struct iommu_domain *d)
{
	if (!d || !d->used || d == blocking)
		return;
	struct iommu_rt *rt = iommu_rt();
	/* every context entry still naming this domain goes back to the blocking domain */
	for (u32 p = 0; p < pci_count(); p++) {
		const struct pci_addr *a = &pci_func_at(p)->addr;
		struct vtd_unit *u = iommu_unit_for(a);
		if (u && vtd_context_did(u, pci_addr_rid(a)) == d->did)
			domain_detach(d, a);
	}
	spin_lock(&rt->lock);
	for (u32 i = 0; i < rt->nunits; i++)
		if (rt->units[i].up)
			vtd_inv_iotlb_domain(&rt->units[i], d->did);
	sl_destroy(&d->sl); /* the RMRR identity maps go with the rest */
	d->nrmrr = 0;
	d->used = false;
	spin_unlock(&rt->lock);
}

void domain_walk_all(const struct domain_visitor *v)
{
	struct iommu_rt *rt = iommu_rt();
	spin_lock(&rt->lock);
	for (u32 i = 0; i < DOMAIN_MAX; i++) {
		const struct iommu_domain *d = &domains[i];
		if (!d->used)
			continue;
		if (v->domain)
			v->domain(v->ctx, d->owner, d->name);
		for (u32 k = 0; v->rmrr && k < d->nrmrr; k++)
			v->rmrr(v->ctx, d->rmrr[k].base, d->rmrr[k].limit);
		sl_walk(&d->sl, v->table, v->leaf, v->ctx);
	}
	spin_unlock(&rt->lock);
}

int domain_check_contexts(char *why, size_t n)
{
	if (!iommu_rt()->up)
		return 0; /* no context entries at all; bus mastering stays off (kernel/pci.c) */
	for (u32 p = 0; p < pci_count(); p++) {
		const struct pci_addr *a = &pci_func_at(p)->addr;
		struct vtd_unit *u = iommu_unit_for(a);
		int did = u ? vtd_context_did(u, pci_addr_rid(a)) : -1;
		if (did < 0 || did == IOMMU_DID_BLOCKING || by_did((u16)did))
			continue;
		char bdf[PCI_ADDR_STR_MAX];
		snprintf(why, n, "%s: context entry names domain %d, which does not exist", pci_addr_format(a, bdf, sizeof(bdf)),
			 did);
		return -1;
	}
	return 0;
}

u32 iommu_unit_mmio(u64 *base, u32 max)
{
	struct iommu_rt *rt = iommu_rt();
	u32 n = 0;
	for (u32 i = 0; i < rt->nunits && n < max; i++)
		base[n++] = rt->units[i].base;
	return n;
}

u64 domain_lookup(const struct iommu_domain *d, u64 gpa, u32 *perms)
{
	u32 p = 0;
	u64 hpa = sl_lookup(&d->sl, gpa, &p, NULL);
	if (perms)
		*perms = (p & SL_PERM_R ? DOMAIN_R : 0) | (p & SL_PERM_W ? DOMAIN_W : 0);
	return hpa;
}

u32 domain_address_bits(const struct iommu_domain *d) { return d->sl.aw; }
u32 domain_levels(const struct iommu_domain *d) { return d->sl.levels; }
u64 domain_table_pages(const struct iommu_domain *d) { return d->sl.table_pages; }
u16 domain_id(const struct iommu_domain *d) { return d->did; }

u64 iommu_root_table(u32 unit)
{
	struct iommu_rt *rt = iommu_rt();
	return unit < rt->nunits ? rt->units[unit].root_table : 0;
}

u64 iommu_context_table(u32 unit, u8 bus)
{
	struct iommu_rt *rt = iommu_rt();
	return unit < rt->nunits ? rt->units[unit].ctx_table[bus] : 0;
}

/* Attaches every enumerated function to the blocking domain (boot, DESIGN.md invariant 3). */
int iommu_block_all(void)
{
	struct iommu_rt *rt = iommu_rt();
	u32 n = 0, uncovered = 0;
	spin_lock(&rt->lock);
	for (u32 p = 0; p < pci_count(); p++) {
		struct pci_addr a = pci_func_at(p)->addr;
		if (!iommu_unit_for(&a)) {
			char bdf[PCI_ADDR_STR_MAX];
			pr_warn("iommu", "%s: no remapping unit covers it: its DMA is not remapped (bus mastering "
					 "stays off)", pci_addr_format(&a, bdf, sizeof(bdf)));
			uncovered++;
			continue;
		}
		if (set_context(&a, blocking) == 0)
			n++;
	}
	spin_unlock(&rt->lock);
	pr_info("iommu", "%u PCI functions in the blocking domain (domain %u)%s", n, blocking->did,
		uncovered ? ", some not covered" : "");
	return 0;
}

void iommu_describe_source(const struct vtd_unit *u, u16 sid, char *buf, size_t size)
{
	int did = vtd_context_did(u, sid);
	struct iommu_domain *d = did >= 0 ? by_did((u16)did) : NULL;
	if (d && d != blocking)
		snprintf(buf, size, "vm '%s'", d->name);
	else
		snprintf(buf, size, "unassigned");
}
