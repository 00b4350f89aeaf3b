/* kernel/gdt.c: builds and loads a CPU's GDT (flat 64-bit code and data) and its TSS.
 * FS and GS selectors are left alone: their bases hold the per-CPU area. */
#include "gdt.h"
#include "string.h"

#define SEG_ACCESSED BIT(40)
#define SEG_RW BIT(41)
#define SEG_EXEC BIT(43)
#define SEG_CODE_DATA BIT(44)
#define SEG_PRESENT BIT(47)
#define SEG_LONG BIT(53)
#define SEG_DB BIT(54)
#define SEG_GRAN BIT(55)
#define SEG_LIMIT_MAX (0xffffULL | (0xfULL << 48))

#define TSS_TYPE_AVAILABLE (0x9ULL << 40)

struct gdtr {
	u16 limit;
	u64 base;
} __packed;

void gdt_load(struct cpu_tables *t, const u64 ist_tops[IST_COUNT])
{
	memset(t, 0, sizeof(*t));
	t->gdt[GDT_SEL_CODE / 8] = SEG_LIMIT_MAX | SEG_ACCESSED | SEG_RW | SEG_EXEC | SEG_CODE_DATA | SEG_PRESENT |
				   SEG_LONG | SEG_GRAN;
	t->gdt[GDT_SEL_DATA / 8] =
		SEG_LIMIT_MAX | SEG_ACCESSED | SEG_RW | SEG_CODE_DATA | SEG_PRESENT | SEG_DB | SEG_GRAN;

	for (int i = 0; i < IST_COUNT; i++)
		t->tss.ist[i] = ist_tops[i];
	t->tss.iomap_base = sizeof(struct tss64); /* no I/O permission bitmap */
	u64 base = (u64)(uintptr_t)&t->tss;
	u64 limit = sizeof(struct tss64) - 1;
	t->gdt[GDT_SEL_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | TSS_TYPE_AVAILABLE | SEG_PRESENT |
				  (((base >> 24) & 0xff) << 56);
	t->gdt[GDT_SEL_TSS / 8 + 1] = base >> 32;

	struct gdtr g = {sizeof(t->gdt) - 1, (u64)(uintptr_t)t->gdt};
	__asm__ volatile("lgdt %0\n\t"
			 "mov %1, %%ds\n\t"
			 "mov %1, %%es\n\t"
			 "mov %1, %%ss\n\t"
			 "lea 1f(%%rip), %%rax\n\t"
			 "pushq %2\n\t"
			 "pushq %%rax\n\t"
			 "lretq\n"
			 "1:\n\t"
			 "ltr %w3"
			 :
			 : "m"(g), "r"((u64)GDT_SEL_DATA), "i"(GDT_SEL_CODE), "r"((u64)GDT_SEL_TSS)
			 : "rax", "memory");
}
