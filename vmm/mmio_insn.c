/* vmm/mmio_insn.c: decoding one MMIO MOV from its bytes (see mmio_insn.h): a 32- or 64-bit (REX.W)
 * MOV between a general register and memory, or a MOV of an immediate to memory (Intel SDM vol. 2:
 * MOV 89 /r, 8B /r, C7 /0 id; ModRM, SIB, disp8/disp32, RIP-relative; an optional REX prefix, of which
 * W sizes the operand and R extends the register; X and B only name address registers, which Moat
 * does not need: the exit gives the guest-physical address). No other prefix is accepted. */
#include "mmio_insn.h"

#define OP_MOV_STORE 0x89
#define OP_MOV_LOAD 0x8b
#define OP_MOV_IMM 0xc7
#define REX_MIN 0x40
#define REX_MAX 0x4f
#define REX_W BIT(3)
#define REX_R BIT(2)
#define REG_HIGH 8 /* REX.R adds 8 to ModRM.reg */
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
#define DISP8_LEN 1
#define DISP32_LEN 4
#define IMM32_LEN 4
#define BYTE_BITS 8
#define OPSIZE_32 4u
#define OPSIZE_64 8u

/* Length of ModRM + SIB + displacement at b[0] (n bytes there), 0 for a register operand or when the
 * SIB byte lies past n. */
static u32 modrm_len(const u8 *b, u32 n)
{
	u32 mod = MODRM_MOD(b[0]), rm = MODRM_RM(b[0]), len = 1;
	if (mod == MOD_REGISTER)
		return 0;
	if (rm == RM_SIB) {
		if (n < 2)
			return 0;
		len++;
		if (mod == 0 && SIB_BASE(b[1]) == SIB_NO_BASE)
			len += DISP32_LEN;
	} else if (mod == 0 && rm == RM_DISP32) {
		len += DISP32_LEN; /* RIP-relative */
	}
	if (mod == MOD_DISP8)
		len += DISP8_LEN;
	else if (mod == MOD_DISP32)
		len += DISP32_LEN;
	return len;
}

bool mmio_insn_decode(const u8 *b, u32 n, struct mmio_insn *out)
{
	u32 i = 0;
	u8 rex = 0;
	if (n > MMIO_INSN_MAX)
		n = MMIO_INSN_MAX;
	if (i < n && b[i] >= REX_MIN && b[i] <= REX_MAX)
		rex = b[i++];
	if (i + 2 > n) /* opcode and ModRM */
		return false;
	u8 op = b[i++];
	if (op != OP_MOV_STORE && op != OP_MOV_LOAD && op != OP_MOV_IMM)
		return false;
	u32 ml = modrm_len(&b[i], n - i);
	if (!ml || (op == OP_MOV_IMM && MODRM_REG(b[i]) != 0))
		return false;
	out->size = (rex & REX_W) ? OPSIZE_64 : OPSIZE_32; /* callers refuse sizes they do not emulate */
	out->reg = MODRM_REG(b[i]) | ((rex & REX_R) ? REG_HIGH : 0);
	out->write = op != OP_MOV_LOAD;
	out->has_imm = op == OP_MOV_IMM;
	i += ml;
	out->imm = 0;
	if (out->has_imm) {
		if (i + IMM32_LEN > n)
			return false;
		u32 imm = 0;
		for (u32 k = 0; k < IMM32_LEN; k++)
			imm |= (u32)b[i + k] << (k * BYTE_BITS);
		out->imm = out->size == OPSIZE_64 ? (u64)(s64)(s32)imm : imm;
		i += IMM32_LEN;
	}
	if (i > n)
		return false;
	out->len = i;
	return true;
}
