/* vmm/vms.h: starting the VMs that moat.cfg describes: the memory check over all of them,
 * VMX on (on every CPU a VM is pinned to), each VM created by the boot CPU for its CPU, then the
 * scheduler on every such CPU until every VM has stopped. */
#ifndef MOAT_VMS_H
#define MOAT_VMS_H

#include "../kernel/kernel.h"
#include "vmx_caps.h"

/* Records the probed VMX capabilities (NULL when VMX is unusable) for vms_run and self-tests. */
void vms_set_caps(const struct vmx_caps *caps);
const struct vmx_caps *vms_caps(void);

/* Starts and runs the configured VMs; returns when all have stopped, on every CPU. Returns false when the
 * config was refused (no VM ran). */
bool vms_run(const struct kernel_ctx *k);

/* The boot file named name, or NULL. */
const struct boot_file *vms_find_image(const struct boot_info *bi, const char *name);

#endif
