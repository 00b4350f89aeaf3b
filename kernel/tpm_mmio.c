/* kernel/tpm_mmio.c: chooses the CRB or TIS driver, and the bounded register polls both use
 * (timed with the TSC: boot/ calibrates it before talking to the TPM, the kernel at start). */
#include "tpm_mmio.h"
#include "cpu.h"
#include "log.h"
#include "tsc.h"

#define MS_PER_S 1000

u64 tpm_deadline(u64 ms) { return rdtsc() + tsc_hz() / MS_PER_S * ms; }

bool tpm_expired(u64 deadline) { return rdtsc() > deadline; }

bool tpm_wait32(u64 addr, u32 mask, u32 want, u64 ms)
{
	u64 end = tpm_deadline(ms);
	for (;;) {
		if ((mmio_read32(addr) & mask) == want)
			return true;
		if (tpm_expired(end))
			return (mmio_read32(addr) & mask) == want;
		cpu_relax();
	}
}

bool tpm_wait8(u64 addr, u8 mask, u8 want, u64 ms)
{
	u64 end = tpm_deadline(ms);
	for (;;) {
		if ((mmio_read8(addr) & mask) == want)
			return true;
		if (tpm_expired(end))
			return (mmio_read8(addr) & mask) == want;
		cpu_relax();
	}
}

int tpm_mmio_open(const struct tpm_info *info, struct tpm_mmio *m, struct tpm_transport *tr)
{
	m->base = info->base;
	if (!info->present)
		return -1;
	if (info->iface == TPM_IFACE_CRB) {
		if (tpm_crb_open(m) != 0)
			return -1;
		*tr = (struct tpm_transport){"crb", tpm_crb_xfer, m};
		return 0;
	}
	*tr = (struct tpm_transport){"tis", tpm_tis_xfer, m};
	return 0;
}
