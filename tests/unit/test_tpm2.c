/* tests/unit/test_tpm2.c: Moat's TPM 2.0 command code (kernel/tpm2_*.c, kernel/tpm_seal.c) against a
 * real TPM simulator: swtpm started per test. Checks GetRandom, PCR_Extend/PCR_Read against an
 * extend computed with OpenSSL, Startup handling, seal/unseal across a simulated reboot, refusal
 * once the PCR changes, the blob file format, and that no transient handle is left behind. */
#include <openssl/sha.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"
#include "host_swtpm.h"
#include "kernel/tpm2.h"
#include "kernel/tpm2_internal.h"
#include "kernel/tpm_seal.h"

#define TEST_PCR 8
#define TPM2_CC_GET_CAPABILITY 0x17a
#define TPM2_CAP_HANDLES 1
#define TPM2_HT_TRANSIENT 0x80000000u
#define TPM2_HT_LOADED_SESSION 0x02000000u

static struct tpm2 T; /* 8 KiB of buffers: keep it off the stack */

static bool start(struct host_swtpm *s, bool startup)
{
	if (host_swtpm_start(s, startup) != 0) {
		CHECK(!"swtpm did not start");
		return false;
	}
	tpm2_init(&T, &s->tr);
	return true;
}

/* Handles of one kind the TPM still holds (TPM2_GetCapability(TPM_CAP_HANDLES)). */
static unsigned handles_in_use(u32 first)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(&T, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_CAPABILITY);
	out_u32(&o, TPM2_CAP_HANDLES);
	out_u32(&o, first);
	out_u32(&o, 64);
	if (tpm2_exec(&T, &o, "TPM2_GetCapability", 0, &r) != 0)
		return 999;
	in_u8(&r);  /* moreData */
	in_u32(&r); /* capability */
	return in_u32(&r);
}

static void test_tpm2_startup_and_random(void)
{
	struct host_swtpm s;
	if (!start(&s, false))
		return;
	CHECK_EQ(tpm2_ensure_started(&T), 0);
	CHECK(host_log_has("sending TPM2_Startup(CLEAR)"));
	u8 a[48], b[48], zero[48] = {0};
	CHECK_EQ(tpm2_get_random(&T, a, sizeof(a)), 0);
	CHECK_EQ(tpm2_get_random(&T, b, sizeof(b)), 0);
	CHECK(memcmp(a, zero, sizeof(a)) != 0);
	CHECK(memcmp(a, b, sizeof(a)) != 0);
	host_swtpm_stop(&s);
}

static void test_tpm2_pcr_extend_read(void)
{
	struct host_swtpm s;
	if (!start(&s, true))
		return;
	u8 v[32], want[32] = {0}, d1[32], d2[32];
	CHECK_EQ(tpm2_pcr_read(&T, TEST_PCR, v), 0);
	CHECK(memcmp(v, want, 32) == 0);
	SHA256((const unsigned char *)"moat.efi", 8, d1);
	SHA256((const unsigned char *)"moat.cfg", 8, d2);
	CHECK_EQ(tpm2_pcr_extend(&T, TEST_PCR, d1), 0);
	CHECK_EQ(tpm2_pcr_extend(&T, TEST_PCR, d2), 0);
	/* OpenSSL's view of the same two extends */
	unsigned char buf[64];
	memcpy(buf, want, 32);
	memcpy(buf + 32, d1, 32);
	SHA256(buf, 64, want);
	memcpy(buf, want, 32);
	memcpy(buf + 32, d2, 32);
	SHA256(buf, 64, want);
	CHECK_EQ(tpm2_pcr_read(&T, TEST_PCR, v), 0);
	CHECK(memcmp(v, want, 32) == 0);
	/* and Moat's software replay */
	u8 replay[32] = {0};
	tpm2_extend_value(replay, d1);
	tpm2_extend_value(replay, d2);
	CHECK(memcmp(replay, want, 32) == 0);
	host_swtpm_stop(&s);
}

