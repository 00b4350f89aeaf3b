/* guests/attacker/main.c: the hostile guest. It tries, one after the other, everything a VM
 * must not be able to do, and prints for each attempt what happened and whether that is the
 * documented outcome (README, "What a guest cannot do"):
 *   injected #GP or #UD        the instruction fails as on a CPU without that feature
 *   ignored                    the access has no effect (ports other than its UART, INVD...)
 *   error code                 a hypercall refuses a pointer outside its memory
 *   VM stopped                 an access outside its RAM (EPT violation), a triple fault
 * A stopping attempt ends the VM, so each one runs in its own VM, chosen by the VM's name:
 *   attacker         every non-stopping attempt, then a read just past its RAM
 *   attacker-write   a write far outside its RAM
 *   attacker-apic    maps the local APIC page (0xfee00000) and reads it
 *   attacker-iommu   maps the VT-d register page (0xfed90000) and writes its command register
 *   attacker-tpm     maps the TPM's MMIO page (0xfed40000) and reads it
 *   attacker-cr3     loads a CR3 that points outside its RAM
 *   attacker-tf      makes the CPU triple-fault
 * Moat's report of a stopped VM is its "moat: vm 'NAME': stopped: ..." line. */
#include "guest.h"

#define VEC_UD 6
#define VEC_GP 13
#define NONE (-1)
#define CR4_VMXE (1ULL << 13)
#define CR4_OSXSAVE (1ULL << 18)
#define PTE_P 1ULL
#define PTE_RW 2ULL
#define PTE_PCD 0x10ULL
#define PTE_PS 0x80ULL
#define PAGE_2M 0x200000ULL
#define PAGE_1G 0x40000000ULL
#define ADDR_MASK 0x000ffffffffff000ULL
#define APIC_MMIO 0xfee00000ULL
#define VTD_MMIO 0xfed90000ULL
#define VTD_GCMD 0x18
#define TPM_MMIO 0xfed40000ULL
#define FAR_GPA 0x10000000ULL /* 256 MiB */
#define CR3_OUTSIDE 0x40000000ULL
#define CR3_RESERVED_BIT (1ULL << 62)
#define MSR_FEATURE_CONTROL 0x3a
#define MSR_APIC_BASE 0x1b
#define MSR_BOGUS 0xc0011234
#define BAD_HYPERCALL 999

enum expect { EXPECT_GP, EXPECT_UD, EXPECT_VALUE };

struct attempt {
	const char *what;
	void (*fn)(void *);
	enum expect expect;
	u64 value;         /* EXPECT_VALUE: the result that shows the attempt had no effect */
	const char *means; /* how the outcome reads */
};

static u64 result;
static u64 ram_size;
static u8 pd_pages[2][4096] __attribute__((aligned(4096)));
static int pd_used;

