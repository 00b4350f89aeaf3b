/* tests/unit/test_crypto.c: kernel/crypto.c (BearSSL) against OpenSSL for fixed keys, nonces and
 * messages: SHA-256, HMAC-SHA256, HKDF-SHA256 and AES-256-GCM ciphertext and tag, plus the
 * rejection of a forged tag. */
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/kdf.h>
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "kernel/crypto.h"

static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 8));
}

static void test_crypto_sha256_hmac(void)
{
	static unsigned char msg[5000];
	unsigned char a[32], b[32], key[100];
	unsigned int blen = 0;
	fill(msg, sizeof(msg), 1);
	fill(key, sizeof(key), 2);
	size_t lens[] = {0, 1, 55, 56, 64, 4096, sizeof(msg)};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		sha256(msg, lens[i], a);
		SHA256(msg, lens[i], b);
		CHECK(memcmp(a, b, 32) == 0);
		hmac_sha256(key, 1 + lens[i] % sizeof(key), msg, lens[i], a);
		HMAC(EVP_sha256(), key, (int)(1 + lens[i] % sizeof(key)), msg, lens[i], b, &blen);
		CHECK_EQ(blen, 32);
		CHECK(memcmp(a, b, 32) == 0);
	}
}

static void ossl_hkdf(const unsigned char *ikm, size_t ikm_len, const unsigned char *salt, size_t salt_len,
		      const char *info, unsigned char *out, size_t out_len)
{
	EVP_PKEY_CTX *c = EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, NULL);
	CHECK(c && EVP_PKEY_derive_init(c) == 1);
	CHECK(EVP_PKEY_CTX_set_hkdf_md(c, EVP_sha256()) == 1);
	if (salt_len)
		CHECK(EVP_PKEY_CTX_set1_hkdf_salt(c, salt, (int)salt_len) == 1);
	CHECK(EVP_PKEY_CTX_set1_hkdf_key(c, ikm, (int)ikm_len) == 1);
	CHECK(EVP_PKEY_CTX_add1_hkdf_info(c, (const unsigned char *)info, (int)strlen(info)) == 1);
	CHECK(EVP_PKEY_derive(c, out, &out_len) == 1);
	EVP_PKEY_CTX_free(c);
}

static void test_crypto_hkdf_vm_keys(void)
{
	unsigned char master[32], salt[16], a[64], b[64];
	fill(master, sizeof(master), 3);
	fill(salt, sizeof(salt), 4);
	const char *names[] = {"net", "storage", "a", "vm-with-a-long-name_0123456789"};
	for (size_t i = 0; i < 4; i++) {
		hkdf_sha256(master, 32, NULL, 0, names[i], strlen(names[i]), a, 32);
		ossl_hkdf(master, 32, NULL, 0, names[i], b, 32);
		CHECK(memcmp(a, b, 32) == 0);
		hkdf_sha256(master, 32, salt, sizeof(salt), names[i], strlen(names[i]), a, 64);
		ossl_hkdf(master, 32, salt, sizeof(salt), names[i], b, 64);
		CHECK(memcmp(a, b, 64) == 0);
	}
	hkdf_sha256(master, 32, NULL, 0, "net", 3, a, 32);
	hkdf_sha256(master, 32, NULL, 0, "neu", 3, b, 32);
	CHECK(memcmp(a, b, 32) != 0);
}

static void ossl_gcm(const unsigned char *key, const unsigned char *iv, const unsigned char *aad, int aad_len,
		     const unsigned char *in, int len, unsigned char *out, unsigned char *tag)
{
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;
	CHECK(EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, NULL, NULL) == 1);
	CHECK(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_IVLEN, GCM_NONCE_LEN, NULL) == 1);
	CHECK(EVP_EncryptInit_ex(c, NULL, NULL, key, iv) == 1);
	if (aad_len)
		CHECK(EVP_EncryptUpdate(c, NULL, &n, aad, aad_len) == 1);
	if (len)
		CHECK(EVP_EncryptUpdate(c, out, &n, in, len) == 1);
	CHECK(EVP_EncryptFinal_ex(c, out + n, &n) == 1);
	CHECK(EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, GCM_TAG_LEN, tag) == 1);
	EVP_CIPHER_CTX_free(c);
}

static void test_crypto_aes256_gcm_vs_openssl(void)
{
	static unsigned char plain[8192], mine[8192], theirs[8192];
	unsigned char key[32], iv[12], aad[40], t1[16], t2[16];
	fill(plain, sizeof(plain), 5);
	fill(key, sizeof(key), 6);
	fill(iv, sizeof(iv), 7);
	fill(aad, sizeof(aad), 8);
	size_t lens[] = {0, 1, 15, 16, 17, 4096, sizeof(plain)};
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = lens[i], an = i % 2 ? sizeof(aad) : 0;
		memcpy(mine, plain, n);
		aes256_gcm_seal(key, iv, aad, an, mine, n, t1);
		ossl_gcm(key, iv, aad, (int)an, plain, (int)n, theirs, t2);
		CHECK(memcmp(mine, theirs, n) == 0);
		CHECK(memcmp(t1, t2, 16) == 0);
		CHECK_EQ(aes256_gcm_open(key, iv, aad, an, mine, n, t1), 0);
		CHECK(memcmp(mine, plain, n) == 0);
	}
}

static void test_crypto_gcm_rejects_forgery(void)
{
	unsigned char key[32], iv[12], buf[64], copy[64], tag[16];
	fill(key, sizeof(key), 9);
	fill(iv, sizeof(iv), 10);
	fill(buf, sizeof(buf), 11);
	aes256_gcm_seal(key, iv, "vm", 2, buf, sizeof(buf), tag);
	memcpy(copy, buf, sizeof(buf));
	copy[3] ^= 1;
	CHECK_EQ(aes256_gcm_open(key, iv, "vm", 2, copy, sizeof(copy), tag), -1);
	memcpy(copy, buf, sizeof(buf));
	CHECK_EQ(aes256_gcm_open(key, iv, "vn", 2, copy, sizeof(copy), tag), -1);
	unsigned char zero[64] = {0};
	CHECK(memcmp(copy, zero, sizeof(zero)) == 0);
	CHECK_EQ(aes256_gcm_open(key, iv, "vm", 2, buf, sizeof(buf), tag), 0);
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_crypto_sha256_hmac),
	UNIT_TEST(test_crypto_hkdf_vm_keys),
	UNIT_TEST(test_crypto_aes256_gcm_vs_openssl),
	UNIT_TEST(test_crypto_gcm_rejects_forgery),
};
UNIT_SUITE(crypto_suite, tests);
