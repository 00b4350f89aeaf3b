/* kernel/uart.h: the physical 16550 UART (COM1) Moat logs to. */
#ifndef MOAT_UART_H
#define MOAT_UART_H

#include "types.h"

void uart_init(void);
void uart_write(const char *s, size_t n);
/* Waits (bounded) until the transmitter is empty, so nothing is lost when an emulator exits. */
void uart_drain(void);
/* The next received byte, or -1 if none is waiting (never blocks). */
int uart_getc_nowait(void);

#endif