static void do_cpuid_vmx(void *a)
{
	(void)a;
	u32 r[4];
	cpuid(1, 0, r);
	result = (r[2] >> 5) & 1;
}
static void do_set_vmxe(void *a)
{
	(void)a;
	u64 cr4;
	__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
	__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | CR4_VMXE));
}
static u64 vmxon_region[512] __attribute__((aligned(4096)));
static void do_vmxon(void *a)
{
	(void)a;
	u64 p = (u64)(uintptr_t)vmxon_region;
	__asm__ volatile("vmxon %0" ::"m"(p));
}
static void do_vmread(void *a)
{
	(void)a;
	u64 v, f = 0x6c16;
	__asm__ volatile("vmread %1, %0" : "=r"(v) : "r"(f));
	result = v;
}
static void do_invept(void *a)
{
	(void)a;
	struct { u64 eptp, z; } d = {0, 0};
	__asm__ volatile("invept %0, %1" ::"m"(d), "r"(2ULL));
}
static void do_bad_hypercall(void *a)
{
	(void)a;
	result = (u64)hypercall(BAD_HYPERCALL, 0, 0);
}
static void do_console_outside(void *a)
{
	(void)a;
	result = (u64)hypercall(HC_CONSOLE_WRITE, FAR_GPA, 16);
}
static void do_console_straddle(void *a)
{
	(void)a;
	result = (u64)hypercall(HC_CONSOLE_WRITE, ram_size - 8, 16);
}
static void do_name_outside(void *a)
{
	(void)a;
	result = (u64)hypercall(HC_VM_NAME, FAR_GPA, 64);
}
static void rdmsr_fn(u32 msr)
{
	u32 lo, hi;
	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	result = ((u64)hi << 32) | lo;
}
static void do_rdmsr_fc(void *a) { (void)a; rdmsr_fn(MSR_FEATURE_CONTROL); }
static void do_rdmsr_bogus(void *a) { (void)a; rdmsr_fn(MSR_BOGUS); }
static void do_wrmsr_apic(void *a)
{
	(void)a;
	__asm__ volatile("wrmsr" ::"c"(MSR_APIC_BASE), "a"(0xfee00900U), "d"(0));
}
static void do_port_cmos(void *a)
{
	(void)a;
	outb(0x70, 0x0f);
	result = inb(0x71);
}
static void do_port_pci(void *a)
{
	(void)a;
	__asm__ volatile("outl %0, %1" ::"a"(0x80000000U), "Nd"((u16)0xcf8));
	result = inl(0xcfc);
}
static void do_port_reset(void *a)
{
	(void)a;
	outb(0x64, 0xfe); /* keyboard controller: pulse the reset line */
	outb(0xcf9, 0x06); /* reset control register: hard reset */
	result = 1;       /* still running */
}
static void do_port_shutdown(void *a)
{
	(void)a;
	for (const char *s = "Shutdown"; *s; s++)
		outb(0x8900, (u8)*s);
	outb(0xf4, 0x11); /* QEMU's debug exit */
	result = 1;
}
static void do_wbinvd(void *a)
{
	(void)a;
	__asm__ volatile("wbinvd; invd" ::: "memory");
	result = 1;
}
static void do_rdpmc(void *a)
{
	(void)a;
	u32 lo, hi;
	__asm__ volatile("rdpmc" : "=a"(lo), "=d"(hi) : "c"(0));
	result = lo;
}
static void do_cr3_reserved(void *a)
{
	(void)a;
	u64 cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	__asm__ volatile("mov %0, %%cr3" ::"r"(cr3 | CR3_RESERVED_BIT) : "memory");
}
static void do_xsetbv_bad(void *a)
{
	(void)a;
	u32 r[4];
	cpuid(1, 0, r);
	if (r[2] & (1U << 26)) {
		u64 cr4;
		__asm__ volatile("mov %%cr4, %0" : "=r"(cr4));
		__asm__ volatile("mov %0, %%cr4" ::"r"(cr4 | CR4_OSXSAVE));
	}
	__asm__ volatile("xsetbv" ::"c"(0), "a"(0x2U), "d"(0)); /* SSE without x87: invalid */
}
static void do_monitor(void *a)
{
	(void)a;
	__asm__ volatile("monitor" ::"a"(vmxon_region), "c"(0), "d"(0));
}
static void do_cr8(void *a)
{
	(void)a;
	u64 v;
	__asm__ volatile("mov %0, %%cr8" ::"r"(15ULL));
	__asm__ volatile("mov %%cr8, %0" : "=r"(v));
	result = v;
}
static void do_hlt(void *a)
{
	(void)a;
	__asm__ volatile("sti; hlt; cli");
	result = 1;
}
static void do_clobber_sse(void *a)
{
	(void)a;
	u64 junk = 0xdeadbeefdeadbeefULL;
	__asm__ volatile("movq %0, %%xmm5; movq %0, %%xmm0" ::"r"(junk));
	hypercall(HC_YIELD, 0, 0);
	result = 1;
}

