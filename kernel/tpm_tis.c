/* kernel/tpm_tis.c: the TIS / PTP FIFO interface (PC Client PTP spec, section 6.4): request
 * locality 0 through TPM_ACCESS, set commandReady, write the command through the data FIFO in
 * bursts of burstCount bytes (checking Expect before the last byte and after it), set tpmGo, wait
 * for dataAvail, read the header, then the rest of the response (bounded by its size field and the
 * caller's buffer), check that no data is left, return to ready and relinquish the locality. */
#include "tpm_mmio.h"
#include "cpu.h"
#include "log.h"

#define TIS_ACCESS 0x00
#define TIS_ACCESS_REQUEST_USE BIT(1)
#define TIS_ACCESS_ACTIVE_LOCALITY BIT(5)
#define TIS_ACCESS_VALID BIT(7)
#define TIS_STS 0x18
#define TIS_STS_EXPECT BIT(3)
#define TIS_STS_DATA_AVAIL BIT(4)
#define TIS_STS_GO BIT(5)
#define TIS_STS_COMMAND_READY BIT(6)
#define TIS_STS_VALID BIT(7)
#define TIS_STS_BURST_SHIFT 8 /* bits 23:8 */
#define TIS_STS_BURST_MASK 0xffffu
#define TIS_DATA_FIFO 0x24

static int fail(const char *what)
{
	pr_err("tpm", "tis: %s", what);
	return TPM_E_TIMEOUT;
}

/* Bytes the FIFO takes or gives now, waiting up to timeout A for a non-zero count; 0 on timeout. */
static u32 burst(u64 b)
{
	u64 end = tpm_deadline(TPM_TIMEOUT_A_MS);
	for (;;) {
		u32 n = (mmio_read32(b + TIS_STS) >> TIS_STS_BURST_SHIFT) & TIS_STS_BURST_MASK;
		if (n || tpm_expired(end))
			return n;
		cpu_relax();
	}
}

static int send(u64 b, const u8 *cmd, size_t len)
{
	mmio_write8(b + TIS_STS, TIS_STS_COMMAND_READY);
	if (!tpm_wait8(b + TIS_STS, TIS_STS_COMMAND_READY, TIS_STS_COMMAND_READY, TPM_TIMEOUT_B_MS))
		return fail("timeout waiting for commandReady");
	size_t i = 0;
	while (i < len - 1) {
		u32 n = burst(b);
		if (!n)
			return fail("burst count stays 0 while sending");
		for (; n && i < len - 1; n--)
			mmio_write8(b + TIS_DATA_FIFO, cmd[i++]);
		if (!tpm_wait8(b + TIS_STS, TIS_STS_VALID, TIS_STS_VALID, TPM_TIMEOUT_A_MS))
			return fail("timeout waiting for stsValid");
		if (!(mmio_read8(b + TIS_STS) & TIS_STS_EXPECT))
			return fail("TPM stopped expecting command bytes early");
	}
	mmio_write8(b + TIS_DATA_FIFO, cmd[i]);
	if (!tpm_wait8(b + TIS_STS, TIS_STS_VALID, TIS_STS_VALID, TPM_TIMEOUT_A_MS))
		return fail("timeout waiting for stsValid");
	if (mmio_read8(b + TIS_STS) & TIS_STS_EXPECT)
		return fail("TPM expects more bytes than the command has");
	mmio_write8(b + TIS_STS, TIS_STS_GO);
	return 0;
}

static int recv_bytes(u64 b, u8 *dst, size_t len)
{
	size_t i = 0;
	while (i < len) {
		if (!tpm_wait8(b + TIS_STS, TIS_STS_VALID | TIS_STS_DATA_AVAIL, TIS_STS_VALID | TIS_STS_DATA_AVAIL,
			       TPM_TIMEOUT_A_MS))
			return fail("response ended early");
		u32 n = burst(b);
		if (!n)
			return fail("burst count stays 0 while receiving");
		for (; n && i < len; n--)
			dst[i++] = mmio_read8(b + TIS_DATA_FIFO);
	}
	return 0;
}

static int run(u64 b, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len)
{
	const u8 active = TIS_ACCESS_VALID | TIS_ACCESS_ACTIVE_LOCALITY;
	mmio_write8(b + TIS_ACCESS, TIS_ACCESS_REQUEST_USE);
	if (!tpm_wait8(b + TIS_ACCESS, active, active, TPM_TIMEOUT_A_MS))
		return fail("timeout requesting locality 0");
	if (cmd_len < TPM2_HEADER_SIZE)
		return TPM_E_SIZE;
	int e = send(b, cmd, cmd_len);
	if (e)
		return e;
	const u8 ready = TIS_STS_VALID | TIS_STS_DATA_AVAIL;
	if (!tpm_wait8(b + TIS_STS, ready, ready, TPM_TIMEOUT_CMD_MS))
		return fail("timeout waiting for the response");
	if ((e = recv_bytes(b, rsp, TPM2_HEADER_SIZE)) != 0)
		return e;
	u32 size = (u32)rsp[2] << 24 | (u32)rsp[3] << 16 | (u32)rsp[4] << 8 | rsp[5];
	if (size < TPM2_HEADER_SIZE || size > rsp_cap) {
		pr_err("tpm", "tis: response size %u out of bounds (room %llu)", size, (u64)rsp_cap);
		return TPM_E_SIZE;
	}
	if ((e = recv_bytes(b, rsp + TPM2_HEADER_SIZE, size - TPM2_HEADER_SIZE)) != 0)
		return e;
	if (!tpm_wait8(b + TIS_STS, TIS_STS_VALID, TIS_STS_VALID, TPM_TIMEOUT_A_MS) ||
	    (mmio_read8(b + TIS_STS) & TIS_STS_DATA_AVAIL)) {
		pr_err("tpm", "tis: TPM has more response bytes than its size field says");
		return TPM_E_SIZE;
	}
	*rsp_len = size;
	return 0;
}

int tpm_tis_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len)
{
	struct tpm_mmio *m = ctx;
	int e = run(m->base, cmd, cmd_len, rsp, rsp_cap, rsp_len);
	mmio_write8(m->base + TIS_STS, TIS_STS_COMMAND_READY); /* abort or finish: back to idle */
	mmio_write8(m->base + TIS_ACCESS, TIS_ACCESS_ACTIVE_LOCALITY); /* relinquish */
	return e;
}
