/* kernel/console.c: the console sink and the lock that keeps lines from different CPUs whole. */
#include "console.h"
#include "spinlock.h"
#include "uart.h"

static console_sink_fn console_sink;
static struct spinlock console_spin;

void console_set_sink(console_sink_fn sink) { console_sink = sink; }

void console_write(const char *s, size_t n)
{
	if (console_sink)
		console_sink(s, n);
	else
		uart_write(s, n);
}

void console_lock(void) { spin_lock(&console_spin); }
void console_unlock(void) { spin_unlock(&console_spin); }
void console_break_lock(void) { spin_unlock(&console_spin); }
