/* tests/unit/host_crypto_guard.c: crypto_enter/crypto_leave for host tests: a user process has no
 * interrupt handlers to fence off (and may not execute cli), so both only save nothing. */
#include "kernel/crypto_guard.h"

void crypto_enter(struct crypto_guard *g) { g->rflags = 0; }
void crypto_leave(struct crypto_guard *g) { (void)g; }
