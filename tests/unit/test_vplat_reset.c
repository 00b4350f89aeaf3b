/* tests/unit/test_vplat_reset.c: the reset vector's code (vmm/vplat_reset.c), decoded byte by byte:
 * MOV DX, 0xCF9 (the FADT's reset register, vmm/vacpi.h); MOV AL, the FADT's reset value (CPU reset
 * bit set, which vplat_io.c acts on); OUT DX, AL; then CLI, HLT and a JMP back to the HLT; the rest of
 * the 16 bytes zero. A guest that jumps to F000:FFF0 must end in that OUT, or it is not restarted. */
#include <string.h>
#include "check.h"
#include "vmm/vacpi.h"
#include "vmm/vplat_reset.h"

#define CF9_RESET_CPU 0x04

static void reset_vector_asks_for_a_reset(void)
{
	unsigned char buf[VPLAT_RESET_VECTOR_SIZE + 1];
	memset(buf, 0xaa, sizeof(buf));
	vplat_reset_vector_write(buf);
	CHECK_EQ(buf[0], 0xba); /* mov dx, imm16 */
	CHECK_EQ(buf[1] | (buf[2] << 8), 0xcf9);
	CHECK_EQ(buf[1] | (buf[2] << 8), VACPI_RESET_PORT);
	CHECK_EQ(buf[3], 0xb0); /* mov al, imm8 */
	CHECK_EQ(buf[4], VACPI_RESET_VALUE);
	CHECK(buf[4] & CF9_RESET_CPU);
	CHECK_EQ(buf[5], 0xee);			  /* out dx, al */
	CHECK_EQ(buf[6], 0xfa);			  /* cli */
	CHECK_EQ(buf[7], 0xf4);			  /* hlt */
	CHECK_EQ(buf[8], 0xeb);			  /* jmp rel8 ... */
	CHECK_EQ(9 + 1 + (signed char)buf[9], 7); /* ... back to the hlt */
	for (unsigned i = 10; i < VPLAT_RESET_VECTOR_SIZE; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(buf[VPLAT_RESET_VECTOR_SIZE], 0xaa); /* nothing written past its 16 bytes */
	CHECK_EQ(VPLAT_RESET_VECTOR_GPA, 0xf0000ULL + 0xfff0);
	CHECK_EQ(VPLAT_RESET_VECTOR_GPA + VPLAT_RESET_VECTOR_SIZE, 0x100000ULL);
}

static const struct unit_test tests[] = {
    UNIT_TEST(reset_vector_asks_for_a_reset),
};

UNIT_SUITE(vplat_reset_suite, tests);
