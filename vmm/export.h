/* vmm/export.h: encryption of guest-memory exports (what leaves Moat when a VM's memory is dumped):
 * AES-256-GCM under a key made fresh for each export session from the VM's key, so that GCM nonces
 * (a block counter) never repeat under one key, not even across reboots that restore the same VM key:
 *   session key = HKDF-SHA256(VM key, salt = 16 random bytes, info = "moat export")
 *   block i: nonce = 0x00000000 || i (64-bit big-endian), AAD = salt || i, tag 16 bytes.
 * The salt travels in the export's header in clear. */
#ifndef MOAT_EXPORT_H
#define MOAT_EXPORT_H

#include "../kernel/crypto.h"

#define EXPORT_SALT_LEN 16
#define EXPORT_INFO "moat export"

struct export_ctx {
	u8 key[AES256_KEY_LEN];
	u8 salt[EXPORT_SALT_LEN];
	u64 next_block;
};

/* Starts a session for vm_key with the given salt (random, from the TPM or RDRAND). */
void export_begin(struct export_ctx *x, const u8 vm_key[AES256_KEY_LEN], const u8 salt[EXPORT_SALT_LEN]);
/* Encrypts buf in place as block number x->next_block (then increments it); writes the tag. */
u64 export_seal_block(struct export_ctx *x, void *buf, size_t len, u8 tag[GCM_TAG_LEN]);
/* Decrypts block number `block` in place; 0, or -1 if it was altered (buf is then zeroed). */
int export_open_block(const struct export_ctx *x, u64 block, void *buf, size_t len, const u8 tag[GCM_TAG_LEN]);
void export_end(struct export_ctx *x);

#endif
