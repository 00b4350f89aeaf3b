/* kernel/tpm_mmio.h: Moat's own TPM drivers over MMIO (CRB and TIS/FIFO, TCG PC Client PTP spec).
 * tpm_mmio_open() picks the driver for what tpm_probe() found and fills a tpm_transport that
 * kernel/tpm2_*.c send commands through. Each transfer requests locality 0, runs one command and
 * releases the locality again; every wait is bounded (TPM_TIMEOUT_* below) and a timeout, a fatal
 * status or a malformed response is one "moat: tpm: error: ..." line and an error return. */
#ifndef MOAT_TPM_MMIO_H
#define MOAT_TPM_MMIO_H

#include "tpm.h"
#include "tpm2.h"

/* PTP timeouts (ms): A for locality and status changes, B for "ready", a generous bound for command
 * execution (key generation on a slow TPM takes seconds). */
#define TPM_TIMEOUT_A_MS 750
#define TPM_TIMEOUT_B_MS 2000
#define TPM_TIMEOUT_CMD_MS 30000

struct tpm_mmio {
	u64 base; /* locality 0 */
	u64 cmd_addr, rsp_addr; /* CRB buffers */
	u32 cmd_size, rsp_size;
};

/* Returns 0 and fills *tr, or -1 (logged) if the interface is unusable. */
int tpm_mmio_open(const struct tpm_info *info, struct tpm_mmio *m, struct tpm_transport *tr);

int tpm_crb_open(struct tpm_mmio *m);
int tpm_crb_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len);
int tpm_tis_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len);

/* A TSC deadline ms from now, and whether it has passed. */
u64 tpm_deadline(u64 ms);
bool tpm_expired(u64 deadline);

/* Polls until (read32(addr) & mask) == want or ms pass; returns true on success. */
bool tpm_wait32(u64 addr, u32 mask, u32 want, u64 ms);
bool tpm_wait8(u64 addr, u8 mask, u8 want, u64 ms);

#endif
