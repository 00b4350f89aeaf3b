/* tools/netboot/net_bare.c: guests/net run bare (no Moat), for the baseline of the NIC benchmark
 * (tools/bench/net.sh). The guest's own main.c is compiled here unchanged, with the few things it takes
 * from Moat supplied by this shim instead:
 *   hypercall  HC_VM_NAME answers "net-bench" (so the same bench loop runs); HC_DMA_BASE answers 0:
 *              bare, a device address is the physical address, which is the address the code runs at
 *              (the firmware's identity map);
 *   cpuid      Moat's info leaf answers 0, so the guest takes its default 50 MHz (Bochs' ips);
 *   nic_find   places BAR0 where the firmware put it (another address could overlap another device);
 *   net_paging_init  nothing: the firmware's identity page tables stay;
 *   gprintf    prints as before and keeps the bench line's figures for net_bare_run's summary.
 * The driver and protocol files (guests/net/e1000.c, pci.c, proto.c, dhcp.c, ...) and guests/lib's
 * UART printf (port 0x3F8 directly) are linked as they are. Not part of Moat. */
#include "net.h"
#include "net_bare.h"

#define BARE_NAME "net-bench"
#define BENCH_PREFIX "net: bench: "
#define BENCH_PREFIX_LEN 12
#define BAR_MASK 0xfffffff0u
#define BAR_TYPE_64 0x4u
#define PCI_BAR0 0x10
#define INTEL 0x8086
#define DEV_E1000 0x100e
#define DEV_E1000E 0x10d3
#define DEVS 32

static u32 bench_sent;
static u64 bench_ticks;
static bool bench_seen;

static s64 bare_hypercall(u64 nr, u64 a, u64 b)
{
	if (nr == HC_VM_NAME) {
		char *dst = (char *)(uintptr_t)a;
		u64 n = 0;
		for (; n + 1 < b && BARE_NAME[n]; n++)
			dst[n] = BARE_NAME[n];
		if (b)
			dst[n] = 0;
		return (s64)n;
	}
	if (nr == HC_DMA_BASE)
		return 0;
	return -1;
}

static void bare_cpuid(u32 leaf, u32 sub, u32 r[4])
{
	if (leaf == MOAT_CPUID_INFO_LEAF) {
		r[0] = r[1] = r[2] = r[3] = 0;
		return;
	}
	cpuid(leaf, sub, r);
}

/* The firmware's BAR0 of the first e1000/e1000e on bus 0 (0 if none), handed to the guest's nic_find. */
static int bare_nic_find(struct nic *n)
{
	u64 bar = 0;
	for (u8 d = 0; d < DEVS && !bar; d++) {
		u32 id = pci_read32(d, 0, 0);
		if ((id & 0xffff) != INTEL || ((id >> 16) != DEV_E1000 && (id >> 16) != DEV_E1000E))
			continue;
		u32 lo = pci_read32(d, 0, PCI_BAR0);
		bar = (lo & BAR_MASK) | (lo & BAR_TYPE_64 ? (u64)pci_read32(d, 0, PCI_BAR0 + 4) << 32 : 0);
	}
	if (!bar)
		gprintf("net bare: the firmware left no memory BAR0 on an e1000\n");
	return nic_find(n, bar);
}

static void bare_gprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void bare_gprintf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	va_start(ap, fmt);
	gvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uart_puts(buf);
	if (gstrncmp(fmt, BENCH_PREFIX, BENCH_PREFIX_LEN) == 0) { /* "%u packets sent in %llu cycles: ..." */
		va_start(ap, fmt);
		bench_sent = va_arg(ap, u32);
		bench_ticks = va_arg(ap, u64);
		va_end(ap);
		bench_seen = true;
	}
}

#define hypercall(nr, a, b) bare_hypercall(nr, a, b)
#define cpuid(leaf, sub, r) bare_cpuid(leaf, sub, r)
#define nic_find(n, gpa) bare_nic_find(n)
#define net_paging_init() ((void)0)
#define gprintf bare_gprintf
#include "../../guests/net/main.c"
#undef gprintf

int net_bare_run(void)
{
	u64 flags;
	__asm__ volatile("pushfq; pop %0; cli" : "=r"(flags)::"memory");
	int rc = guest_main(0, 0);
	__asm__ volatile("push %0; popfq" ::"r"(flags) : "memory", "cc");
	if (bench_seen)
		gprintf(
		    "net bare: %u packets in %llu ticks: %llu ticks per packet, %llu packets per second\n",
		    bench_sent, bench_ticks, bench_sent ? bench_ticks / bench_sent : 0,
		    bench_ticks ? (u64)bench_sent * DEFAULT_HZ / bench_ticks : 0);
	else
		gprintf("net bare: no bench figures (guest_main returned %d)\n", rc);
	return rc;
}