static void test_tpm2_seal_unseal_reboot_and_refusal(void)
{
	struct host_swtpm s;
	if (!start(&s, true))
		return;
	u8 d[32];
	SHA256((const unsigned char *)"config v1", 9, d);
	CHECK_EQ(tpm2_pcr_extend(&T, TEST_PCR, d), 0);

	u8 secret[32], out[64];
	size_t n = 0;
	CHECK_EQ(tpm2_get_random(&T, secret, sizeof(secret)), 0);
	static struct tpm2_sealed sealed, back;
	CHECK_EQ(tpm_seal(&T, TEST_PCR, secret, sizeof(secret), &sealed), 0);
	CHECK(sealed.pub_len > 0 && sealed.priv_len > 0);

	u8 file[SEAL_BLOB_MAX];
	size_t flen = seal_blob_write(TEST_PCR, &sealed, file, sizeof(file));
	CHECK(flen > SEAL_BLOB_HEADER);
	u32 pcr = 0;
	const char *why = NULL;
	CHECK_EQ(seal_blob_read(file, flen, &pcr, &back, &why), 0);
	CHECK_EQ(pcr, TEST_PCR);
	CHECK_EQ(seal_blob_read(file, flen - 1, &pcr, &back, &why), -1);
	CHECK_EQ(seal_blob_read(file, flen, &pcr, &back, &why), 0);

	/* same boot: unseals */
	CHECK_EQ(tpm_unseal(&T, TEST_PCR, &back, out, sizeof(out), &n), 0);
	CHECK_EQ(n, sizeof(secret));
	CHECK(memcmp(out, secret, sizeof(secret)) == 0);

	/* "reboot": PCRs reset; the same measurement gives the same PCR and the secret back */
	CHECK_EQ(host_swtpm_restart(&s), 0);
	tpm2_init(&T, &s.tr);
	CHECK_EQ(tpm2_pcr_extend(&T, TEST_PCR, d), 0);
	memset(out, 0, sizeof(out));
	CHECK_EQ(tpm_unseal(&T, TEST_PCR, &back, out, sizeof(out), &n), 0);
	CHECK(memcmp(out, secret, sizeof(secret)) == 0);

	/* another "reboot" with a changed config: the TPM refuses */
	CHECK_EQ(host_swtpm_restart(&s), 0);
	tpm2_init(&T, &s.tr);
	SHA256((const unsigned char *)"config v2", 9, d);
	CHECK_EQ(tpm2_pcr_extend(&T, TEST_PCR, d), 0);
	memset(out, 0, sizeof(out));
	CHECK_EQ(tpm_unseal(&T, TEST_PCR, &back, out, sizeof(out), &n), TPM_E_POLICY);
	u8 zero[32] = {0};
	CHECK(memcmp(out, zero, sizeof(zero)) == 0);

	/* every path flushed its objects and sessions */
	CHECK_EQ(handles_in_use(TPM2_HT_TRANSIENT), 0);
	CHECK_EQ(handles_in_use(TPM2_HT_LOADED_SESSION), 0);
	host_swtpm_stop(&s);
}

static void test_tpm2_policy_digest_matches_tpm(void)
{
	/* The policy digest computed in software must be what the TPM accumulates: sealing to it and
	 * unsealing through a real PolicyPCR session (above) proves it end to end; here a fixed vector
	 * keeps the software side from drifting: PolicyPCR over an all-zero SHA-256 PCR 8. */
	u8 zero[32] = {0}, got[32], want[32];
	unsigned char m[32 + 4 + 4 + 2 + 1 + 3 + 32], h[32];
	SHA256(zero, 32, h);
	size_t k = 0;
	memset(m, 0, 32), k = 32;
	const unsigned char tail[] = {0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0b, 0x03, 0x00, 0x01, 0x00};
	memcpy(m + k, tail, sizeof(tail)), k += sizeof(tail);
	memcpy(m + k, h, 32), k += 32;
	SHA256(m, k, want);
	tpm2_policy_pcr_digest(8, zero, got);
	CHECK(memcmp(got, want, 32) == 0);
}

/* A transport that answers with a header whose size disagrees with what arrived. */
static int short_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t cap, size_t *rsp_len)
{
	const u8 r[] = {0x80, 0x01, 0, 0, 0, 99, 0, 0, 0, 0};
	(void)ctx, (void)cmd, (void)cmd_len, (void)cap;
	memcpy(rsp, r, sizeof(r));
	*rsp_len = sizeof(r);
	return 0;
}

static void test_tpm2_malformed_response(void)
{
	struct tpm_transport bad = {"fake", short_xfer, NULL};
	u8 v[8];
	tpm2_init(&T, &bad);
	CHECK_EQ(tpm2_get_random(&T, v, sizeof(v)), TPM_E_SIZE);
	CHECK(host_log_has("malformed response"));
}

static const struct unit_test tests[] = {
	UNIT_TEST(test_tpm2_startup_and_random),
	UNIT_TEST(test_tpm2_pcr_extend_read),
	UNIT_TEST(test_tpm2_seal_unseal_reboot_and_refusal),
	UNIT_TEST(test_tpm2_policy_digest_matches_tpm),
	UNIT_TEST(test_tpm2_malformed_response),
};
UNIT_SUITE(tpm2_suite, tests);
