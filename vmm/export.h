/* vmm/export.h: encryption of guest-memory exports (what leaves Moat when a VM's memory is dumped):
 * AES-256-GCM under a key made fresh for each export session from the VM's key, so that no nonce
 * ever repeats under one key, not even across reboots that restore the same VM key:
 *   session key = HKDF-SHA256(VM key, salt = 16 random bytes, info = "moat export")
 *   block i: nonce = VM id || i || export counter (each 32-bit big-endian), tag 16 bytes,
 *            AAD = what the caller binds the block to (the image header, vmm/smm_image.h).
 * The salt, the VM id and the counter travel in the export's header in clear. */
#ifndef MOAT_EXPORT_H
#define MOAT_EXPORT_H

#include "../kernel/crypto.h"

#define EXPORT_SALT_LEN 16
#define EXPORT_INFO "moat export"

struct export_ctx {
	u8 key[AES256_KEY_LEN];
	u8 salt[EXPORT_SALT_LEN];
	u32 vm_id;
	u32 counter;
};

/* Starts a session for vm_key with the given salt (random, from the TPM or RDRAND), the exported VM's
 * id and its export counter. */
void export_begin(struct export_ctx *x, const u8 vm_key[AES256_KEY_LEN], const u8 salt[EXPORT_SALT_LEN], u32 vm_id,
		  u32 counter);
/* Encrypts buf in place as block number index (a page index); writes the tag. */
void export_seal_block(const struct export_ctx *x, u32 index, const void *aad, size_t aad_len, void *buf, size_t len,
		       u8 tag[GCM_TAG_LEN]);
/* Decrypts block number index in place; 0, or -1 if it was altered (buf is then zeroed). */
int export_open_block(const struct export_ctx *x, u32 index, const void *aad, size_t aad_len, void *buf, size_t len,
		      const u8 tag[GCM_TAG_LEN]);
void export_end(struct export_ctx *x);

#endif
