/* vmm/main.c: hv_main, the hypervisor layer's start: finds the IOMMU, the PCI devices, the TPM and
 * VMX, prints "moat: ready", runs the configured self-tests, then idles or powers off. */
#include "../kernel/kernel.h"
#include "../kernel/cpu.h"
#include "../kernel/log.h"
#include "../kernel/machine_exit.h"
#include "../kernel/pci.h"
#include "../kernel/tpm.h"
#include "../iommu/iommu.h"
#include "keys.h"
#include "measure_log.h"
#include "selftest.h"
#include "tpm_use.h"
#include "vmx_caps.h"
#include "vms.h"

static struct vmx_caps vmx;
static struct tpm_info tpm;

static void pci_start(const struct acpi_info *ai)
{
	struct pci_ecam_seg segs[ACPI_MAX_MCFG];
	u32 n = 0;
	for (u32 i = 0; i < ai->nmcfg && i < ACPI_MAX_MCFG; i++) {
		segs[n].base = ai->mcfg[i].base;
		segs[n].segment = ai->mcfg[i].segment;
		segs[n].bus_start = ai->mcfg[i].bus_start;
		segs[n].bus_end = ai->mcfg[i].bus_end;
		n++;
	}
	pci_init(segs, n);
}

void hv_main(const struct kernel_ctx *k)
{
	iommu_probe(k->acpi);
	pci_start(k->acpi);
	iommu_enable(!k->cfg->iommu_qi_off); /* bus mastering is off: translation on, every function blocked */
	tpm_probe(k->acpi->have_tpm2, k->acpi->tpm2_start_method, k->acpi->tpm2_control_area, &tpm);
	measure_report(&k->boot->measure, tpm_use_open(&tpm));
	if (!keys_init(k, k->cfg->tpm_required)) {
		machine_exit_fail();
		machine_poweroff();
	}
	vms_set_caps(vmx_probe(&vmx) ? &vmx : NULL);
	log_plain("ready");
	if (k->cfg->selftest_iommu)
		selftest_iommu_boot(k); /* selftest = iommu: NIC DMA through the IOMMU */

	if (k->cfg->ntests) {
		struct selftest_result r = {0, 0};
		selftest_run(k, &r);
		if (r.failed) {
			machine_exit_fail();
			machine_poweroff();
		}
		machine_exit_pass();
	}
	if (k->cfg->nvms) {
		if (!vms_run(k))
			machine_exit_fail();
		else if (k->cfg->emulator_exit)
			machine_exit_pass();
	}
	if (k->cfg->on_ready == CFG_ON_READY_POWEROFF)
		machine_poweroff();
	for (;;) {
		irq_enable();
		cpu_hlt();
	}
}
