/* kernel/mmio_own.c: the table of MMIO ranges Moat drives itself (see mmio_own.h). Filled at boot
 * by the code that maps them (kernel/pci_ecam.c, iommu/probe.c); read when a device BAR is about
 * to be given away. */
#include "mmio_own.h"
#include "fmt.h"
#include "log.h"
#include "string.h"

struct own_range {
	u64 base, size;
	char what[MMIO_OWN_NAME_MAX];
};

static struct own_range ranges[MMIO_OWN_MAX];
static u32 nranges;

static bool overlaps(u64 a, u64 as, u64 b, u64 bs)
{
	return a < b + bs && b < a + as;
}

int mmio_own_add(u64 base, u64 size, const char *what)
{
	if (!size || base + size < base) {
		pr_err("mem", "MMIO range %s at 0x%llx, %llu bytes: empty or wrapping; not recorded", what, base, size);
		return -1;
	}
	if (nranges == MMIO_OWN_MAX) {
		pr_err("mem", "more than %u MMIO ranges of Moat's own: %s at 0x%llx not recorded", MMIO_OWN_MAX, what,
		       base);
		return -1;
	}
	struct own_range *r = &ranges[nranges++];
	r->base = base;
	r->size = size;
	snprintf(r->what, sizeof(r->what), "%s", what);
	return 0;
}

const char *mmio_own_overlap(u64 base, u64 size, u64 *own_base, u64 *own_size)
{
	bool wraps = base + size < base;
	for (u32 i = 0; i < nranges; i++) {
		const struct own_range *r = &ranges[i];
		if (wraps || overlaps(base, size, r->base, r->size)) {
			*own_base = r->base;
			*own_size = r->size;
			return r->what;
		}
	}
	return NULL;
}

void mmio_own_reset(void)
{
	nranges = 0;
	memset(ranges, 0, sizeof(ranges));
}
