/* guests/control/main.c: a control VM (`control = yes`) for tests/scenarios/vmx_export.scn. It finds
 * VM 'worker', pauses and resumes it once, lets it run, pauses it again and exports it into its own
 * memory (ciphertext only: it looks for the worker's plaintext marker and reports how often it saw it),
 * destroys the original, then asks Moat to restore two altered copies (one bit flipped in a page, one in
 * the header), which must be refused, and the unaltered image as VM 'worker-2', which then continues
 * where the worker was paused. Exit code 0 when every step went as expected, else 1. */
#include "guest.h"

#define IMAGE_MAX (2304 * 1024)
#define WARMUP_YIELDS 40
#define TAMPER_PAGE 5
#define TAMPER_OFFSET 100
#define MARKER "WORKER-PLAINTEXT-MARKER-7f3a"

static u8 image[IMAGE_MAX];

static u64 count_marker(u64 size)
{
	static const char m[] = MARKER;
	u64 n = 0, len = sizeof(m) - 1;
	for (u64 i = 0; i + len <= size; i++)
		n += gstrncmp((const char *)&image[i], m, len) == 0;
	return n;
}

static s64 restore(const char *name, u64 size)
{
	return hypercall4(HC_VM_RESTORE, (u64)(uintptr_t)image, size, (u64)(uintptr_t)name, gstrlen(name));
}

int guest_main(u64 ram, u64 area)
{
	(void)ram;
	(void)area;
	int rc = 0;
	static const char worker[] = "worker";
	s64 w = hypercall(HC_VM_FIND, (u64)(uintptr_t)worker, sizeof(worker) - 1);
	gprintf("control: started; vm 'worker' has id %lld\n", w);
	if (w < 0)
		return 1;
	s64 p = hypercall(HC_VM_PAUSE, (u64)w, 0), q = hypercall(HC_VM_RESUME, (u64)w, 0);
	gprintf("control: pause and resume of 'worker': %lld, %lld\n", p, q);
	gprintf("control: pause of myself refused with %lld\n", hypercall(HC_VM_PAUSE, hypercall(HC_VM_ID, 0, 0), 0));
	for (int i = 0; i < WARMUP_YIELDS; i++)
		hypercall(HC_YIELD, 0, 0);

	p = hypercall(HC_VM_PAUSE, (u64)w, 0);
	s64 size = hypercall4(HC_VM_EXPORT, (u64)w, (u64)(uintptr_t)image, sizeof(image), 0);
	const struct moat_image_header *h = (const struct moat_image_header *)image;
	gprintf("control: paused 'worker' (%lld) and exported it: %lld bytes, header '%s', %u pages, export #%u\n", p,
		size, size > 0 ? h->name : "?", size > 0 ? h->pages : 0, size > 0 ? h->counter : 0);
	if (p != 0 || size <= 0)
		return 1;
	gprintf("control: the worker's plaintext marker appears %llu times in the image\n", count_marker((u64)size));
	gprintf("control: destroyed the original 'worker': %lld\n", hypercall(HC_VM_DESTROY, (u64)w, 0));

	u64 at = sizeof(*h) + (u64)TAMPER_PAGE * (MOAT_IMAGE_PAGE + MOAT_IMAGE_TAG) + TAMPER_OFFSET;
	image[at] ^= 1;
	s64 r = restore("worker-bad", (u64)size);
	gprintf("control: restore with one bit flipped in page %u refused with %lld\n", TAMPER_PAGE, r);
	image[at] ^= 1;
	if (r != -HC_EBADMSG)
		rc = 1;
	image[__builtin_offsetof(struct moat_image_header, counter)] ^= 1;
	r = restore("worker-bad", (u64)size);
	gprintf("control: restore with one bit flipped in the header refused with %lld\n", r);
	image[__builtin_offsetof(struct moat_image_header, counter)] ^= 1;
	if (r != -HC_EBADMSG)
		rc = 1;

	static const char name2[] = "worker-2";
	r = restore(name2, (u64)size);
	gprintf("control: restored the image as '%s': VM id %lld\n", name2, r);
	if (r < 0)
		rc = 1;
	gprintf("control: done, stopping with code %d\n", rc);
	return rc;
}
