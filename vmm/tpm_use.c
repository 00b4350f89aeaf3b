/* vmm/tpm_use.c: opens the TPM once for the hypervisor layer (see vmm/tpm_use.h). */
#include "tpm_use.h"
#include "../kernel/log.h"
#include "../kernel/tpm_mmio.h"

static struct tpm_mmio mmio;
static struct tpm2 tpm;
static bool open_ok;

struct tpm2 *tpm_use_open(const struct tpm_info *info)
{
	struct tpm_transport tr;
	open_ok = false;
	if (!info->present || tpm_mmio_open(info, &mmio, &tr) != 0)
		return NULL;
	tpm2_init(&tpm, &tr);
	if (tpm2_ensure_started(&tpm) != 0) {
		pr_err("tpm", "the TPM does not answer: not used");
		return NULL;
	}
	open_ok = true;
	return &tpm;
}

struct tpm2 *tpm_use(void) { return open_ok ? &tpm : NULL; }
