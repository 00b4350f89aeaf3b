/* vmm/keys.c: the key table (vmm/keys.h). At start it takes the master secret boot/ left in
 * bi->measure, wipes that copy, derives one key per configured VM and says where the keys come from:
 *   moat: keys: master secret created from TPM randomness, sealed to PCR 8, stored in \moat\sealed.bin
 *   moat: keys: master secret unsealed from \moat\sealed.bin (PCR 8 matches)
 *   moat: keys: unseal refused: <why>; nothing restored, this boot uses an ephemeral key
 *   moat: keys: warning: no TPM: ephemeral master key from RDRAND; exports won't survive a reboot
 * followed by "moat: keys: master id XXXXXXXX, N VM keys (HKDF-SHA256)" and one id line per VM. */
#include "keys.h"
#include "../kernel/log.h"
#include "../kernel/rdrand.h"
#include "../kernel/string.h"

struct key_entry {
	char name[CFG_NAME_MAX + 1];
	u8 key[KEY_LEN];
};

static struct key_entry table[CFG_MAX_VMS];
static u32 nkeys;
static enum keys_source source;

void keys_derive(const u8 master[KEY_LEN], const char *vm_name, u8 out[KEY_LEN])
{
	hkdf_sha256(master, KEY_LEN, NULL, 0, vm_name, strlen(vm_name), out, KEY_LEN);
}

void keys_id(const u8 key[KEY_LEN], char out[2 * KEY_ID_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";
	u8 h[SHA256_LEN];
	sha256(key, KEY_LEN, h);
	for (int i = 0; i < KEY_ID_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 0xf];
	}
	out[2 * KEY_ID_LEN] = 0;
}

/* The master for this boot only, when the TPM gave none. */
static bool ephemeral(u8 master[KEY_LEN])
{
	source = KEYS_EPHEMERAL;
	if (rdrand_fill(master, KEY_LEN))
		return true;
	pr_err("keys", "no RDRAND either: no key can be made; exports are disabled");
	source = KEYS_NONE;
	return false;
}

/* Says where the master comes from; false when it must come from RDRAND instead. */
static bool report_state(const struct boot_measure *m, bool *refuse, bool tpm_required)
{
	*refuse = false;
	switch (m->key_state) {
	case BOOT_KEY_CREATED:
		pr_info("keys", "master secret created from TPM randomness, sealed to PCR %u, stored in \\moat\\sealed.bin",
			m->pcr);
		return true;
	case BOOT_KEY_UNSEALED:
		pr_info("keys", "master secret unsealed from \\moat\\sealed.bin (PCR %u matches)", m->pcr);
		return true;
	case BOOT_KEY_UNSTORED:
		pr_warn("keys", "master secret sealed but not stored (%s): exports won't survive a reboot", m->note);
		return true;
	case BOOT_KEY_REFUSED:
		pr_info("keys", "unseal refused: Moat, its config or a guest image changed since the secret was sealed (%s); "
			"nothing restored, this boot uses an ephemeral key", m->note);
		return false;
	default:
		break;
	}
	if (m->tpm_state != BOOT_TPM_USED) {
		if (tpm_required) {
			pr_err("keys", "tpm = required but there is no usable TPM%s%s: not starting", m->note[0] ? ": " : "",
			       m->note);
			*refuse = true;
			return false;
		}
		pr_warn("keys", "no TPM: ephemeral master key from RDRAND; exports won't survive a reboot");
	} else {
		pr_warn("keys", "%s: ephemeral master key from RDRAND; exports won't survive a reboot",
			m->note[0] ? m->note : "no master secret from the TPM");
	}
	return false;
}

bool keys_init(const struct kernel_ctx *k, bool tpm_required)
{
	/* The boot info is the kernel's to read; the master's copy in it is wiped once taken. */
	struct boot_measure *m = (struct boot_measure *)&k->boot->measure;
	u8 master[KEY_LEN];
	bool refuse;
	nkeys = 0;
	if (report_state(m, &refuse, tpm_required)) {
		memcpy(master, m->master, KEY_LEN);
		source = m->key_state == BOOT_KEY_UNSTORED ? KEYS_EPHEMERAL : KEYS_SEALED;
	} else if (refuse || !ephemeral(master)) {
		crypto_wipe(m->master, KEY_LEN);
		return !refuse;
	}
	crypto_wipe(m->master, KEY_LEN);

	char id[2 * KEY_ID_LEN + 1];
	keys_id(master, id);
	for (u32 i = 0; i < k->cfg->nvms && i < CFG_MAX_VMS; i++) {
		strlcpy(table[i].name, k->cfg->vms[i].name, sizeof(table[i].name));
		keys_derive(master, table[i].name, table[i].key);
		nkeys++;
	}
	crypto_wipe(master, KEY_LEN);
	pr_info("keys", "master id %s, %u VM keys (HKDF-SHA256)", id, nkeys);
	for (u32 i = 0; i < nkeys; i++) {
		keys_id(table[i].key, id);
		pr_info("keys", "vm %s: key id %s", table[i].name, id);
	}
	return true;
}

enum keys_source keys_source(void) { return source; }

bool keys_vm_key(const char *name, u8 out[KEY_LEN])
{
	for (u32 i = 0; i < nkeys; i++) {
		if (strcmp(table[i].name, name) == 0) {
			memcpy(out, table[i].key, KEY_LEN);
			return true;
		}
	}
	return false;
}
