/* kernel/rdrand.c: RDRAND with the retry loop Intel recommends (10 tries per 64-bit value). */
#include "rdrand.h"
#include "cpu.h"
#include "string.h"

#define CPUID1_ECX_RDRAND BIT(30)
#define RDRAND_RETRIES 10

static bool rdrand64(u64 *v)
{
	for (int i = 0; i < RDRAND_RETRIES; i++) {
		u8 ok;
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok));
		if (ok)
			return true;
	}
	return false;
}

bool rdrand_fill(void *out, size_t len)
{
	if (!(cpuid(1, 0).ecx & CPUID1_ECX_RDRAND))
		return false;
	u8 *p = out;
	while (len) {
		u64 v;
		if (!rdrand64(&v))
			return false;
		size_t n = MIN(len, sizeof(v));
		memcpy(p, &v, n);
		p += n;
		len -= n;
		v = 0;
	}
	return true;
}
