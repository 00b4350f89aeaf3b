/* kernel/tpm2_exec.c: frames TPM 2.0 commands, sends them over the transport and validates each
 * response header (size equals the bytes received, tag matches the command's, response code 0).
 * Transient "retry" response codes are retried a bounded number of times. */
#include "tpm2_internal.h"
#include "log.h"
#include "string.h"

#define TPM2_SIZE_OFFSET 2
#define TPM2_MAX_RETRIES 3

void tpm2_init(struct tpm2 *t, const struct tpm_transport *tr)
{
	memset(t, 0, sizeof(*t));
	t->tr = *tr;
}

void tpm2_begin(struct tpm2 *t, struct tpm2_out *o, u16 tag, u32 cc)
{
	o->p = t->cmd;
	o->len = 0;
	o->cap = sizeof(t->cmd);
	o->overflow = false;
	out_u16(o, tag);
	out_u32(o, 0); /* size, patched in tpm2_exec */
	out_u32(o, cc);
}

static void auth_area(struct tpm2_out *o, u32 handle)
{
	out_u32(o, sizeof(u32) + 2 + 1 + 2); /* authorizationSize */
	out_u32(o, handle);
	out_tpm2b(o, NULL, 0); /* nonceCaller */
	out_u8(o, 0);          /* sessionAttributes: continueSession clear */
	out_tpm2b(o, NULL, 0); /* hmac or password */
}

void tpm2_auth_pw(struct tpm2_out *o) { auth_area(o, TPM2_RS_PW); }

void tpm2_auth_policy(struct tpm2_out *o, u32 session) { auth_area(o, session); }

void tpm2_out_pcr_select(struct tpm2_out *o, u32 pcr)
{
	u8 sel[TPM2_PCR_SELECT_BYTES] = {0};
	sel[pcr / 8] = (u8)(1u << (pcr % 8));
	out_u32(o, 1); /* count */
	out_u16(o, TPM2_ALG_SHA256);
	out_u8(o, TPM2_PCR_SELECT_BYTES);
	out_bytes(o, sel, sizeof(sel));
}

static bool rc_is_transient(u32 rc) { return rc == TPM2_RC_RETRY || rc == TPM2_RC_YIELDED || rc == TPM2_RC_TESTING; }

int tpm2_exec(struct tpm2 *t, struct tpm2_out *o, const char *what, unsigned flags, struct tpm2_in *rsp)
{
	out_patch_u32(o, TPM2_SIZE_OFFSET, (u32)o->len);
	if (o->overflow) {
		pr_err("tpm", "%s: command does not fit in %u bytes", what, TPM2_BUF_SIZE);
		return TPM_E_SIZE;
	}
	u16 tag = be16_get(t->cmd);
	for (int attempt = 0;; attempt++) {
		size_t got = 0;
		int r = t->tr.xfer(t->tr.ctx, t->cmd, o->len, t->rsp, sizeof(t->rsp), &got);
		if (r != 0) {
			pr_err("tpm", "%s: %s transport failed", what, t->tr.name);
			return r;
		}
		if (got < TPM2_HEADER_SIZE || be32_get(t->rsp + TPM2_SIZE_OFFSET) != got) {
			pr_err("tpm", "%s: malformed response (%llu bytes, header says %u)", what, (u64)got,
			       got >= TPM2_HEADER_SIZE ? be32_get(t->rsp + TPM2_SIZE_OFFSET) : 0);
			return TPM_E_SIZE;
		}
		u16 rtag = be16_get(t->rsp);
		u32 rc = be32_get(t->rsp + TPM2_HEADER_SIZE - 4);
		t->last_rc = rc;
		if (rc != TPM2_RC_SUCCESS) {
			if (rc_is_transient(rc) && attempt < TPM2_MAX_RETRIES)
				continue;
			if (!(flags & TPM2_EXEC_QUIET_RC))
				pr_err("tpm", "%s: TPM response code 0x%x", what, rc);
			return TPM_E_RC;
		}
		if (rtag != tag) {
			pr_err("tpm", "%s: response tag 0x%x, expected 0x%x", what, rtag, tag);
			return TPM_E_TAG;
		}
		rsp->p = t->rsp;
		rsp->len = got;
		rsp->off = TPM2_HEADER_SIZE;
		rsp->bad = false;
		return 0;
	}
}

void tpm2_rsp_params(struct tpm2_in *rsp)
{
	u32 n = in_u32(rsp);
	if (rsp->bad || n > rsp->len - rsp->off) {
		rsp->bad = true;
		return;
	}
	rsp->len = rsp->off + n;
}
