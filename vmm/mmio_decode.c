/* vmm/mmio_decode.c: the one instruction form Moat emulates for a guest's MMIO access (a Linux VM's
 * xAPIC page, vlapic_mmio.c; an assigned device's MSI-X pages, vpci_msix.c): a 32- or 64-bit (REX.W) MOV between a general register and memory, or a MOV of an
 * immediate to memory (Intel SDM vol. 2: MOV 89 /r, 8B /r, C7 /0 id; ModRM, SIB, disp8/disp32,
 * RIP-relative; REX.R for the register; no other prefix). The instruction bytes are fetched from the
 * guest's RIP through its own page tables (4-level long mode, or no paging), each byte translated
 * and checked against the VM's RAM: a guest cannot make Moat read outside it. Anything else, an
 * operand size other than 32 or 64 bits or an unreadable instruction, is refused (the caller stops the
 * VM with its usual report). */
#include "mmio_decode.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "../kernel/cpu.h"
#include "../kernel/paging.h"

#define INSN_MAX 15
#define LEVELS 4
#define LEVEL_BITS 9
#define LEVEL_MASK 0x1ffULL
#define PAGE_SHIFT_4K 12
#define PS_LEVEL_MIN 1 /* PS is honoured in the PDPT (1 GiB) and PD (2 MiB) entries */
#define LARGE_ADDR_MASK 0x000fffffffffe000ULL /* a large page's frame (bit 12 is PAT) */
#define OP_MOV_STORE 0x89
#define OP_MOV_LOAD 0x8b
#define OP_MOV_IMM 0xc7
#define REX_MIN 0x40
#define REX_MAX 0x4f
#define REX_W BIT(3)
#define REX_R BIT(2)
#define MODRM_MOD(b) ((b) >> 6)
#define MODRM_REG(b) (((b) >> 3) & 7)
#define MODRM_RM(b) ((b) & 7)
#define MOD_REGISTER 3
#define MOD_DISP8 1
#define MOD_DISP32 2
#define RM_SIB 4
#define RM_DISP32 5
#define SIB_BASE(b) ((b) & 7)
#define SIB_NO_BASE 5
#define OPSIZE_32 4u
#define OPSIZE_64 8u

/* Guest-physical address of a linear one (the guest's own page tables), or false. */
static bool translate(const struct vm *vm, u64 linear, u64 *gpa)
{
	u64 cr0 = vmread(VMCS_GUEST_CR0);
	if (!(cr0 & CR0_PG)) {
		*gpa = linear;
		return true;
	}
	if (!(vmread(VMCS_GUEST_EFER) & EFER_LMA))
		return false; /* Linux runs in long mode by the time it touches the APIC */
	u64 table = vmread(VMCS_GUEST_CR3) & PTE_ADDR_MASK;
	for (int level = LEVELS - 1; level >= 0; level--) {
		u32 idx = (u32)((linear >> (PAGE_SHIFT_4K + level * LEVEL_BITS)) & LEVEL_MASK);
		u64 at = table + idx * sizeof(u64);
		if (!vm_gpa_ok(vm, at, sizeof(u64)))
			return false;
		u64 e = *(const u64 *)vm_gpa_ptr(vm, at);
		if (!(e & PTE_P))
			return false;
		if (level >= PS_LEVEL_MIN && level < LEVELS - 1 && (e & PTE_PS)) {
			u64 span = 1ULL << (PAGE_SHIFT_4K + level * LEVEL_BITS);
			*gpa = (e & LARGE_ADDR_MASK & ~(span - 1)) | (linear & (span - 1));
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	*gpa = table | (linear & (PAGE_SIZE - 1));
	return true;
}

static bool fetch(const struct vm *vm, u64 rip, u8 *buf, u32 n)
{
	u64 cs_base = vmread(VMCS_GUEST_CS_BASE);
	for (u32 i = 0; i < n; i++) {
		u64 gpa;
		if (!translate(vm, cs_base + rip + i, &gpa) || !vm_gpa_ok(vm, gpa, 1))
			return false;
		buf[i] = *(const u8 *)vm_gpa_ptr(vm, gpa);
	}
	return true;
}

/* Length of ModRM + SIB + displacement starting at b[0], or 0 for a register operand. */
static u32 modrm_len(const u8 *b)
{
	u32 mod = MODRM_MOD(b[0]), rm = MODRM_RM(b[0]), len = 1;
	if (mod == MOD_REGISTER)
		return 0;
	if (rm == RM_SIB) {
		len++;
		if (mod == 0 && SIB_BASE(b[1]) == SIB_NO_BASE)
			len += 4;
	} else if (mod == 0 && rm == RM_DISP32) {
		len += 4; /* RIP-relative */
	}
	if (mod == MOD_DISP8)
		len += 1;
	else if (mod == MOD_DISP32)
		len += 4;
	return len;
}

bool mmio_decode(const struct vm *vm, u64 rip, struct mmio_insn *out)
{
	u8 b[INSN_MAX];
	if (!fetch(vm, rip, b, INSN_MAX))
		return false;
	u32 i = 0;
	u8 rex = 0;
	if (b[i] >= REX_MIN && b[i] <= REX_MAX)
		rex = b[i++];
	out->size = (rex & REX_W) ? OPSIZE_64 : OPSIZE_32; /* callers refuse sizes they do not emulate */
	u8 op = b[i++];
	if (op != OP_MOV_STORE && op != OP_MOV_LOAD && op != OP_MOV_IMM)
		return false;
	u32 ml = modrm_len(&b[i]);
	if (!ml || (op == OP_MOV_IMM && MODRM_REG(b[i]) != 0))
		return false;
	out->reg = MODRM_REG(b[i]) | ((rex & REX_R) ? 8 : 0);
	out->write = op != OP_MOV_LOAD;
	out->has_imm = op == OP_MOV_IMM;
	i += ml;
	if (out->has_imm) {
		u32 imm = (u32)b[i] | (u32)b[i + 1] << 8 | (u32)b[i + 2] << 16 | (u32)b[i + 3] << 24;
		out->imm = out->size == OPSIZE_64 ? (u64)(s64)(s32)imm : imm;
		i += 4;
	}
	out->len = i;
	return true;
}
