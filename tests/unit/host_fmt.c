/* tests/unit/host_fmt.c: snprintf/vsnprintf for host tests come from libc. kernel/fmt.h declares the
 * same prototypes; both are in scope here, so the build fails if they ever disagree. */
#include <stdio.h>
#include "kernel/fmt.h"

int (*const host_fmt_snprintf)(char *, size_t, const char *, ...) = snprintf;
int (*const host_fmt_vsnprintf)(char *, size_t, const char *, va_list) = vsnprintf;
