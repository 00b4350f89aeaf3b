/* kernel/panic.h: stopping Moat on an unrecoverable error, with a report a person can act on. */
#ifndef MOAT_PANIC_H
#define MOAT_PANIC_H

#include "types.h"

struct int_frame;

void panic(const char *fmt, ...) __printf(1, 2) __noreturn;
/* An exception inside Moat: vector, error code, RIP, CR2, registers, backtrace, then panic. */
void panic_exception(struct int_frame *f, const char *name) __noreturn;
bool panic_in_progress(void);
/* Other CPUs end here when the panicking CPU sends them an NMI. */
void panic_park_cpu(void) __noreturn;
/* Set by the kernel once the APIC is up, to stop the other CPUs on panic. */
void panic_set_stop_others(void (*fn)(void));

#endif
