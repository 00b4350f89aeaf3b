/* kernel/crypto.c: SHA-256, HMAC, HKDF and AES-256-GCM through BearSSL, each call fenced by
 * crypto_enter()/crypto_leave() (kernel/crypto_guard.c explains why). AES-NI and PCLMULQDQ are
 * used when the CPU has them, BearSSL's constant-time 64-bit code otherwise. Host unit tests build
 * this same file and compare its output with OpenSSL's (tests/unit/test_crypto.c). */
#include <bearssl.h>
#include "crypto.h"
#include "crypto_guard.h"
#include "string.h"

void crypto_wipe(void *p, size_t len)
{
	volatile u8 *v = p;
	while (len--)
		*v++ = 0;
}

int crypto_memeq_ct(const void *a, const void *b, size_t len)
{
	const u8 *x = a, *y = b;
	u8 d = 0;
	for (size_t i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d != 0;
}

void sha256_spans(const struct crypto_span *parts, size_t n, u8 out[SHA256_LEN])
{
	struct crypto_guard g;
	br_sha256_context c;
	crypto_enter(&g);
	br_sha256_init(&c);
	for (size_t i = 0; i < n; i++)
		br_sha256_update(&c, parts[i].data, parts[i].len);
	br_sha256_out(&c, out);
	crypto_leave(&g);
}

void sha256(const void *data, size_t len, u8 out[SHA256_LEN])
{
	struct crypto_span s = {data, len};
	sha256_spans(&s, 1, out);
}

void hmac_sha256(const void *key, size_t key_len, const void *data, size_t len, u8 out[SHA256_LEN])
{
	struct crypto_guard g;
	br_hmac_key_context kc;
	br_hmac_context hc;
	crypto_enter(&g);
	br_hmac_key_init(&kc, &br_sha256_vtable, key, key_len);
	br_hmac_init(&hc, &kc, 0);
	br_hmac_update(&hc, data, len);
	br_hmac_out(&hc, out);
	crypto_leave(&g);
	crypto_wipe(&kc, sizeof(kc));
	crypto_wipe(&hc, sizeof(hc));
}

void hkdf_sha256(const void *ikm, size_t ikm_len, const void *salt, size_t salt_len, const void *info,
		 size_t info_len, void *out, size_t out_len)
{
	struct crypto_guard g;
	br_hkdf_context hc;
	crypto_enter(&g);
	br_hkdf_init(&hc, &br_sha256_vtable, salt ? salt : BR_HKDF_NO_SALT, salt ? salt_len : 0);
	br_hkdf_inject(&hc, ikm, ikm_len);
	br_hkdf_flip(&hc);
	br_hkdf_produce(&hc, info, info_len, out, out_len);
	crypto_leave(&g);
	crypto_wipe(&hc, sizeof(hc));
}

/* The AES-CTR and GHASH implementations for this CPU. BearSSL finds out with CPUID, which costs a VM
 * exit under a hypervisor (and is slow in emulators): ask once, then remember. Every CPU Moat runs on
 * is the same model, so the answer holds for all of them. */
static const br_block_ctr_class *ctr_class;
static br_ghash ghash_fn;

static void pick_impl(void)
{
	if (__atomic_load_n(&ghash_fn, __ATOMIC_ACQUIRE))
		return;
	const br_block_ctr_class *c = br_aes_x86ni_ctr_get_vtable();
	br_ghash gh = br_ghash_pclmul_get();
	ctr_class = c ? c : &br_aes_ct64_ctr_vtable; /* CPUs racing here store the same values */
	__atomic_store_n(&ghash_fn, gh ? gh : br_ghash_ctmul64, __ATOMIC_RELEASE);
}

const char *crypto_impl_name(void)
{
	struct crypto_guard g;
	crypto_enter(&g);
	pick_impl();
	crypto_leave(&g);
	return ctr_class != &br_aes_ct64_ctr_vtable && ghash_fn != br_ghash_ctmul64 ? "aes-ni+pclmul"
										       : "constant-time software";
}

struct gcm_state {
	br_aes_gen_ctr_keys aes;
	br_gcm_context gcm;
};

/* Sets up the key, nonce and AAD; the caller holds the guard. */
static void gcm_start(struct gcm_state *s, const u8 *key, const u8 *nonce, const void *aad, size_t aad_len)
{
	pick_impl();
	ctr_class->init(&s->aes.vtable, key, AES256_KEY_LEN);
	br_gcm_init(&s->gcm, &s->aes.vtable, ghash_fn);
	br_gcm_reset(&s->gcm, nonce, GCM_NONCE_LEN);
	if (aad_len)
		br_gcm_aad_inject(&s->gcm, aad, aad_len);
	br_gcm_flip(&s->gcm);
}

void aes256_gcm_seal(const u8 key[AES256_KEY_LEN], const u8 nonce[GCM_NONCE_LEN], const void *aad,
		     size_t aad_len, void *buf, size_t len, u8 tag[GCM_TAG_LEN])
{
	struct crypto_guard g;
	struct gcm_state s;
	crypto_enter(&g);
	gcm_start(&s, key, nonce, aad, aad_len);
	br_gcm_run(&s.gcm, 1, buf, len);
	br_gcm_get_tag(&s.gcm, tag);
	crypto_leave(&g);
	crypto_wipe(&s, sizeof(s));
}

int aes256_gcm_open(const u8 key[AES256_KEY_LEN], const u8 nonce[GCM_NONCE_LEN], const void *aad,
		    size_t aad_len, void *buf, size_t len, const u8 tag[GCM_TAG_LEN])
{
	struct crypto_guard g;
	struct gcm_state s;
	crypto_enter(&g);
	gcm_start(&s, key, nonce, aad, aad_len);
	br_gcm_run(&s.gcm, 0, buf, len);
	u32 ok = br_gcm_check_tag(&s.gcm, tag);
	crypto_leave(&g);
	crypto_wipe(&s, sizeof(s));
	if (!ok) {
		crypto_wipe(buf, len);
		return -1;
	}
	return 0;
}
