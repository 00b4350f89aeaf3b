/* kernel/console.h: where log text goes: the firmware console before ExitBootServices, the UART after. */
#ifndef MOAT_CONSOLE_H
#define MOAT_CONSOLE_H

#include "types.h"

typedef void (*console_sink_fn)(const char *s, size_t n);

/* NULL selects the UART. */
void console_set_sink(console_sink_fn sink);
void console_write(const char *s, size_t n);
void console_lock(void);
void console_unlock(void);
/* Panic only, after the other CPUs were stopped: one of them may have been stopped holding the lock. */
void console_break_lock(void);

#endif
