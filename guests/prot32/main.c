/* guests/prot32/main.c: an ELF32 guest that starts in 32-bit protected mode without paging
 * (flat segments from Moat's GDT, ESP below the boot area). Prints a line through the UART,
 * reads its VM id and stops itself with HC_STOP(0). */
typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

#define UART 0x3f8
#define HC_VM_ID 1
#define HC_STOP 3

static void putc(char c) { __asm__ volatile("outb %0, %1" ::"a"((u8)c), "Nd"((u16)UART)); }
static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

void _start(void)
{
	u32 id, cs;
	__asm__ volatile("vmcall" : "=a"(id) : "a"(HC_VM_ID) : "memory");
	__asm__ volatile("mov %%cs, %0" : "=r"(cs));
	puts("prot32: hello from 32-bit protected mode, VM id ");
	putc((char)('0' + id % 10));
	puts(cs == 8 ? ", CS 0x08\n" : ", unexpected CS\n");
	__asm__ volatile("vmcall" ::"a"(HC_STOP), "D"(0) : "memory");
	for (;;)
		__asm__ volatile("hlt");
}
