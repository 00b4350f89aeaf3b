/* kernel/crypto.h: Moat's cryptography: SHA-256, HMAC-SHA256, HKDF-SHA256 and AES-256-GCM, all
 * from BearSSL (Debian's libbearssl.a, linked statically; glue in kernel/crypto.c).
 * Every function here is safe to call from Moat's own code: BearSSL is hosted code that uses SSE
 * and the red zone, so each call runs inside crypto_enter()/crypto_leave() (kernel/crypto_guard.c):
 * interrupts off and the caller's XMM state saved and restored. */
#ifndef MOAT_CRYPTO_H
#define MOAT_CRYPTO_H

#include "types.h"

#define SHA256_LEN 32
#define SHA256_BLOCK_LEN 64
#define AES256_KEY_LEN 32
#define GCM_NONCE_LEN 12
#define GCM_TAG_LEN 16

/* One piece of a message hashed in several parts. */
struct crypto_span {
	const void *data;
	size_t len;
};

void sha256(const void *data, size_t len, u8 out[SHA256_LEN]);
/* SHA-256 of the concatenation of n spans. */
void sha256_spans(const struct crypto_span *parts, size_t n, u8 out[SHA256_LEN]);
void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, u8 out[SHA256_LEN]);
/* RFC 5869 with SHA-256; salt may be NULL (no salt). out_len <= 255 * 32. */
void hkdf_sha256(const void *ikm, size_t ikm_len, const void *salt, size_t salt_len, const void *info,
		 size_t info_len, void *out, size_t out_len);

/* AES-256-GCM in place over buf; aad may be NULL when aad_len is 0. */
void aes256_gcm_seal(const u8 key[AES256_KEY_LEN], const u8 nonce[GCM_NONCE_LEN], const void *aad,
		     size_t aad_len, void *buf, size_t len, u8 tag[GCM_TAG_LEN]);
/* Decrypts in place and returns 0 when the tag matches; otherwise -1 and buf is zeroed. */
int aes256_gcm_open(const u8 key[AES256_KEY_LEN], const u8 nonce[GCM_NONCE_LEN], const void *aad,
		    size_t aad_len, void *buf, size_t len, const u8 tag[GCM_TAG_LEN]);

/* Which AES and GHASH code BearSSL runs here: "aes-ni+pclmul" or "constant-time software". */
const char *crypto_impl_name(void);

/* Clears secrets in a way the compiler cannot drop. */
void crypto_wipe(void *p, size_t len);

/* Constant-time comparison: 0 when equal. */
int crypto_memeq_ct(const void *a, const void *b, size_t len);

#endif
