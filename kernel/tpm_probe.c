/* kernel/tpm_probe.c: finds a TPM 2.0 and tells CRB from TIS/FIFO by its interface id register.
 * Read-only: no locality is requested and nothing is written. */
#include <stdarg.h>
#include "tpm.h"
#include "cpu.h"
#include "fmt.h"
#include "log.h"
#include "string.h"

#define TPM_REASON_MAX 128

static const char *iface_name(enum tpm_iface i)
{
	return i == TPM_IFACE_CRB ? "crb" : "tis";
}

static bool id_absent(u32 v)
{
	return v == 0 || v == ~0u;
}

/* Logs "none; <reason>" and leaves out saying "no TPM". */
static void __printf(2, 3) none(struct tpm_info *out, const char *fmt, ...)
{
	char why[TPM_REASON_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	out->present = false;
	out->iface = TPM_IFACE_NONE;
	pr_info("tpm", "none; %s", why);
}

/* Where to look, from the TPM2 table. Returns false (after logging why) when Moat cannot use it. */
static bool choose_base(bool have_table, u32 method, u64 control_area, u64 *base, struct tpm_info *out)
{
	*base = TPM_DEFAULT_BASE;
	if (!have_table)
		return true;
	switch (method) {
	case TPM2_START_TIS:
		return true;
	case TPM2_START_CRB:
		if (control_area == 0) {
			none(out, "TPM2 table: CRB without a control area");
			return false;
		}
		*base = ALIGN_DOWN(control_area, TPM_LOCALITY_SIZE);
		return true;
	case TPM2_START_ACPI:
	case TPM2_START_CRB_ACPI:
		none(out, "TPM2 table: start method %u needs ACPI calls (not supported)", method);
		return false;
	default:
		none(out, "TPM2 table: unsupported start method %u", method);
		return false;
	}
}

void tpm_probe_regs(bool have_acpi_table, u32 start_method, u64 control_area, u32 (*read32)(u64 addr),
		    struct tpm_info *out)
{
	u64 base;

	memset(out, 0, sizeof(*out));
	if (!choose_base(have_acpi_table, start_method, control_area, &base, out))
		return;
	out->base = base;
	out->intf_id = read32(base + TPM_INTERFACE_ID);
	u32 type = out->intf_id & TPM_INTF_TYPE_MASK;

	if (type == TPM_INTF_TYPE_CRB) {
		/* CRB exists only for TPM 2.0. */
		out->did_vid = read32(base + TPM_CRB_INTF_ID_HI);
		if (id_absent(out->did_vid)) {
			none(out, "CRB interface at 0x%llx has no vendor id", (unsigned long long)base);
			return;
		}
		out->iface = TPM_IFACE_CRB;
	} else if (type == TPM_INTF_TYPE_FIFO || type == TPM_INTF_TYPE_TIS13) {
		out->did_vid = read32(base + TPM_TIS_DID_VID);
		if (id_absent(out->did_vid)) {
			none(out, "nothing answers at 0x%llx", (unsigned long long)base);
			return;
		}
		/* The family is in the capability register: TPM 1.2 parts may read 0 at the (then
		 * reserved) interface id, so a FIFO type alone does not prove TPM 2.0. */
		u32 cap = read32(base + TPM_TIS_INTF_CAPABILITY);
		u32 ver = (cap >> TPM_TIS_INTF_VERSION_SHIFT) & TPM_TIS_INTF_VERSION_MASK;
		if (ver != TPM_TIS_INTF_VERSION_1_3_TPM2) {
			none(out, "TPM 1.2 at 0x%llx (TIS interface version %u); Moat needs TPM 2.0",
			     (unsigned long long)base, ver);
			return;
		}
		out->iface = TPM_IFACE_TIS;
	} else {
		none(out, "unknown interface type 0x%x at 0x%llx", type, (unsigned long long)base);
		return;
	}

	out->present = true;
	pr_info("tpm", "TPM 2.0 over %s at 0x%llx", iface_name(out->iface), (unsigned long long)base);
	pr_debug("tpm", "vendor %04x device %04x interface id 0x%08x", out->did_vid & TPM_VID_MASK,
		 out->did_vid >> TPM_DID_SHIFT, out->intf_id);
}

static u32 tpm_mmio_read32(u64 addr)
{
	return mmio_read32(addr);
}

void tpm_probe(bool have_acpi_table, u32 start_method, u64 control_area, struct tpm_info *out)
{
	tpm_probe_regs(have_acpi_table, start_method, control_area, tpm_mmio_read32, out);
}
