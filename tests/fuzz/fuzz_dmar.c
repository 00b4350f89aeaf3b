/* tests/fuzz/fuzz_dmar.c: libFuzzer target for dmar_parse and the unit lookup. The input is the table,
 * in libFuzzer's exact-size buffer, so ASan reports any read past it. */
#include <stdlib.h>
#include "iommu/dmar.h"

static struct dmar_info d;

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	struct dmar_path_elem path[DMAR_MAX_PATH];

	if (size > UINT32_MAX)
		return 0;
	if (dmar_parse(data, (u32)size, &d) != 0)
		return 0;
	if (d.ndrhd == 0 || d.ndrhd > DMAR_MAX_UNITS || d.nrmrr > DMAR_MAX_RMRR || d.natsr > DMAR_MAX_ATSR)
		abort();
	for (u32 i = 0; i < d.ndrhd; i++) {
		const struct dmar_drhd *u = &d.drhd[i];
		if (u->base == 0 || (u->base & ~PAGE_MASK) || u->nscopes > DMAR_MAX_SCOPES)
			abort();
		for (u32 j = 0; j < u->nscopes; j++) {
			const struct dmar_scope *s = &u->scopes[j];
			int r;
			if (s->path_len == 0 || s->path_len > DMAR_MAX_PATH)
				abort();
			for (u32 k = 0; k < s->path_len; k++)
				path[k] = s->path[k];
			/* a unit's own endpoint scope must resolve to a unit (itself, or an earlier one
			 * naming it) */
			r = dmar_unit_for_path(&d, u->segment, s->start_bus, path, s->path_len);
			if (s->type == DMAR_SCOPE_ENDPOINT && (r < 0 || (u32)r > i) && !u->include_pci_all)
				abort();
			dmar_unit_for_device(&d, u->segment, s->start_bus, s->path[0].dev, s->path[0].fn);
		}
	}
	for (u32 i = 0; i < d.nrmrr; i++)
		if (d.rmrr[i].limit < d.rmrr[i].base || (d.rmrr[i].base & ~PAGE_MASK))
			abort();
	return 0;
}
