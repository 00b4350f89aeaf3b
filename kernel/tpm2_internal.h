/* kernel/tpm2_internal.h: command framing shared by the kernel/tpm2_*.c command files. */
#ifndef MOAT_TPM2_INTERNAL_H
#define MOAT_TPM2_INTERNAL_H

#include "tpm2.h"
#include "tpm2_buf.h"

/* Starts a command in t->cmd: header with a size to be patched by tpm2_exec. */
void tpm2_begin(struct tpm2 *t, struct tpm2_out *o, u16 tag, u32 cc);
/* One authorization area with the password session and an empty password. */
void tpm2_auth_pw(struct tpm2_out *o);
/* One authorization area naming a policy session (no HMAC: the policy asks for no authValue). */
void tpm2_auth_policy(struct tpm2_out *o, u32 session);

#define TPM2_EXEC_QUIET_RC 1 /* the caller reports a non-zero response code itself */

/* Sends the command, checks the response's size, tag and code; on success *rsp reads what follows
 * the header. what names the command in error lines ("TPM2_GetRandom"). */
int tpm2_exec(struct tpm2 *t, struct tpm2_out *o, const char *what, unsigned flags, struct tpm2_in *rsp);
/* In a TPM2_ST_SESSIONS response, after the handles: limits *rsp to the parameter area. */
void tpm2_rsp_params(struct tpm2_in *rsp);

/* TPML_PCR_SELECTION with one SHA-256 selection of a single PCR. */
void tpm2_out_pcr_select(struct tpm2_out *o, u32 pcr);

#endif
