/* vmm/export.c: per-session AES-256-GCM for guest-memory exports (format in vmm/export.h). */
#include "export.h"
#include "../kernel/string.h"

void export_begin(struct export_ctx *x, const u8 vm_key[AES256_KEY_LEN], const u8 salt[EXPORT_SALT_LEN], u32 vm_id,
		  u32 counter)
{
	memcpy(x->salt, salt, EXPORT_SALT_LEN);
	x->vm_id = vm_id;
	x->counter = counter;
	hkdf_sha256(vm_key, AES256_KEY_LEN, salt, EXPORT_SALT_LEN, EXPORT_INFO, sizeof(EXPORT_INFO) - 1, x->key,
		    sizeof(x->key));
}

static void put_be32(u8 *p, u32 v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (u8)(v >> (24 - 8 * i));
}

static void nonce_for(const struct export_ctx *x, u32 index, u8 nonce[GCM_NONCE_LEN])
{
	put_be32(nonce, x->vm_id);
	put_be32(nonce + 4, index);
	put_be32(nonce + 8, x->counter);
}

void export_seal_block(const struct export_ctx *x, u32 index, const void *aad, size_t aad_len, void *buf, size_t len,
		       u8 tag[GCM_TAG_LEN])
{
	u8 nonce[GCM_NONCE_LEN];
	nonce_for(x, index, nonce);
	aes256_gcm_seal(x->key, nonce, aad, aad_len, buf, len, tag);
}

int export_open_block(const struct export_ctx *x, u32 index, const void *aad, size_t aad_len, void *buf, size_t len,
		      const u8 tag[GCM_TAG_LEN])
{
	u8 nonce[GCM_NONCE_LEN];
	nonce_for(x, index, nonce);
	return aes256_gcm_open(x->key, nonce, aad, aad_len, buf, len, tag);
}

void export_end(struct export_ctx *x) { crypto_wipe(x, sizeof(*x)); }
