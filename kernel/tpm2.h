/* kernel/tpm2.h: the TPM 2.0 commands Moat marshals itself (TCG TPM 2.0 Library, parts 2 and 3),
 * over any transport: the CRB or TIS/FIFO MMIO drivers in Moat, or a socket to swtpm in host tests.
 * Every function returns 0, or a negative TPM_E_* code after logging one "moat: tpm: error: ..." line;
 * a TPM response code is kept in t->last_rc. Nothing here waits without a timeout. */
#ifndef MOAT_TPM2_H
#define MOAT_TPM2_H

#include "types.h"

#define TPM2_BUF_SIZE 4096
#define TPM2_HEADER_SIZE 10 /* tag u16, size u32, command code or response code u32 */

/* Structure tags. */
#define TPM2_ST_NO_SESSIONS 0x8001
#define TPM2_ST_SESSIONS 0x8002

/* Command codes. */
#define TPM2_CC_CREATE_PRIMARY 0x00000131
#define TPM2_CC_STARTUP 0x00000144
#define TPM2_CC_CREATE 0x00000153
#define TPM2_CC_LOAD 0x00000157
#define TPM2_CC_UNSEAL 0x0000015e
#define TPM2_CC_FLUSH_CONTEXT 0x00000165
#define TPM2_CC_START_AUTH_SESSION 0x00000176
#define TPM2_CC_GET_RANDOM 0x0000017b
#define TPM2_CC_PCR_READ 0x0000017e
#define TPM2_CC_POLICY_PCR 0x0000017f
#define TPM2_CC_PCR_EXTEND 0x00000182

/* Response codes. Format 1 codes (bit 7) carry a handle, parameter or session number above bit 8. */
#define TPM2_RC_SUCCESS 0x000
#define TPM2_RC_INITIALIZE 0x100 /* TPM2_Startup has not run */
#define TPM2_RC_FMT1 0x080
#define TPM2_RC_FMT1_MASK 0x0bf
#define TPM2_RC_POLICY_FAIL (TPM2_RC_FMT1 + 0x01d)
#define TPM2_RC_RETRY 0x922
#define TPM2_RC_YIELDED 0x908
#define TPM2_RC_TESTING 0x90a

/* Handles. */
#define TPM2_RH_OWNER 0x40000001
#define TPM2_RH_NULL 0x40000007
#define TPM2_RS_PW 0x40000009 /* the password "session" */

#define TPM2_SU_CLEAR 0x0000

/* Algorithms. */
#define TPM2_ALG_AES 0x0006
#define TPM2_ALG_KEYEDHASH 0x0008
#define TPM2_ALG_SHA256 0x000b
#define TPM2_ALG_NULL 0x0010
#define TPM2_ALG_ECC 0x0023
#define TPM2_ALG_CFB 0x0043
#define TPM2_ECC_NIST_P256 0x0003
#define TPM2_AES_STORAGE_BITS 128

#define TPM2_SE_POLICY 0x01

/* TPMA_OBJECT bits. */
#define TPMA_OBJECT_FIXED_TPM BIT(1)
#define TPMA_OBJECT_FIXED_PARENT BIT(4)
#define TPMA_OBJECT_SENSITIVE_DATA_ORIGIN BIT(5)
#define TPMA_OBJECT_USER_WITH_AUTH BIT(6)
#define TPMA_OBJECT_NO_DA BIT(10)
#define TPMA_OBJECT_RESTRICTED BIT(16)
#define TPMA_OBJECT_DECRYPT BIT(17)

#define TPM2_SHA256_LEN 32
#define TPM2_PCR_SELECT_BYTES 3 /* PCRs 0-23 */
#define TPM2_NUM_PCRS 24
#define TPM2_NONCE_LEN 32
#define TPM2_SEALED_MAX 128      /* largest secret Moat seals */
#define TPM2_BLOB_PART_MAX 512   /* TPM2B_PUBLIC / TPM2B_PRIVATE of a sealed object, marshalled */

/* Errors (negative); TPM_E_RC means the TPM answered with a non-zero response code. */
#define TPM_E_TIMEOUT (-1)
#define TPM_E_IO (-2)
#define TPM_E_SIZE (-3)
#define TPM_E_TAG (-4)
#define TPM_E_RC (-5)
#define TPM_E_PARSE (-6)
#define TPM_E_POLICY (-7) /* the sealed object's PCR policy does not hold: measurements changed */

/* Sends cmd and receives at most rsp_cap bytes into rsp; returns 0 or TPM_E_* (the transport logs). */
struct tpm_transport {
	const char *name; /* "crb", "tis", "swtpm" */
	int (*xfer)(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len);
	void *ctx;
};

struct tpm2 {
	struct tpm_transport tr;
	u32 last_rc;
	u8 cmd[TPM2_BUF_SIZE];
	u8 rsp[TPM2_BUF_SIZE];
};

/* A sealed object as TPM2_Create returned it: marshalled TPM2B_PUBLIC and TPM2B_PRIVATE. */
struct tpm2_sealed {
	u16 pub_len;
	u16 priv_len;
	u8 pub[TPM2_BLOB_PART_MAX];
	u8 priv[TPM2_BLOB_PART_MAX];
};

void tpm2_init(struct tpm2 *t, const struct tpm_transport *tr);

/* Sends TPM2_Startup(CLEAR) when the TPM says it was not started (firmware without TPM support). */
int tpm2_ensure_started(struct tpm2 *t);
int tpm2_startup(struct tpm2 *t, u16 type);
int tpm2_get_random(struct tpm2 *t, void *out, size_t len);
int tpm2_pcr_extend(struct tpm2 *t, u32 pcr, const u8 digest[TPM2_SHA256_LEN]);
int tpm2_pcr_read(struct tpm2 *t, u32 pcr, u8 out[TPM2_SHA256_LEN]);
/* The storage primary key under the owner hierarchy (ECC P-256, AES-128-CFB; the same template
 * always gives the same key from the same seed). Empty owner authorization. */
int tpm2_create_primary_storage(struct tpm2 *t, u32 *handle);
/* A keyed-hash object holding secret, usable only through policy (userWithAuth clear). */
int tpm2_create_sealed(struct tpm2 *t, u32 parent, const u8 policy[TPM2_SHA256_LEN], const void *secret,
		       size_t len, struct tpm2_sealed *out);
int tpm2_load(struct tpm2 *t, u32 parent, const struct tpm2_sealed *obj, u32 *handle);
int tpm2_start_policy_session(struct tpm2 *t, u32 *session);
int tpm2_policy_pcr(struct tpm2 *t, u32 session, u32 pcr);
/* TPM_E_POLICY when the session's policy does not match the object's. */
int tpm2_unseal(struct tpm2 *t, u32 item, u32 session, void *out, size_t cap, size_t *len);
int tpm2_flush_context(struct tpm2 *t, u32 handle);

/* policyDigest of "PolicyPCR(SHA-256 bank, {pcr}) with the PCR at pcr_value", from a zero digest. */
void tpm2_policy_pcr_digest(u32 pcr, const u8 pcr_value[TPM2_SHA256_LEN], u8 out[TPM2_SHA256_LEN]);
/* new = SHA-256(old || digest), what TPM2_PCR_Extend does to the SHA-256 bank. */
void tpm2_extend_value(u8 pcr_value[TPM2_SHA256_LEN], const u8 digest[TPM2_SHA256_LEN]);

#endif
