/* kernel/tpm_seal.h: sealing a secret to one PCR and unsealing it, and the file format of the sealed
 * blob that boot/ keeps on the ESP as \moat\sealed.bin:
 *   "MOATSEAL" | u32 version | u32 pcr | u16 pub_len | u16 priv_len | TPM2B_PUBLIC | TPM2B_PRIVATE
 * (little-endian header; the TPM structures as the TPM marshalled them). The blob is only useful to
 * the TPM that created it, and only while the PCR holds the value it was sealed to. */
#ifndef MOAT_TPM_SEAL_H
#define MOAT_TPM_SEAL_H

#include "tpm2.h"

#define SEAL_BLOB_MAGIC "MOATSEAL"
#define SEAL_BLOB_MAGIC_LEN 8
#define SEAL_BLOB_VERSION 1
#define SEAL_BLOB_HEADER (SEAL_BLOB_MAGIC_LEN + 4 + 4 + 2 + 2)
#define SEAL_BLOB_MAX (SEAL_BLOB_HEADER + 2 * TPM2_BLOB_PART_MAX)

/* Seals secret under the storage primary key to PCR pcr's current SHA-256 value. Flushes every
 * handle it created. Returns 0 or TPM_E_*. */
int tpm_seal(struct tpm2 *t, u32 pcr, const void *secret, size_t len, struct tpm2_sealed *out);
/* Unseals; TPM_E_POLICY when the PCR no longer holds the sealed-to value. Flushes its handles. */
int tpm_unseal(struct tpm2 *t, u32 pcr, const struct tpm2_sealed *in, void *secret, size_t cap, size_t *len);

/* Writes the blob file; returns its length, or 0 if buf is too small. */
size_t seal_blob_write(u32 pcr, const struct tpm2_sealed *s, u8 *buf, size_t cap);
/* Parses a blob file; returns 0, or -1 with a reason in *why. */
int seal_blob_read(const u8 *buf, size_t len, u32 *pcr, struct tpm2_sealed *s, const char **why);

#endif
