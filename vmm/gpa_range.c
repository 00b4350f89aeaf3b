/* vmm/gpa_range.c: a range minus its holes (see gpa_range.h). A cursor walks r from its base: inside
 * a hole it jumps to the hole's end, otherwise the piece up to the nearest hole's base is kept. Every
 * step moves the cursor forward, so the walk ends after at most 2 * nholes + 1 steps. */
#include "gpa_range.h"

u32 gpa_range_subtract(struct gpa_range r, const struct gpa_range *holes, u32 nholes, u64 align,
		       struct gpa_range *out, u32 *n, u32 max)
{
	u32 lost = 0;
	u64 cur = r.base;
	while (cur < r.end) {
		u64 next = r.end;
		bool inside = false;
		for (u32 i = 0; i < nholes && !inside; i++) {
			const struct gpa_range *h = &holes[i];
			if (h->end <= h->base)
				continue;
			if (h->base <= cur && h->end > cur) {
				cur = h->end;
				inside = true;
			} else if (h->base > cur && h->base < next) {
				next = h->base;
			}
		}
		if (inside)
			continue;
		u64 b = ALIGN_UP(cur, align), e = ALIGN_DOWN(next, align);
		if (e > b) {
			if (*n < max)
				out[(*n)++] = (struct gpa_range){b, e};
			else
				lost++;
		}
		cur = next;
	}
	return lost;
}
