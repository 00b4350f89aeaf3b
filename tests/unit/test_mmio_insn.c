/* tests/unit/test_mmio_insn.c: the MMIO instruction decoder (vmm/mmio_insn.c) on the forms Linux's
 * readl/writel/readq/writeq compile to (MSI-X table writes, the flush reads, the xAPIC page): ModRM with
 * disp8/disp32, SIB, REX.R/REX.B/REX.W, RIP-relative; and the refusals (other opcodes, prefixes, a
 * register operand, an instruction cut short by an unreadable page). */
#include "check.h"
#include "vmm/mmio_insn.h"

#define RAX 0
#define RDX 2
#define RSI 6
#define R8 8
#define R9 9
#define R13 13
#define R15 15

static struct mmio_insn decode_ok(const u8 *b, u32 n)
{
	struct mmio_insn in = {99, 99, false, true, 99, 99};
	CHECK(mmio_insn_decode(b, n, &in));
	return in;
}

static void linux_writel_readl(void)
{
	/* mov %eax,(%rdx): writel(msg->address_lo, base) */
	const u8 st[] = {0x89, 0x02};
	struct mmio_insn in = decode_ok(st, sizeof(st));
	CHECK_EQ(in.len, 2);
	CHECK_EQ(in.size, 4);
	CHECK(in.write && !in.has_imm);
	CHECK_EQ(in.reg, RAX);
	/* mov %esi,0xc(%rax): writel(ctrl, base + PCI_MSIX_ENTRY_VECTOR_CTRL) */
	const u8 ctl[] = {0x89, 0x70, 0x0c};
	in = decode_ok(ctl, sizeof(ctl));
	CHECK_EQ(in.len, 3);
	CHECK_EQ(in.reg, RSI);
	CHECK(in.write);
	/* mov 0xc(%rax),%eax: readl of the vector control */
	const u8 ld[] = {0x8b, 0x40, 0x0c};
	in = decode_ok(ld, sizeof(ld));
	CHECK_EQ(in.len, 3);
	CHECK(!in.write);
	CHECK_EQ(in.reg, RAX);
	CHECK_EQ(in.size, 4);
	/* mov 0x8(%rdx),%edx: readl(base + PCI_MSIX_ENTRY_DATA), the flush after a message write */
	const u8 fl[] = {0x8b, 0x52, 0x08};
	in = decode_ok(fl, sizeof(fl));
	CHECK_EQ(in.reg, RDX);
	CHECK(!in.write);
}

static void rex_sib_disp32(void)
{
	/* mov %r8d,0x4(%rax): REX.R names r8 */
	const u8 r8[] = {0x44, 0x89, 0x40, 0x04};
	struct mmio_insn in = decode_ok(r8, sizeof(r8));
	CHECK_EQ(in.len, 4);
	CHECK_EQ(in.reg, R8);
	CHECK_EQ(in.size, 4);
	/* mov %eax,(%r12): REX.B, rm=100 still means a SIB byte */
	const u8 r12[] = {0x41, 0x89, 0x04, 0x24};
	in = decode_ok(r12, sizeof(r12));
	CHECK_EQ(in.len, 4);
	CHECK_EQ(in.reg, RAX);
	/* mov %r15d,0x0(%r13): REX.RB, mod=01 disp8 (r13 has no mod=00 form) */
	const u8 r13[] = {0x45, 0x89, 0x7d, 0x00};
	in = decode_ok(r13, sizeof(r13));
	CHECK_EQ(in.len, 4);
	CHECK_EQ(in.reg, R15);
	/* mov %ecx,0xc(%rax,%rdx,1): SIB with disp8 */
	const u8 sib[] = {0x89, 0x4c, 0x10, 0x0c};
	in = decode_ok(sib, sizeof(sib));
	CHECK_EQ(in.len, 4);
	CHECK_EQ(in.reg, 1);
	/* mov 0x100c(%rax),%r9d: disp32 */
	const u8 d32[] = {0x44, 0x8b, 0x88, 0x0c, 0x10, 0x00, 0x00};
	in = decode_ok(d32, sizeof(d32));
	CHECK_EQ(in.len, 7);
	CHECK_EQ(in.reg, R9);
	CHECK(!in.write);
	/* mov %eax,0x1000(,%rcx,4): SIB without base, disp32 */
	const u8 nob[] = {0x89, 0x04, 0x8d, 0x00, 0x10, 0x00, 0x00};
	CHECK_EQ(decode_ok(nob, sizeof(nob)).len, 7);
	/* mov %eax,0x10(%rip): RIP-relative disp32 */
	const u8 rip[] = {0x89, 0x05, 0x10, 0x00, 0x00, 0x00};
	CHECK_EQ(decode_ok(rip, sizeof(rip)).len, 6);
	/* mov (%rdx),%rax: readq, REX.W */
	const u8 q[] = {0x48, 0x8b, 0x02};
	in = decode_ok(q, sizeof(q));
	CHECK_EQ(in.size, 8);
	CHECK_EQ(in.len, 3);
	/* movl $0x1,0xc(%rax) and movq $-1,(%rax): the immediate, sign-extended for 8 bytes */
	const u8 imm[] = {0xc7, 0x40, 0x0c, 0x01, 0x00, 0x00, 0x00};
	in = decode_ok(imm, sizeof(imm));
	CHECK(in.has_imm && in.write);
	CHECK_EQ(in.imm, 1);
	CHECK_EQ(in.len, 7);
	const u8 immq[] = {0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0xff};
	in = decode_ok(immq, sizeof(immq));
	CHECK_EQ(in.imm, 0xffffffffffffffffULL);
	CHECK_EQ(in.size, 8);
}

static void refusals(void)
{
	struct mmio_insn in;
	const u8 reg[] = {0x89, 0xc2};             /* mov %eax,%edx: no memory operand */
	const u8 word[] = {0x66, 0x89, 0x02};      /* 16-bit: an operand-size prefix */
	const u8 movzb[] = {0x0f, 0xb6, 0x02};     /* movzbl: not a MOV Moat emulates */
	const u8 c7reg[] = {0xc7, 0x48, 0x0c, 1, 0, 0, 0}; /* C7 /1 is not MOV */
	CHECK(!mmio_insn_decode(reg, sizeof(reg), &in));
	CHECK(!mmio_insn_decode(word, sizeof(word), &in));
	CHECK(!mmio_insn_decode(movzb, sizeof(movzb), &in));
	CHECK(!mmio_insn_decode(c7reg, sizeof(c7reg), &in));
	/* cut short: the bytes after a page's end were unreadable */
	const u8 d32[] = {0x8b, 0x80, 0x0c, 0x10, 0x00, 0x00};
	CHECK(mmio_insn_decode(d32, sizeof(d32), &in));
	CHECK(!mmio_insn_decode(d32, sizeof(d32) - 1, &in));
	const u8 sib[] = {0x89, 0x04, 0x24};
	CHECK(!mmio_insn_decode(sib, 2, &in));
	CHECK(!mmio_insn_decode(sib, 1, &in));
	CHECK(!mmio_insn_decode(sib, 0, &in));
	/* but a two-byte store at the very end of the readable bytes decodes */
	CHECK(mmio_insn_decode((const u8[]){0x89, 0x02}, 2, &in));
}

static const struct unit_test mmio_insn_tests[] = {
	UNIT_TEST(linux_writel_readl),
	UNIT_TEST(rex_sib_disp32),
	UNIT_TEST(refusals),
};
UNIT_SUITE(mmio_insn_suite, mmio_insn_tests);
