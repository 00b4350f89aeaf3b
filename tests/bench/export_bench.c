/* tests/bench/export_bench.c: host throughput of Moat's export encryption (vmm/export.c over
 * kernel/crypto.c and Debian's static BearSSL, AES-256-GCM on 4 KiB blocks, the same code the
 * hypervisor runs). Prints one line: "export: N MB/s (4096-byte blocks, IMPL)". The fence around
 * each call is bench_guard.c: pushf/popf and FXSAVE/FXRSTOR as in kernel/crypto_guard.c, without the
 * cli a user process may not execute. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "vmm/export.h"

#define BLOCK 4096
#define SECONDS 1.0

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(void)
{
	static unsigned char buf[BLOCK];
	unsigned char key[32], salt[EXPORT_SALT_LEN], tag[GCM_TAG_LEN];
	struct export_ctx x;
	memset(key, 0x5a, sizeof(key));
	memset(salt, 0xa5, sizeof(salt));
	memset(buf, 1, sizeof(buf));
	export_begin(&x, key, salt, 1, 1);
	for (int i = 0; i < 1000; i++) /* warm up */
		export_seal_block(&x, (unsigned)i, NULL, 0, buf, sizeof(buf), tag);
	unsigned long long blocks = 0;
	double t0 = now(), t;
	do {
		for (int i = 0; i < 256; i++)
			export_seal_block(&x, (unsigned)i, NULL, 0, buf, sizeof(buf), tag);
		blocks += 256;
		t = now();
	} while (t - t0 < SECONDS);
	export_end(&x);
	printf("export: %.1f MB/s (%d-byte blocks, %s)\n", blocks * BLOCK / (t - t0) / 1e6, BLOCK, crypto_impl_name());
	return 0;
}