static const struct attempt attempts[] = {
	{"CPUID leaf 1 VMX bit", do_cpuid_vmx, EXPECT_VALUE, 0, "VMX hidden"},
	{"set CR4.VMXE", do_set_vmxe, EXPECT_GP, 0, NULL},
	{"VMXON", do_vmxon, EXPECT_UD, 0, NULL},
	{"VMREAD", do_vmread, EXPECT_UD, 0, NULL},
	{"INVEPT", do_invept, EXPECT_UD, 0, NULL},
	{"unknown hypercall 999", do_bad_hypercall, EXPECT_VALUE, (u64)-HC_ENOSYS, "refused with -38"},
	{"console hypercall on 256 MiB (outside RAM)", do_console_outside, EXPECT_VALUE, (u64)-HC_EFAULT,
	 "refused with -14"},
	{"console hypercall straddling the end of RAM", do_console_straddle, EXPECT_VALUE, (u64)-HC_EFAULT,
	 "refused with -14"},
	{"name hypercall into 256 MiB (outside RAM)", do_name_outside, EXPECT_VALUE, (u64)-HC_EFAULT,
	 "refused with -14"},
	{"RDMSR IA32_FEATURE_CONTROL", do_rdmsr_fc, EXPECT_GP, 0, NULL},
	{"RDMSR 0xc0011234", do_rdmsr_bogus, EXPECT_GP, 0, NULL},
	{"WRMSR IA32_APIC_BASE", do_wrmsr_apic, EXPECT_GP, 0, NULL},
	{"CMOS ports 0x70/0x71", do_port_cmos, EXPECT_VALUE, 0xff, "ignored, reads 0xff"},
	{"PCI config ports 0xcf8/0xcfc", do_port_pci, EXPECT_VALUE, 0xffffffffULL, "ignored, reads 0xffffffff"},
	{"reset through ports 0x64 and 0xcf9", do_port_reset, EXPECT_VALUE, 1, "ignored, still running"},
	{"emulator shutdown ports 0x8900 and 0xf4", do_port_shutdown, EXPECT_VALUE, 1, "ignored, still running"},
	{"WBINVD and INVD", do_wbinvd, EXPECT_VALUE, 1, "ignored"},
	{"RDPMC", do_rdpmc, EXPECT_GP, 0, NULL},
	{"CR3 with a reserved bit", do_cr3_reserved, EXPECT_GP, 0, NULL},
	{"XSETBV with an invalid XCR0", do_xsetbv_bad, EXPECT_GP, 0, NULL},
	{"MONITOR", do_monitor, EXPECT_UD, 0, NULL},
	{"CR8 (task priority)", do_cr8, EXPECT_VALUE, 15, "virtual, reads back 15, no real APIC touched"},
	{"HLT with interrupts on", do_hlt, EXPECT_VALUE, 1, "yields, resumed"},
	{"clobber SSE registers and yield", do_clobber_sse, EXPECT_VALUE, 1, "own registers only"},
};

static void report(int n, const struct attempt *a, int vec)
{
	const char *got;
	char buf[64];
	bool ok;
	if (vec == VEC_GP)
		got = "#GP";
	else if (vec == VEC_UD)
		got = "#UD";
	else if (vec != NONE) {
		gsnprintf(buf, sizeof(buf), "exception %d", vec);
		got = buf;
	} else if (a->expect == EXPECT_VALUE && result == a->value)
		got = a->means;
	else {
		gsnprintf(buf, sizeof(buf), "no fault, result 0x%llx", result);
		got = buf;
	}
	ok = (a->expect == EXPECT_GP && vec == VEC_GP) || (a->expect == EXPECT_UD && vec == VEC_UD) ||
	     (a->expect == EXPECT_VALUE && vec == NONE && result == a->value);
	gprintf("attacker: #%02d %s: %s (%s)\n", n, a->what, got, ok ? "as documented" : "NOT AS DOCUMENTED");
}

