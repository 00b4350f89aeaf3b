/* kernel/crypto_guard.h: the fence around every call into BearSSL (see kernel/crypto_guard.c). */
#ifndef MOAT_CRYPTO_GUARD_H
#define MOAT_CRYPTO_GUARD_H

#include "types.h"

#define FXSAVE_AREA_SIZE 512
#define FXSAVE_ALIGN 16

struct crypto_guard {
	u64 rflags;
	u8 fx[FXSAVE_AREA_SIZE] __attribute__((aligned(FXSAVE_ALIGN)));
};

void crypto_enter(struct crypto_guard *g);
void crypto_leave(struct crypto_guard *g);

#endif
