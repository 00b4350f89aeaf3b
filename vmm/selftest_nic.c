/* vmm/selftest_nic.c: the self-test suites' NIC in its own DMA domain (see selftest_nic.h). */
#include "selftest_nic.h"
#include "../kernel/fmt.h"
#include "../kernel/frame_alloc.h"
#include "../kernel/frame_owner.h"
#include "../kernel/string.h"

int selftest_nic_open(struct selftest_nic *s, u16 owner, const char *name, char *why, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->owner = owner;
	if (e1000e_find(&s->nic) != 0) {
		snprintf(why, n, "no supported NIC (Intel 82574L e1000e or 82540EM e1000)");
		return -1;
	}
	s->hpa = frame_alloc_contig(SELFTEST_NIC_PAGES, 1, 0);
	if (!s->hpa || frame_owner_assign(s->hpa, SELFTEST_NIC_PAGES, owner, FRAME_R | FRAME_W) != 0) {
		snprintf(why, n, "no memory for the NIC's window");
		return -1;
	}
	s->dom = domain_create(owner, name);
	if (!s->dom ||
	    domain_map(s->dom, SELFTEST_NIC_GPA, s->hpa, SELFTEST_NIC_PAGES * PAGE_SIZE, DOMAIN_RW) != 0 ||
	    domain_attach(s->dom, &s->nic.addr) != 0) {
		snprintf(why, n, "could not give the NIC a DMA domain (DMA remapping off?)");
		return -1;
	}
	s->attached = true;
	if (e1000e_start(&s->nic, (u8 *)(uintptr_t)s->hpa, SELFTEST_NIC_GPA) != 0) {
		snprintf(why, n, "the NIC did not start");
		return -1;
	}
	return 0;
}

void selftest_nic_close(struct selftest_nic *s)
{
	if (s->nic.win)
		e1000e_stop(&s->nic);
	if (s->attached)
		domain_detach(s->dom, &s->nic.addr);
	domain_destroy(s->dom);
	if (s->hpa && frame_owner_of(s->hpa) == s->owner) {
		memset((void *)(uintptr_t)s->hpa, 0, SELFTEST_NIC_PAGES * PAGE_SIZE);
		frame_owner_mark_scrubbed(s->hpa, SELFTEST_NIC_PAGES, s->owner); /* domain gone, IOTLB invalidated */
		frame_owner_release(s->hpa, SELFTEST_NIC_PAGES, s->owner);
	}
	if (s->hpa)
		frame_free_contig(s->hpa, SELFTEST_NIC_PAGES);
	s->hpa = 0;
	s->attached = false;
}
