/* tools/linux/moat_helper.c: a tiny static Linux program for the test initramfs: what busybox
 * cannot do. No libc: raw system calls, built by tools/linux/fetch.sh with the host's gcc.
 *   moat-helper tsc         print the TSC (rdtsc) in decimal
 *   moat-helper drain       wait until the console (fd 1) has sent every byte (tcdrain)
 *   moat-helper bochs-exit  wait for COM1's transmitter to empty, then write "Shutdown" to Bochs'
 *                           port 0x8900, which ends the emulator (returns only if it did not) */

#define SYS_WRITE 1
#define SYS_IOCTL 16
#define SYS_IOPERM 173
#define SYS_EXIT 60
#define TCSBRK 0x5409 /* with argument 1: wait until output is drained, no break */
#define STDOUT 1
#define COM1_LSR 0x3FD
#define LSR_TEMT 0x40
#define TEMT_POLLS 1000000
#define BOCHS_SHUTDOWN_PORT 0x8900
#define DECIMAL_MAX 20

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call helper_main\n"
	"	mov %eax, %edi\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	hlt\n");

static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "a"(n), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}

static unsigned long strlen_(const char *s)
{
	unsigned long n = 0;
	while (s[n])
		n++;
	return n;
}

static int streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static void puts_(const char *s) { sys3(SYS_WRITE, STDOUT, (long)s, (long)strlen_(s)); }

static void print_u64(unsigned long long v)
{
	char buf[DECIMAL_MAX + 2];
	int i = DECIMAL_MAX;
	buf[DECIMAL_MAX] = '\n';
	buf[DECIMAL_MAX + 1] = 0;
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	puts_(buf + i);
}

static unsigned char inb(unsigned short port)
{
	unsigned char v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static void outb(unsigned short port, unsigned char v) { __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port)); }

static int bochs_exit(void)
{
	static const char word[] = "Shutdown";
	if (sys3(SYS_IOPERM, COM1_LSR, 1, 1) == 0)
		for (int i = 0; i < TEMT_POLLS && !(inb(COM1_LSR) & LSR_TEMT); i++)
			;
	if (sys3(SYS_IOPERM, BOCHS_SHUTDOWN_PORT, 1, 1) != 0) {
		puts_("moat-helper: ioperm(0x8900) refused\n");
		return 1;
	}
	for (const char *c = word; *c; c++)
		outb(BOCHS_SHUTDOWN_PORT, (unsigned char)*c);
	return 1; /* still running: not Bochs */
}

int helper_main(long *sp);
int helper_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	if (argc == 2 && streq(argv[1], "tsc")) {
		unsigned lo, hi;
		__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
		print_u64((unsigned long long)hi << 32 | lo);
		return 0;
	}
	if (argc == 2 && streq(argv[1], "drain"))
		return sys3(SYS_IOCTL, STDOUT, TCSBRK, 1) == 0 ? 0 : 1;
	if (argc == 2 && streq(argv[1], "bochs-exit"))
		return bochs_exit();
	puts_("usage: moat-helper tsc|drain|bochs-exit\n");
	return 2;
}