/* Maps the 2 MiB page holding gpa, uncached, into the identity map Moat built. */
static void map_2m(u64 gpa)
{
	u64 cr3;
	__asm__ volatile("mov %%cr3, %0" : "=r"(cr3));
	u64 *pml4 = (u64 *)(cr3 & ADDR_MASK);
	u64 *pdpt = (u64 *)(pml4[0] & ADDR_MASK);
	u64 *pde = &pdpt[(gpa / PAGE_1G) & 511];
	if (!(*pde & PTE_P))
		*pde = (u64)(uintptr_t)pd_pages[pd_used++] | PTE_P | PTE_RW;
	u64 *pd = (u64 *)(*pde & ADDR_MASK);
	pd[(gpa / PAGE_2M) & 511] = (gpa & ~(PAGE_2M - 1)) | PTE_P | PTE_RW | PTE_PS | PTE_PCD;
	__asm__ volatile("invlpg (%0)" ::"r"(gpa) : "memory");
}

static void fatal_read(const char *what, u64 gpa)
{
	gprintf("attacker: last attempt: %s (GPA 0x%llx): the VM must be stopped\n", what, gpa);
	map_2m(gpa);
	result = *(volatile u32 *)(uintptr_t)gpa;
	gprintf("attacker: STILL RUNNING after %s: read 0x%llx (NOT AS DOCUMENTED)\n", what, result);
}

static void fatal_write(const char *what, u64 gpa, u32 v)
{
	gprintf("attacker: last attempt: %s (GPA 0x%llx): the VM must be stopped\n", what, gpa);
	map_2m(gpa);
	*(volatile u32 *)(uintptr_t)gpa = v;
	gprintf("attacker: STILL RUNNING after %s (NOT AS DOCUMENTED)\n", what);
}

static void triple_fault(void)
{
	gprintf("attacker: last attempt: triple fault (empty IDT, then #UD): the VM must be stopped\n");
	struct { u16 limit; u64 base; } __attribute__((packed)) empty = {0, 0};
	__asm__ volatile("lidt %0; ud2" ::"m"(empty));
}

static void load_cr3_outside(void)
{
	gprintf("attacker: last attempt: CR3 = 0x%llx (outside its RAM): the VM must be stopped\n", CR3_OUTSIDE);
	__asm__ volatile("mov %0, %%cr3; mov (%%rsp), %%rax" ::"r"(CR3_OUTSIDE) : "rax", "memory");
	gprintf("attacker: STILL RUNNING with a CR3 outside RAM (NOT AS DOCUMENTED)\n");
}

int guest_main(u64 ram, u64 area)
{
	char name[40];
	(void)area;
	ram_size = ram;
	guest_idt_init();
	if (hypercall(HC_VM_NAME, (u64)(uintptr_t)name, sizeof(name)) < 0)
		name[0] = 0;
	gprintf("attacker: started as '%s' with %llu KiB of RAM\n", name, ram / 1024);
	if (!gstrcmp(name, "attacker")) {
		for (unsigned i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++) {
			result = 0;
			int vec = guest_catch(attempts[i].fn, NULL);
			report((int)i + 1, &attempts[i], vec);
		}
		fatal_read("read just past its RAM", ram);
	} else if (!gstrcmp(name, "attacker-write")) {
		fatal_write("write far outside its RAM", FAR_GPA, 0x41414141);
	} else if (!gstrcmp(name, "attacker-apic")) {
		fatal_read("read the local APIC", APIC_MMIO);
	} else if (!gstrcmp(name, "attacker-iommu")) {
		fatal_write("turn off VT-d translation (GCMD)", VTD_MMIO + VTD_GCMD, 0);
	} else if (!gstrcmp(name, "attacker-tpm")) {
		fatal_read("read the TPM", TPM_MMIO);
	} else if (!gstrcmp(name, "attacker-cr3")) {
		load_cr3_outside();
	} else if (!gstrcmp(name, "attacker-tf")) {
		triple_fault();
		gprintf("attacker: STILL RUNNING after a triple fault (NOT AS DOCUMENTED)\n");
	} else {
		gprintf("attacker: no plan for the name '%s'\n", name);
	}
	return 1;
}
