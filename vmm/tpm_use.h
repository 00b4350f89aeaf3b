/* vmm/tpm_use.h: the hypervisor's handle on the TPM after ExitBootServices (the same CRB/TIS driver
 * and TPM2 code boot/ used before exit), for the PCR check and the self-tests. */
#ifndef MOAT_TPM_USE_H
#define MOAT_TPM_USE_H

#include "../kernel/tpm.h"
#include "../kernel/tpm2.h"

/* Opens the TPM tpm_probe() found; NULL (after a line saying why) if there is none or it fails. */
struct tpm2 *tpm_use_open(const struct tpm_info *info);
/* The TPM opened above, or NULL. */
struct tpm2 *tpm_use(void);

#endif
