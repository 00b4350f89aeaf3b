/* kernel/tpm_seal.c: seal and unseal a secret under a PCR policy (kernel/tpm_seal.h), and the blob
 * file format. Every transient handle (primary key, sealed object, policy session) is flushed on
 * every path, so a failure never leaves the TPM's object slots full. */
#include "tpm_seal.h"
#include "log.h"
#include "string.h"

static void flush(struct tpm2 *t, u32 *h)
{
	if (*h)
		tpm2_flush_context(t, *h);
	*h = 0;
}

int tpm_seal(struct tpm2 *t, u32 pcr, const void *secret, size_t len, struct tpm2_sealed *out)
{
	u8 value[TPM2_SHA256_LEN], policy[TPM2_SHA256_LEN];
	u32 srk = 0;
	int e = tpm2_pcr_read(t, pcr, value);
	if (!e)
		e = tpm2_create_primary_storage(t, &srk);
	if (!e) {
		tpm2_policy_pcr_digest(pcr, value, policy);
		e = tpm2_create_sealed(t, srk, policy, secret, len, out);
	}
	flush(t, &srk);
	return e;
}

int tpm_unseal(struct tpm2 *t, u32 pcr, const struct tpm2_sealed *in, void *secret, size_t cap, size_t *len)
{
	u32 srk = 0, item = 0, session = 0;
	int e = tpm2_create_primary_storage(t, &srk);
	if (!e)
		e = tpm2_load(t, srk, in, &item);
	if (!e)
		e = tpm2_start_policy_session(t, &session);
	if (!e)
		e = tpm2_policy_pcr(t, session, pcr);
	if (!e) {
		e = tpm2_unseal(t, item, session, secret, cap, len);
		if (e == 0)
			session = 0; /* continueSession was clear: the TPM closed it (not on failure) */
	}
	flush(t, &session);
	flush(t, &item);
	flush(t, &srk);
	return e;
}

static void put_le(u8 *p, u32 v, int n)
{
	for (int i = 0; i < n; i++)
		p[i] = (u8)(v >> (8 * i));
}

static u32 get_le(const u8 *p, int n)
{
	u32 v = 0;
	for (int i = 0; i < n; i++)
		v |= (u32)p[i] << (8 * i);
	return v;
}

size_t seal_blob_write(u32 pcr, const struct tpm2_sealed *s, u8 *buf, size_t cap)
{
	size_t len = SEAL_BLOB_HEADER + s->pub_len + s->priv_len;
	if (len > cap)
		return 0;
	memcpy(buf, SEAL_BLOB_MAGIC, SEAL_BLOB_MAGIC_LEN);
	put_le(buf + 8, SEAL_BLOB_VERSION, 4);
	put_le(buf + 12, pcr, 4);
	put_le(buf + 16, s->pub_len, 2);
	put_le(buf + 18, s->priv_len, 2);
	memcpy(buf + SEAL_BLOB_HEADER, s->pub, s->pub_len);
	memcpy(buf + SEAL_BLOB_HEADER + s->pub_len, s->priv, s->priv_len);
	return len;
}

int seal_blob_read(const u8 *buf, size_t len, u32 *pcr, struct tpm2_sealed *s, const char **why)
{
	if (len < SEAL_BLOB_HEADER || memcmp(buf, SEAL_BLOB_MAGIC, SEAL_BLOB_MAGIC_LEN) != 0) {
		*why = "not a Moat sealed blob";
		return -1;
	}
	if (get_le(buf + 8, 4) != SEAL_BLOB_VERSION) {
		*why = "unknown blob version";
		return -1;
	}
	*pcr = get_le(buf + 12, 4);
	s->pub_len = (u16)get_le(buf + 16, 2);
	s->priv_len = (u16)get_le(buf + 18, 2);
	if (*pcr >= TPM2_NUM_PCRS || s->pub_len > sizeof(s->pub) || s->priv_len > sizeof(s->priv) ||
	    len != SEAL_BLOB_HEADER + (size_t)s->pub_len + s->priv_len) {
		*why = "corrupt blob header";
		return -1;
	}
	memcpy(s->pub, buf + SEAL_BLOB_HEADER, s->pub_len);
	memcpy(s->priv, buf + SEAL_BLOB_HEADER + s->pub_len, s->priv_len);
	return 0;
}
