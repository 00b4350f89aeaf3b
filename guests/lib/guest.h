/* guests/lib/guest.h: the small runtime every Moat test guest links: UART output, a printf,
 * the hypercalls, CPUID/RDTSC, and (64-bit guests) exception catching for probes that are
 * expected to fault. */
#ifndef GUEST_H
#define GUEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "../../vmm/hypercall_abi.h"

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef unsigned long long u64;
typedef long long s64;

#define UART_BASE 0x3f8
#define UART_LSR 5
#define UART_LSR_THRE 0x20

static inline void outb(u16 port, u8 v) { __asm__ volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
static inline u8 inb(u16 port)
{
	u8 v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u32 inl(u16 port)
{
	u32 v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline u64 rdtsc(void)
{
	u32 lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((u64)hi << 32) | lo;
}
static inline void cpuid(u32 leaf, u32 sub, u32 r[4])
{
	__asm__ volatile("cpuid" : "=a"(r[0]), "=b"(r[1]), "=c"(r[2]), "=d"(r[3]) : "a"(leaf), "c"(sub));
}

/* VMCALL: number in RAX, arguments in RDI, RSI, RDX, RCX; result in RAX. */
static inline s64 hypercall(u64 nr, u64 a, u64 b)
{
	s64 r;
	__asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "D"(a), "S"(b) : "memory");
	return r;
}

/* The same with all four argument registers (RDI, RSI, RDX, RCX). */
static inline s64 hypercall4(u64 nr, u64 a, u64 b, u64 c, u64 d)
{
	s64 r;
	__asm__ volatile("vmcall" : "=a"(r) : "a"(nr), "D"(a), "S"(b), "d"(c), "c"(d) : "memory");
	return r;
}

void uart_putc(char c);
void uart_puts(const char *s);
/* %s %c %d %u %x %llu %lld %llx %p, with an optional 0-padded width for numbers. */
void gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int gvsnprintf(char *buf, u64 size, const char *fmt, va_list ap);
int gsnprintf(char *buf, u64 size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
u64 gstrlen(const char *s);
void gmemset(void *p, int c, u64 n);
int gstrcmp(const char *a, const char *b);
int gstrncmp(const char *a, const char *b, u64 n);

/* The guest's main; its return value is passed to HC_STOP. ram: RAM size, area: the first
 * byte Moat built at the top of RAM (also the initial stack top). */
int guest_main(u64 ram, u64 area);

/* 64-bit only: installs an IDT whose exception handlers resume guest_catch. */
void guest_idt_init(void);
/* Calls fn(arg). Returns -1 if it returned normally, or the vector of the exception it
 * raised (caught_error then holds the error code). */
int guest_catch(void (*fn)(void *), void *arg);
extern volatile u64 caught_error;

extern char __image_end[];

#endif
