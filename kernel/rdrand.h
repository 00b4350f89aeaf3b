/* kernel/rdrand.h: the CPU's random number generator (RDRAND), for when there is no TPM. */
#ifndef MOAT_RDRAND_H
#define MOAT_RDRAND_H

#include "types.h"

/* Fills out with RDRAND output; false if the CPU has no RDRAND or it keeps failing. */
bool rdrand_fill(void *out, size_t len);

#endif
