/* vmm/selftest_tpm.c: the "tpm" suite (`tests = tpm`): the TPM after ExitBootServices through Moat's
 * own driver (GetRandom, PCR read-back against the event log; without a TPM, the RDRAND fallback), BearSSL in the hypervisor against
 * known answers (SHA-256 FIPS 180-2, AES-256-GCM from the GCM specification's test cases 13-14,
 * HKDF from RFC 5869 case 1), the key table and an export round trip with a forged tag. */
#include "selftest.h"
#include "export.h"
#include "keys.h"
#include "measure_log.h"
#include "tpm_use.h"
#include "../kernel/crypto.h"
#include "../kernel/string.h"

static const u8 sha_abc[SHA256_LEN] = {0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
				       0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
				       0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad};
static const u8 gcm_tc14_ct[16] = {0xce, 0xa7, 0x40, 0x3d, 0x4d, 0x60, 0x6b, 0x6e,
				   0x07, 0x4e, 0xc5, 0xd3, 0xba, 0xf3, 0x9d, 0x18};
static const u8 gcm_tc14_tag[16] = {0xd0, 0xd1, 0xc8, 0xa7, 0x99, 0x99, 0x6b, 0xf0,
				    0x26, 0x5b, 0x98, 0xb5, 0xd4, 0x8a, 0xb9, 0x19};
static const u8 gcm_tc13_tag[16] = {0x53, 0x0f, 0x8a, 0xfb, 0xc7, 0x45, 0x36, 0xb9,
				    0xa9, 0x63, 0xb4, 0xf1, 0xc4, 0xcb, 0x73, 0x8b};
static const u8 hkdf_tc1_okm[42] = {0x3c, 0xb2, 0x5f, 0x25, 0xfa, 0xac, 0xd5, 0x7a, 0x90, 0x43, 0x4f,
				    0x64, 0xd0, 0x36, 0x2f, 0x2a, 0x2d, 0x2d, 0x0a, 0x90, 0xcf, 0x1a,
				    0x5a, 0x4c, 0x5d, 0xb0, 0x2d, 0x56, 0xec, 0xc4, 0xc5, 0xbf, 0x34,
				    0x00, 0x72, 0x08, 0xd5, 0xb8, 0x87, 0x18, 0x58, 0x65};

static void test_random(struct selftest_result *r, struct tpm2 *t)
{
	u8 a[32], b[32], zero[32] = {0};
	bool ok = t && tpm2_get_random(t, a, sizeof(a)) == 0 && tpm2_get_random(t, b, sizeof(b)) == 0;
	selftest_report(r, "tpm-getrandom", ok && memcmp(a, zero, 32) != 0 && memcmp(a, b, 32) != 0,
			t ? "TPM2_GetRandom failed or repeated itself" : "no TPM");
}

static void test_pcr(const struct kernel_ctx *k, struct selftest_result *r, struct tpm2 *t)
{
	const struct boot_measure *m = &k->boot->measure;
	u8 want[BOOT_DIGEST_LEN], now[BOOT_DIGEST_LEN];
	measure_replay(m, want);
	bool ok = t && m->tpm_state == BOOT_TPM_USED && tpm2_pcr_read(t, m->pcr, now) == 0 &&
		  memcmp(now, want, sizeof(now)) == 0 && memcmp(m->pcr_after, want, sizeof(want)) == 0;
	selftest_report(r, "tpm-pcr-matches-event-log", ok, "PCR differs from the replayed event log");
}

