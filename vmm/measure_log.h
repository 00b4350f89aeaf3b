/* vmm/measure_log.h: prints the measured-launch event log that boot/measure.c recorded and checks
 * it against the TPM. */
#ifndef MOAT_MEASURE_LOG_H
#define MOAT_MEASURE_LOG_H

#include "../kernel/boot_info.h"
#include "../kernel/tpm2.h"

/* The PCR value the event log predicts: pcr_before extended with every event's digest. */
void measure_replay(const struct boot_measure *m, u8 out[BOOT_DIGEST_LEN]);

/* One line per event, then the PCR line: the replayed value and whether the TPM (t, may be NULL)
 * holds it now. Returns false if the TPM disagrees with the log. */
bool measure_report(const struct boot_measure *m, struct tpm2 *t);

#endif
