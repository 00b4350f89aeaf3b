/* kernel/tpm2_pcr.c: TPM2_Startup, TPM2_GetRandom, TPM2_PCR_Extend and TPM2_PCR_Read (SHA-256 bank),
 * and the software form of an extend used to replay Moat's event log. */
#include "tpm2_internal.h"
#include "crypto.h"
#include "log.h"
#include "string.h"

int tpm2_startup(struct tpm2 *t, u16 type)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_STARTUP);
	out_u16(&o, type);
	return tpm2_exec(t, &o, "TPM2_Startup", 0, &r);
}

int tpm2_get_random(struct tpm2 *t, void *out, size_t len)
{
	u8 *dst = out;
	while (len) {
		u16 want = (u16)MIN(len, (size_t)TPM2_SHA256_LEN);
		struct tpm2_out o;
		struct tpm2_in r;
		tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_RANDOM);
		out_u16(&o, want);
		int e = tpm2_exec(t, &o, "TPM2_GetRandom", 0, &r);
		if (e)
			return e;
		size_t got = in_tpm2b(&r, dst, want);
		if (r.bad || got == 0) {
			pr_err("tpm", "TPM2_GetRandom: malformed or empty answer");
			return TPM_E_PARSE;
		}
		dst += got;
		len -= got;
	}
	return 0;
}

int tpm2_ensure_started(struct tpm2 *t)
{
	u8 probe[1];
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_GET_RANDOM);
	out_u16(&o, sizeof(probe));
	int e = tpm2_exec(t, &o, "TPM2_GetRandom", TPM2_EXEC_QUIET_RC, &r);
	if (e == TPM_E_RC && t->last_rc == TPM2_RC_INITIALIZE) {
		pr_info("tpm", "TPM not started by the firmware: sending TPM2_Startup(CLEAR)");
		return tpm2_startup(t, TPM2_SU_CLEAR);
	}
	if (e == TPM_E_RC)
		pr_err("tpm", "TPM2_GetRandom: TPM response code 0x%x", t->last_rc);
	return e;
}

int tpm2_pcr_extend(struct tpm2 *t, u32 pcr, const u8 digest[TPM2_SHA256_LEN])
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_SESSIONS, TPM2_CC_PCR_EXTEND);
	out_u32(&o, pcr);
	tpm2_auth_pw(&o);
	out_u32(&o, 1); /* TPML_DIGEST_VALUES.count */
	out_u16(&o, TPM2_ALG_SHA256);
	out_bytes(&o, digest, TPM2_SHA256_LEN);
	return tpm2_exec(t, &o, "TPM2_PCR_Extend", 0, &r);
}

int tpm2_pcr_read(struct tpm2 *t, u32 pcr, u8 out[TPM2_SHA256_LEN])
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_PCR_READ);
	tpm2_out_pcr_select(&o, pcr);
	int e = tpm2_exec(t, &o, "TPM2_PCR_Read", 0, &r);
	if (e)
		return e;
	in_u32(&r);                                   /* pcrUpdateCounter */
	u32 nsel = in_u32(&r);                        /* pcrSelectionOut */
	for (u32 i = 0; i < nsel && !r.bad; i++) {
		in_u16(&r);
		in_bytes(&r, in_u8(&r));
	}
	u32 ndig = in_u32(&r);
	size_t n = in_tpm2b(&r, out, TPM2_SHA256_LEN);
	if (r.bad || nsel != 1 || ndig != 1 || n != TPM2_SHA256_LEN) {
		pr_err("tpm", "TPM2_PCR_Read: PCR %u has no SHA-256 value (is the bank allocated?)", pcr);
		return TPM_E_PARSE;
	}
	return 0;
}

void tpm2_extend_value(u8 pcr_value[TPM2_SHA256_LEN], const u8 digest[TPM2_SHA256_LEN])
{
	struct crypto_span parts[2] = {{pcr_value, TPM2_SHA256_LEN}, {digest, TPM2_SHA256_LEN}};
	sha256_spans(parts, 2, pcr_value);
}
