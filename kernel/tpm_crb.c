/* kernel/tpm_crb.c: the Command Response Buffer interface (PC Client PTP spec, section 6.5):
 * request locality 0, ask for cmdReady, copy the command into the command buffer, set Start, wait for
 * the TPM to clear it, check the error status, copy the response out (size and bounds checked), go
 * idle and relinquish the locality. The buffers must lie in the locality's own 4 KiB page (true of
 * QEMU's tpm-crb and of the PTP's default layout); another layout is refused with a clear line. */
#include "tpm_mmio.h"
#include "cpu.h"
#include "log.h"

#define CRB_LOC_STATE 0x00
#define CRB_LOC_STATE_ASSIGNED BIT(1)
#define CRB_LOC_STATE_ACTIVE_SHIFT 2 /* bits 4:2 */
#define CRB_LOC_STATE_ACTIVE_MASK (0x7u << CRB_LOC_STATE_ACTIVE_SHIFT)
#define CRB_LOC_STATE_VALID BIT(7)
#define CRB_LOC_CTRL 0x08
#define CRB_LOC_CTRL_REQUEST BIT(0)
#define CRB_LOC_CTRL_RELINQUISH BIT(1)
#define CRB_CTRL_REQ 0x40
#define CRB_CTRL_REQ_CMD_READY BIT(0)
#define CRB_CTRL_REQ_GO_IDLE BIT(1)
#define CRB_CTRL_STS 0x44
#define CRB_CTRL_STS_ERROR BIT(0)
#define CRB_CTRL_START 0x4c
#define CRB_CTRL_START_GO BIT(0)
#define CRB_CTRL_CMD_SIZE 0x58
#define CRB_CTRL_CMD_LADDR 0x5c
#define CRB_CTRL_CMD_HADDR 0x60
#define CRB_CTRL_RSP_SIZE 0x64
#define CRB_CTRL_RSP_ADDR 0x68

static bool in_page(const struct tpm_mmio *m, u64 addr, u32 size)
{
	return addr >= m->base && size >= TPM2_HEADER_SIZE && addr + size <= m->base + TPM_LOCALITY_SIZE;
}

int tpm_crb_open(struct tpm_mmio *m)
{
	u64 b = m->base;
	m->cmd_addr = (u64)mmio_read32(b + CRB_CTRL_CMD_HADDR) << 32 | mmio_read32(b + CRB_CTRL_CMD_LADDR);
	m->cmd_size = mmio_read32(b + CRB_CTRL_CMD_SIZE);
	m->rsp_addr = mmio_read64(b + CRB_CTRL_RSP_ADDR);
	m->rsp_size = mmio_read32(b + CRB_CTRL_RSP_SIZE);
	if (!in_page(m, m->cmd_addr, m->cmd_size) || !in_page(m, m->rsp_addr, m->rsp_size)) {
		pr_err("tpm", "crb: buffers at 0x%llx (%u bytes) / 0x%llx (%u bytes) are outside the locality page: not supported",
		       m->cmd_addr, m->cmd_size, m->rsp_addr, m->rsp_size);
		return -1;
	}
	return 0;
}

static int fail(const char *what)
{
	pr_err("tpm", "crb: %s", what);
	return TPM_E_TIMEOUT;
}

static void release(u64 b)
{
	mmio_write32(b + CRB_CTRL_REQ, CRB_CTRL_REQ_GO_IDLE);
	mmio_write32(b + CRB_LOC_CTRL, CRB_LOC_CTRL_RELINQUISH);
}

static int run(struct tpm_mmio *m, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len)
{
	u64 b = m->base;
	const u32 want = CRB_LOC_STATE_VALID | CRB_LOC_STATE_ASSIGNED; /* active locality field 0 */
	mmio_write32(b + CRB_LOC_CTRL, CRB_LOC_CTRL_REQUEST);
	if (!tpm_wait32(b + CRB_LOC_STATE, want | CRB_LOC_STATE_ACTIVE_MASK, want, TPM_TIMEOUT_A_MS))
		return fail("timeout requesting locality 0");
	mmio_write32(b + CRB_CTRL_REQ, CRB_CTRL_REQ_CMD_READY);
	if (!tpm_wait32(b + CRB_CTRL_REQ, CRB_CTRL_REQ_CMD_READY, 0, TPM_TIMEOUT_B_MS))
		return fail("timeout waiting for cmdReady");
	if (mmio_read32(b + CRB_CTRL_STS) & CRB_CTRL_STS_ERROR)
		return fail("TPM reports a fatal error (tpmSts)");
	if (cmd_len > m->cmd_size) {
		pr_err("tpm", "crb: command of %llu bytes exceeds the %u-byte buffer", (u64)cmd_len, m->cmd_size);
		return TPM_E_SIZE;
	}
	for (size_t i = 0; i < cmd_len; i++)
		mmio_write8(m->cmd_addr + i, cmd[i]);
	mmio_write32(b + CRB_CTRL_START, CRB_CTRL_START_GO);
	if (!tpm_wait32(b + CRB_CTRL_START, CRB_CTRL_START_GO, 0, TPM_TIMEOUT_CMD_MS))
		return fail("timeout waiting for the command to complete");
	if (mmio_read32(b + CRB_CTRL_STS) & CRB_CTRL_STS_ERROR)
		return fail("TPM reports a fatal error after the command");

	for (size_t i = 0; i < TPM2_HEADER_SIZE; i++)
		rsp[i] = mmio_read8(m->rsp_addr + i);
	u32 size = (u32)rsp[2] << 24 | (u32)rsp[3] << 16 | (u32)rsp[4] << 8 | rsp[5];
	if (size < TPM2_HEADER_SIZE || size > m->rsp_size || size > rsp_cap) {
		pr_err("tpm", "crb: response size %u out of bounds (buffer %u, room %llu)", size, m->rsp_size, (u64)rsp_cap);
		return TPM_E_SIZE;
	}
	for (size_t i = TPM2_HEADER_SIZE; i < size; i++)
		rsp[i] = mmio_read8(m->rsp_addr + i);
	*rsp_len = size;
	return 0;
}

int tpm_crb_xfer(void *ctx, const u8 *cmd, size_t cmd_len, u8 *rsp, size_t rsp_cap, size_t *rsp_len)
{
	struct tpm_mmio *m = ctx;
	if (rsp_cap < TPM2_HEADER_SIZE)
		return TPM_E_SIZE;
	int e = run(m, cmd, cmd_len, rsp, rsp_cap, rsp_len);
	release(m->base);
	return e;
}
