/* vmm/vplat_reset.h: the reset vector of a Linux VM's platform (vplat_reset.c): real-mode code at
 * F000:FFF0 that asks for a reset on the FADT reset register, for a guest that reboots by jumping
 * there. Pure code (host unit test: tests/unit/test_vplat_reset.c). */
#ifndef MOAT_VPLAT_RESET_H
#define MOAT_VPLAT_RESET_H

#include "../kernel/types.h"

#define VPLAT_RESET_VECTOR_CS 0xf000
#define VPLAT_RESET_VECTOR_IP 0xfff0
#define VPLAT_RESET_VECTOR_GPA 0xffff0ULL /* F000:FFF0, where a CPU starts after a reset */
#define VPLAT_RESET_VECTOR_SIZE 16	  /* up to 1 MiB */
#define VPLAT_BIOS_WINDOW_END 0x100000ULL /* 0xA0000-0xFFFFF: reserved in its memory map */

/* Writes the reset vector's code (a reset request on port 0xCF9, then a HLT loop) and zeroes the rest
 * of its VPLAT_RESET_VECTOR_SIZE bytes at `at`, the host address of the VM's VPLAT_RESET_VECTOR_GPA. */
void vplat_reset_vector_write(u8 *at);

#endif
