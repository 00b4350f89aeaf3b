/* kernel/tpm2_buf.c: bounds-checked big-endian writers and readers for TPM 2.0 byte streams. */
#include "tpm2_buf.h"
#include "string.h"

void out_bytes(struct tpm2_out *o, const void *b, size_t n)
{
	if (o->overflow || n > o->cap - o->len) {
		o->overflow = true;
		return;
	}
	if (n) /* b may be NULL for an empty TPM2B */
		memcpy(o->p + o->len, b, n);
	o->len += n;
}

void out_u8(struct tpm2_out *o, u8 v) { out_bytes(o, &v, 1); }

void out_u16(struct tpm2_out *o, u16 v)
{
	u8 b[2] = {(u8)(v >> 8), (u8)v};
	out_bytes(o, b, sizeof(b));
}

void out_u32(struct tpm2_out *o, u32 v)
{
	u8 b[4] = {(u8)(v >> 24), (u8)(v >> 16), (u8)(v >> 8), (u8)v};
	out_bytes(o, b, sizeof(b));
}

void out_tpm2b(struct tpm2_out *o, const void *b, size_t n)
{
	if (n > 0xffff) {
		o->overflow = true;
		return;
	}
	out_u16(o, (u16)n);
	out_bytes(o, b, n);
}

void out_patch_u32(struct tpm2_out *o, size_t at, u32 v)
{
	if (o->overflow || at + 4 > o->len) {
		o->overflow = true;
		return;
	}
	o->p[at] = (u8)(v >> 24);
	o->p[at + 1] = (u8)(v >> 16);
	o->p[at + 2] = (u8)(v >> 8);
	o->p[at + 3] = (u8)v;
}

const u8 *in_bytes(struct tpm2_in *i, size_t n)
{
	if (i->bad || n > i->len - i->off) {
		i->bad = true;
		return NULL;
	}
	const u8 *p = i->p + i->off;
	i->off += n;
	return p;
}

u8 in_u8(struct tpm2_in *i)
{
	const u8 *p = in_bytes(i, 1);
	return p ? p[0] : 0;
}

u16 in_u16(struct tpm2_in *i)
{
	const u8 *p = in_bytes(i, 2);
	return p ? be16_get(p) : 0;
}

u32 in_u32(struct tpm2_in *i)
{
	const u8 *p = in_bytes(i, 4);
	return p ? be32_get(p) : 0;
}

size_t in_tpm2b(struct tpm2_in *i, void *dst, size_t cap)
{
	u16 n = in_u16(i);
	if (n > cap) {
		i->bad = true;
		return 0;
	}
	const u8 *p = in_bytes(i, n);
	if (!p)
		return 0;
	if (dst && n)
		memcpy(dst, p, n);
	return n;
}
