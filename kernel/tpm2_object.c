/* kernel/tpm2_object.c: TPM2_CreatePrimary (the storage key), TPM2_Create of a sealed data object,
 * TPM2_Load and TPM2_FlushContext. Authorizations use the password session with empty passwords:
 * Moat expects an owner hierarchy without a password (a fresh or cleared TPM). */
#include "tpm2_internal.h"
#include "log.h"
#include "string.h"

#define SRK_ATTRIBUTES                                                                                 \
	(TPMA_OBJECT_FIXED_TPM | TPMA_OBJECT_FIXED_PARENT | TPMA_OBJECT_SENSITIVE_DATA_ORIGIN |         \
	 TPMA_OBJECT_USER_WITH_AUTH | TPMA_OBJECT_NO_DA | TPMA_OBJECT_RESTRICTED | TPMA_OBJECT_DECRYPT)
/* Sealed data: usable only through its policy (no userWithAuth, no adminWithAuth). */
#define SEALED_ATTRIBUTES (TPMA_OBJECT_FIXED_TPM | TPMA_OBJECT_FIXED_PARENT | TPMA_OBJECT_NO_DA)
#define TEMPLATE_MAX 256

/* TPMT_PUBLIC of the storage primary key: ECC P-256, restricted decryption, AES-128-CFB. */
static void srk_template(struct tpm2_out *p)
{
	out_u16(p, TPM2_ALG_ECC);
	out_u16(p, TPM2_ALG_SHA256);
	out_u32(p, SRK_ATTRIBUTES);
	out_tpm2b(p, NULL, 0); /* authPolicy */
	out_u16(p, TPM2_ALG_AES);
	out_u16(p, TPM2_AES_STORAGE_BITS);
	out_u16(p, TPM2_ALG_CFB);
	out_u16(p, TPM2_ALG_NULL); /* scheme */
	out_u16(p, TPM2_ECC_NIST_P256);
	out_u16(p, TPM2_ALG_NULL); /* kdf */
	out_tpm2b(p, NULL, 0);     /* unique.x */
	out_tpm2b(p, NULL, 0);     /* unique.y */
}

/* TPMT_PUBLIC of a sealed keyed-hash object bound to policy. */
static void sealed_template(struct tpm2_out *p, const u8 policy[TPM2_SHA256_LEN])
{
	out_u16(p, TPM2_ALG_KEYEDHASH);
	out_u16(p, TPM2_ALG_SHA256);
	out_u32(p, SEALED_ATTRIBUTES);
	out_tpm2b(p, policy, TPM2_SHA256_LEN);
	out_u16(p, TPM2_ALG_NULL); /* keyed-hash scheme */
	out_tpm2b(p, NULL, 0);     /* unique */
}

/* inSensitive, inPublic (from the template writer), outsideInfo, creationPCR. */
static void create_params(struct tpm2_out *o, const void *data, size_t len, const struct tpm2_out *pub)
{
	out_u16(o, (u16)(2 + 2 + len)); /* TPM2B_SENSITIVE_CREATE */
	out_tpm2b(o, NULL, 0);          /* userAuth */
	out_tpm2b(o, data, len);
	out_tpm2b(o, pub->p, pub->len);
	out_tpm2b(o, NULL, 0); /* outsideInfo */
	out_u32(o, 0);         /* creationPCR: none */
}

int tpm2_create_primary_storage(struct tpm2 *t, u32 *handle)
{
	u8 tbuf[TEMPLATE_MAX];
	struct tpm2_out pub = {tbuf, 0, sizeof(tbuf), false};
	srk_template(&pub);

	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_SESSIONS, TPM2_CC_CREATE_PRIMARY);
	out_u32(&o, TPM2_RH_OWNER);
	tpm2_auth_pw(&o);
	create_params(&o, NULL, 0, &pub);
	int e = tpm2_exec(t, &o, "TPM2_CreatePrimary", 0, &r);
	if (e)
		return e;
	*handle = in_u32(&r);
	return r.bad ? TPM_E_PARSE : 0;
}

/* Copies one marshalled TPM2B (size included) out of the response. */
static u16 take_tpm2b(struct tpm2_in *r, u8 *dst, size_t cap)
{
	size_t start = r->off;
	in_tpm2b(r, NULL, cap - 2);
	if (r->bad)
		return 0;
	u16 n = (u16)(r->off - start);
	memcpy(dst, r->p + start, n);
	return n;
}

int tpm2_create_sealed(struct tpm2 *t, u32 parent, const u8 policy[TPM2_SHA256_LEN], const void *secret,
		       size_t len, struct tpm2_sealed *out)
{
	if (len > TPM2_SEALED_MAX)
		return TPM_E_SIZE;
	u8 tbuf[TEMPLATE_MAX];
	struct tpm2_out pub = {tbuf, 0, sizeof(tbuf), false};
	sealed_template(&pub, policy);

	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_SESSIONS, TPM2_CC_CREATE);
	out_u32(&o, parent);
	tpm2_auth_pw(&o);
	create_params(&o, secret, len, &pub);
	int e = tpm2_exec(t, &o, "TPM2_Create", 0, &r);
	memset(t->cmd, 0, sizeof(t->cmd)); /* the secret was in the command */
	if (e)
		return e;
	tpm2_rsp_params(&r);
	out->priv_len = take_tpm2b(&r, out->priv, sizeof(out->priv));
	out->pub_len = take_tpm2b(&r, out->pub, sizeof(out->pub));
	if (r.bad) {
		pr_err("tpm", "TPM2_Create: malformed answer");
		return TPM_E_PARSE;
	}
	return 0;
}

int tpm2_load(struct tpm2 *t, u32 parent, const struct tpm2_sealed *obj, u32 *handle)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_SESSIONS, TPM2_CC_LOAD);
	out_u32(&o, parent);
	tpm2_auth_pw(&o);
	out_bytes(&o, obj->priv, obj->priv_len);
	out_bytes(&o, obj->pub, obj->pub_len);
	int e = tpm2_exec(t, &o, "TPM2_Load", 0, &r);
	if (e)
		return e;
	*handle = in_u32(&r);
	return r.bad ? TPM_E_PARSE : 0;
}

int tpm2_flush_context(struct tpm2 *t, u32 handle)
{
	struct tpm2_out o;
	struct tpm2_in r;
	tpm2_begin(t, &o, TPM2_ST_NO_SESSIONS, TPM2_CC_FLUSH_CONTEXT);
	out_u32(&o, handle);
	return tpm2_exec(t, &o, "TPM2_FlushContext", 0, &r);
}
