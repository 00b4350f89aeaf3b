/* guests/lib/guest_lib.c: UART output, printf and string helpers for test guests. */
#include "guest.h"

void uart_putc(char c)
{
	while (!(inb(UART_BASE + UART_LSR) & UART_LSR_THRE))
		;
	outb(UART_BASE, (u8)c);
}

void uart_puts(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

u64 gstrlen(const char *s)
{
	u64 n = 0;
	while (s[n])
		n++;
	return n;
}

void gmemset(void *p, int c, u64 n)
{
	u8 *b = p;
	while (n--)
		*b++ = (u8)c;
}

int gstrcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (u8)*a - (u8)*b;
}

int gstrncmp(const char *a, const char *b, u64 n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (u8)*a - (u8)*b;
		if (!*a)
			return 0;
	}
	return 0;
}

struct out {
	char *buf;
	u64 size, len;
};

static void emit(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void emit_num(struct out *o, u64 v, unsigned base, int width, bool neg)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	if (neg)
		emit(o, '-');
	for (int i = n; i < width; i++)
		emit(o, '0');
	while (n)
		emit(o, tmp[--n]);
}

int gvsnprintf(char *buf, u64 size, const char *fmt, va_list ap)
{
	struct out o = {buf, size, 0};
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(&o, *fmt);
			continue;
		}
		fmt++;
		int width = 0;
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (*fmt++ - '0');
		int longs = 0;
		while (*fmt == 'l')
			longs++, fmt++;
		switch (*fmt) {
		case 's': {
			const char *s = va_arg(ap, const char *);
			while (s && *s)
				emit(&o, *s++);
			break;
		}
		case 'c':
			emit(&o, (char)va_arg(ap, int));
			break;
		case 'd': {
			s64 v = longs ? va_arg(ap, s64) : va_arg(ap, int);
			emit_num(&o, v < 0 ? (u64)-v : (u64)v, 10, width, v < 0);
			break;
		}
		case 'u':
			emit_num(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 10, width, false);
			break;
		case 'x':
			emit_num(&o, longs ? va_arg(ap, u64) : va_arg(ap, unsigned), 16, width, false);
			break;
		case 'p':
			emit(&o, '0');
			emit(&o, 'x');
			emit_num(&o, (u64)(uintptr_t)va_arg(ap, void *), 16, width, false);
			break;
		default:
			emit(&o, '%');
			emit(&o, *fmt);
			break;
		}
	}
	if (size)
		buf[o.len < size ? o.len : size - 1] = 0;
	return (int)o.len;
}

int gsnprintf(char *buf, u64 size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = gvsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

void gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
}
