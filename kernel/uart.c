/* kernel/uart.c: polled driver for the 16550 UART at COM1 (0x3f8), 115200 8N1. */
#include "uart.h"
#include "cpu.h"

#define COM1 0x3f8
#define UART_THR 0 /* transmit holding (DLAB=0) */
#define UART_DLL 0 /* divisor low (DLAB=1) */
#define UART_IER 1
#define UART_DLM 1 /* divisor high (DLAB=1) */
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5

#define LCR_8N1 0x03
#define LCR_DLAB BIT(7)
#define FCR_ENABLE_CLEAR 0x07
#define MCR_DTR_RTS_OUT2 0x0b
#define LSR_DR BIT(0)
#define LSR_THRE BIT(5)
#define LSR_TEMT BIT(6)

#define UART_BAUD_DIVISOR 1 /* 115200 */
#define UART_SPIN_LIMIT 100000

void uart_init(void)
{
	outb(COM1 + UART_IER, 0);
	outb(COM1 + UART_LCR, LCR_DLAB);
	outb(COM1 + UART_DLL, UART_BAUD_DIVISOR);
	outb(COM1 + UART_DLM, 0);
	outb(COM1 + UART_LCR, LCR_8N1);
	outb(COM1 + UART_FCR, FCR_ENABLE_CLEAR);
	outb(COM1 + UART_MCR, MCR_DTR_RTS_OUT2);
}

static void uart_putc(char c)
{
	for (int i = 0; i < UART_SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_THRE); i++)
		cpu_relax();
	outb(COM1 + UART_THR, (u8)c);
}

void uart_write(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\n')
			uart_putc('\r');
		uart_putc(s[i]);
	}
}

void uart_drain(void)
{
	for (int i = 0; i < UART_SPIN_LIMIT && !(inb(COM1 + UART_LSR) & LSR_TEMT); i++)
		cpu_relax();
}

int uart_getc_nowait(void)
{
	if (!(inb(COM1 + UART_LSR) & LSR_DR))
		return -1;
	return inb(COM1 + UART_THR); /* RBR: the same offset as THR, read */
}
