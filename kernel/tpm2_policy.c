/* kernel/tpm2_policy.c: the PCR policy that guards Moat's sealed master secret: a policy session
 * (TPM2_StartAuthSession), TPM2_PolicyPCR on one SHA-256 PCR, TPM2_Unseal through that session, and
 * the same policy digest computed in software for TPM2_Create:
 *   policyDigest = SHA-256(0^32 || TPM_CC_PolicyPCR || TPML_PCR_SELECTION || SHA-256(PCR value)). */
#include "tpm2_internal.h"
#include "crypto.h"
#include "log.h"
#include "string.h"

#define POLICY_SCRATCH 64

int tpm2_start_policy_session(struct tpm2 *t, u32 *session)
{
	u8 nonce[TPM2_NONCE_LEN];
	int e = tpm2_get_random(t, nonce, sizeof(nonce));
	if (e)
		return e;
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_START_AUTH_SESSION);
	out_u32(&o, TPM2_RH_NULL); /* tpmKey: unsalted */
	out_u32(&o, TPM2_RH_NULL); /* bind: unbound */
	out_tpm2b(&o, nonce, sizeof(nonce));
	out_tpm2b(&o, NULL, 0); /* encryptedSalt */
	out_u8(&o, TPM2_SE_POLICY);
	out_u16(&o, TPM2_ALG_NULL); /* symmetric: no parameter encryption */
	out_u16(&o, TPM2_ALG_SHA256);
	e = tpm2_exec(t, &o, "TPM2_StartAuthSession", 0, &r);
	if (e)
		return e;
	*session = in_u32(&r);
	return r.bad ? TPM_E_PARSE : 0;
}

int tpm2_policy_pcr(struct tpm2 *t, u32 session, u32 pcr)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_POLICY_PCR);
	out_u32(&o, session);
	out_tpm2b(&o, NULL, 0); /* pcrDigest: the TPM uses the current values */
	tpm2_out_pcr_select(&o, pcr);
	return tpm2_exec(t, &o, "TPM2_PolicyPCR", 0, &r);
}

int tpm2_unseal(struct tpm2 *t, u32 item, u32 session, void *out, size_t cap, size_t *len)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_SESSIONS, TPM2_CC_UNSEAL);
	out_u32(&o, item);
	tpm2_auth_policy(&o, session);
	int e = tpm2_exec(t, &o, "TPM2_Unseal", TPM2_EXEC_QUIET_RC, &r);
	if (e == TPM_E_RC && (t->last_rc & TPM2_RC_FMT1_MASK) == TPM2_RC_POLICY_FAIL)
		return TPM_E_POLICY;
	if (e == TPM_E_RC)
		pr_err("tpm", "TPM2_Unseal: TPM response code 0x%x", t->last_rc);
	if (e)
		return e;
	tpm2_rsp_params(&r);
	*len = in_tpm2b(&r, out, cap);
	memset(t->rsp, 0, sizeof(t->rsp)); /* the secret was in the response */
	if (r.bad) {
		pr_err("tpm", "TPM2_Unseal: malformed answer");
		return TPM_E_PARSE;
	}
	return 0;
}

void tpm2_policy_pcr_digest(u32 pcr, const u8 pcr_value[TPM2_SHA256_LEN], u8 out[TPM2_SHA256_LEN])
{
	u8 zero[TPM2_SHA256_LEN] = {0};
	u8 pcr_hash[TPM2_SHA256_LEN];
	sha256(pcr_value, TPM2_SHA256_LEN, pcr_hash);

	u8 buf[POLICY_SCRATCH];
	struct tpm2_out o = {buf, 0, sizeof(buf), false};
	out_u32(&o, TPM2_CC_POLICY_PCR);
	tpm2_out_pcr_select(&o, pcr);
	struct crypto_span parts[3] = {{zero, sizeof(zero)}, {buf, o.len}, {pcr_hash, sizeof(pcr_hash)}};
	sha256_spans(parts, 3, out);
}