static void test_crypto_kat(struct selftest_result *r)
{
	u8 h[SHA256_LEN], key[32] = {0}, iv[12] = {0}, buf[16] = {0}, tag[16];
	sha256("abc", 3, h);
	bool ok = memcmp(h, sha_abc, sizeof(h)) == 0;
	aes256_gcm_seal(key, iv, NULL, 0, buf, 0, tag);
	ok &= memcmp(tag, gcm_tc13_tag, 16) == 0;
	aes256_gcm_seal(key, iv, NULL, 0, buf, sizeof(buf), tag);
	ok &= memcmp(buf, gcm_tc14_ct, 16) == 0 && memcmp(tag, gcm_tc14_tag, 16) == 0;

	u8 ikm[22], salt[13], info[10], okm[42];
	memset(ikm, 0x0b, sizeof(ikm));
	for (u32 i = 0; i < sizeof(salt); i++)
		salt[i] = (u8)i;
	for (u32 i = 0; i < sizeof(info); i++)
		info[i] = (u8)(0xf0 + i);
	hkdf_sha256(ikm, sizeof(ikm), salt, sizeof(salt), info, sizeof(info), okm, sizeof(okm));
	ok &= memcmp(okm, hkdf_tc1_okm, sizeof(okm)) == 0;
	selftest_report(r, "crypto-known-answers", ok, "SHA-256, AES-256-GCM or HKDF gave a wrong answer");
}

static void test_keys_and_export(const struct kernel_ctx *k, struct selftest_result *r)
{
	u8 master[KEY_LEN], a[KEY_LEN], b[KEY_LEN];
	memset(master, 0x42, sizeof(master));
	keys_derive(master, "net", a);
	keys_derive(master, "storage", b);
	bool ok = memcmp(a, b, KEY_LEN) != 0 && keys_source() != KEYS_NONE;
	if (k->cfg->nvms)
		ok &= keys_vm_key(k->cfg->vms[0].name, a);
	ok &= !keys_vm_key("no-such-vm", b);

	static u8 page[4096], copy[4096];
	u8 salt[EXPORT_SALT_LEN] = {1, 2, 3}, tag[GCM_TAG_LEN];
	struct export_ctx x;
	for (u32 i = 0; i < sizeof(page); i++)
		page[i] = (u8)(i * 7);
	memcpy(copy, page, sizeof(page));
	static const char aad[] = "header";
	export_begin(&x, a, salt, 1, 1);
	export_seal_block(&x, 0, aad, sizeof(aad), copy, sizeof(copy), tag);
	ok &= memcmp(copy, page, sizeof(page)) != 0;
	copy[100] ^= 1;
	ok &= export_open_block(&x, 0, aad, sizeof(aad), copy, sizeof(copy), tag) == -1;
	memcpy(copy, page, sizeof(page));
	export_seal_block(&x, 1, aad, sizeof(aad), copy, sizeof(copy), tag);
	ok &= export_open_block(&x, 0, aad, sizeof(aad), copy, sizeof(copy), tag) == -1; /* wrong page index */
	memcpy(copy, page, sizeof(page));
	export_seal_block(&x, 1, aad, sizeof(aad), copy, sizeof(copy), tag);
	ok &= export_open_block(&x, 1, aad, sizeof(aad), copy, sizeof(copy), tag) == 0 &&
	      memcmp(copy, page, sizeof(page)) == 0;
	export_end(&x);
	selftest_report(r, "keys-and-export", ok, "key table or export round trip wrong");
}

/* Without a TPM: nothing was extended, and the keys are ephemeral (RDRAND), not missing. */
static void test_absent(const struct kernel_ctx *k, struct selftest_result *r)
{
	bool ok = k->boot->measure.tpm_state == BOOT_TPM_NONE && k->boot->measure.nevents >= 2 &&
		  keys_source() == KEYS_EPHEMERAL;
	selftest_report(r, "tpm-absent-ephemeral-keys", ok, "no TPM, but the fallback is not an RDRAND key");
}

void selftest_tpm(const struct kernel_ctx *k, struct selftest_result *r)
{
	struct tpm2 *t = tpm_use();
	if (t) {
		test_random(r, t);
		test_pcr(k, r, t);
	} else {
		test_absent(k, r);
	}
	test_crypto_kat(r);
	test_keys_and_export(k, r);
}
