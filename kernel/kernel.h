/* kernel/kernel.h: what the kernel hands to the hypervisor layer once the machine is its own.
 * hv_main() is defined above the kernel (vmm/main.c); the kernel only declares it. */
#ifndef MOAT_KERNEL_H
#define MOAT_KERNEL_H

#include "types.h"
#include "acpi.h"
#include "boot_info.h"
#include "config.h"

struct kernel_ctx {
	const struct boot_info *boot;
	const struct acpi_info *acpi;
	const struct moat_config *cfg;
	u32 cpus_online;
	u32 cpus_expected; /* enabled CPUs in the MADT, 1 without one */
};

void hv_main(const struct kernel_ctx *k) __noreturn;

#endif
