/* vmm/measure_log.c: the event log of Moat's measured launch, printed at start:
 *   moat: measure: pcr 8: sha256 <64 hex> moat.efi (N bytes)
 *   moat: measure: pcr 8: sha256 <64 hex> moat.cfg (esp) (N bytes)
 *   moat: measure: pcr 8: sha256 <64 hex> image hello.elf (N bytes)
 *   moat: measure: pcr 8 = <64 hex>: matches the event log (3 events)
 * The PCR is read again here, after ExitBootServices, with Moat's own driver, and compared with the
 * value the log predicts (its value before Moat's first extend, extended with each digest). */
#include "measure_log.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

#define HEX_LEN (2 * BOOT_DIGEST_LEN + 1)

static void hex(const u8 *d, char out[HEX_LEN])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < BOOT_DIGEST_LEN; i++) {
		out[2 * i] = digits[d[i] >> 4];
		out[2 * i + 1] = digits[d[i] & 0xf];
	}
	out[2 * BOOT_DIGEST_LEN] = 0;
}

void measure_replay(const struct boot_measure *m, u8 out[BOOT_DIGEST_LEN])
{
	memcpy(out, m->pcr_before, BOOT_DIGEST_LEN);
	for (u32 i = 0; i < m->nevents && i < BOOT_MAX_EVENTS; i++)
		tpm2_extend_value(out, m->events[i].digest);
}

bool measure_report(const struct boot_measure *m, struct tpm2 *t)
{
	char h[HEX_LEN];
	for (u32 i = 0; i < m->nevents && i < BOOT_MAX_EVENTS; i++) {
		const struct boot_event *e = &m->events[i];
		hex(e->digest, h);
		pr_info("measure", "pcr %u: sha256 %s %s (%u bytes)", e->pcr, h, e->desc, e->size);
	}
	if (m->tpm_state == BOOT_TPM_NONE) {
		pr_warn("measure", "no TPM: %u measurements logged but not extended into a PCR", m->nevents);
		return true;
	}
	if (m->tpm_state == BOOT_TPM_FAILED) {
		pr_err("measure", "%s", m->note[0] ? m->note : "TPM failure during the measured launch");
		return false;
	}
	u8 want[BOOT_DIGEST_LEN], now[BOOT_DIGEST_LEN];
	measure_replay(m, want);
	hex(want, h);
	if (!t || tpm2_pcr_read(t, m->pcr, now) != 0) {
		pr_warn("measure", "pcr %u = %s by the event log; the TPM cannot be read back now", m->pcr, h);
		return false;
	}
	if (memcmp(now, want, BOOT_DIGEST_LEN) != 0) {
		char g[HEX_LEN];
		hex(now, g);
		pr_err("measure", "pcr %u = %s but the event log gives %s: something else extended it", m->pcr, g, h);
		return false;
	}
	pr_info("measure", "pcr %u = %s: matches the event log (%u events)", m->pcr, h, m->nevents);
	return true;
}
