/* vmm/export.c: per-session AES-256-GCM for guest-memory exports (format in vmm/export.h). */
#include "export.h"
#include "../kernel/string.h"

#define EXPORT_AAD_LEN (EXPORT_SALT_LEN + 8)

void export_begin(struct export_ctx *x, const u8 vm_key[AES256_KEY_LEN], const u8 salt[EXPORT_SALT_LEN])
{
	memcpy(x->salt, salt, EXPORT_SALT_LEN);
	hkdf_sha256(vm_key, AES256_KEY_LEN, salt, EXPORT_SALT_LEN, EXPORT_INFO, sizeof(EXPORT_INFO) - 1, x->key,
		    sizeof(x->key));
	x->next_block = 0;
}

static void put_be64(u8 *p, u64 v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (u8)(v >> (56 - 8 * i));
}

static void nonce_and_aad(const struct export_ctx *x, u64 block, u8 nonce[GCM_NONCE_LEN], u8 aad[EXPORT_AAD_LEN])
{
	memset(nonce, 0, GCM_NONCE_LEN);
	put_be64(nonce + GCM_NONCE_LEN - 8, block);
	memcpy(aad, x->salt, EXPORT_SALT_LEN);
	put_be64(aad + EXPORT_SALT_LEN, block);
}

u64 export_seal_block(struct export_ctx *x, void *buf, size_t len, u8 tag[GCM_TAG_LEN])
{
	u8 nonce[GCM_NONCE_LEN], aad[EXPORT_AAD_LEN];
	u64 block = x->next_block++;
	nonce_and_aad(x, block, nonce, aad);
	aes256_gcm_seal(x->key, nonce, aad, sizeof(aad), buf, len, tag);
	return block;
}

int export_open_block(const struct export_ctx *x, u64 block, void *buf, size_t len, const u8 tag[GCM_TAG_LEN])
{
	u8 nonce[GCM_NONCE_LEN], aad[EXPORT_AAD_LEN];
	nonce_and_aad(x, block, nonce, aad);
	return aes256_gcm_open(x->key, nonce, aad, sizeof(aad), buf, len, tag);
}

void export_end(struct export_ctx *x) { crypto_wipe(x, sizeof(*x)); }
