/* vmm/keys.h: the key table of the secure memory manager: one 256-bit key per VM, derived as
 * HKDF-SHA256(master secret, VM name). The master secret comes from the TPM (sealed to Moat's
 * measurements, see boot/measure.c) or, without one, from RDRAND for this boot only. */
#ifndef MOAT_KEYS_H
#define MOAT_KEYS_H

#include "../kernel/kernel.h"
#include "../kernel/crypto.h"

#define KEY_LEN 32
#define KEY_ID_LEN 4 /* bytes of SHA-256(key) printed as its id; never the key itself */

enum keys_source {
	KEYS_NONE = 0,
	KEYS_SEALED,    /* master unsealed or newly sealed: VM keys survive a reboot */
	KEYS_EPHEMERAL, /* no TPM, refused unseal, or not stored: this boot only */
};

/* Builds the table from bi->measure (and wipes the master there). Prints the key state in lines
 * "moat: keys: ...". Returns false when Moat must not start: `tpm = required` and no usable TPM. */
bool keys_init(const struct kernel_ctx *k, bool tpm_required);

enum keys_source keys_source(void);
/* The key of the VM named name (from the config); false if there is no such VM. */
bool keys_vm_key(const char *name, u8 out[KEY_LEN]);
/* Derives a VM key from a master secret (what keys_init does per VM; tests use it directly). */
void keys_derive(const u8 master[KEY_LEN], const char *vm_name, u8 out[KEY_LEN]);
/* A short public id of a key: hex of the first KEY_ID_LEN bytes of SHA-256(key). */
void keys_id(const u8 key[KEY_LEN], char out[2 * KEY_ID_LEN + 1]);

#endif
