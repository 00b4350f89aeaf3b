/* kernel/tpm2_buf.h: big-endian marshalling of TPM 2.0 commands and unmarshalling of responses with
 * bounds checks: a write past the buffer or a read past the response sets a sticky error flag. */
#ifndef MOAT_TPM2_BUF_H
#define MOAT_TPM2_BUF_H

#include "types.h"

struct tpm2_out {
	u8 *p;
	size_t len, cap;
	bool overflow;
};

struct tpm2_in {
	const u8 *p;
	size_t len, off;
	bool bad;
};

void out_u8(struct tpm2_out *o, u8 v);
void out_u16(struct tpm2_out *o, u16 v);
void out_u32(struct tpm2_out *o, u32 v);
void out_bytes(struct tpm2_out *o, const void *b, size_t n);
/* A TPM2B: u16 size, then the bytes. */
void out_tpm2b(struct tpm2_out *o, const void *b, size_t n);
/* Overwrites a u32 already written at offset at (the command size). */
void out_patch_u32(struct tpm2_out *o, size_t at, u32 v);

u8 in_u8(struct tpm2_in *i);
u16 in_u16(struct tpm2_in *i);
u32 in_u32(struct tpm2_in *i);
/* n bytes, or NULL (and i->bad) when fewer remain. */
const u8 *in_bytes(struct tpm2_in *i, size_t n);
/* A TPM2B whose contents must fit in cap; returns the size, contents copied to dst (may be NULL). */
size_t in_tpm2b(struct tpm2_in *i, void *dst, size_t cap);

static inline u16 be16_get(const u8 *p) { return (u16)(p[0] << 8 | p[1]); }
static inline u32 be32_get(const u8 *p) { return (u32)p[0] << 24 | (u32)p[1] << 16 | (u32)p[2] << 8 | p[3]; }

#endif
