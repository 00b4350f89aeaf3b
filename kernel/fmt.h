/* kernel/fmt.h: freestanding snprintf/vsnprintf and string helpers (no libc in Moat). */
#ifndef MOAT_FMT_H
#define MOAT_FMT_H

#include <stdarg.h>
#include "types.h"

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
