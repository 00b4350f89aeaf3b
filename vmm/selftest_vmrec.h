/* vmm/selftest_vmrec.h: VM records for the QEMU suites that exercise device assignment without VMX
 * (selftest_assign.c, selftest_assign_alias.c, selftest_rmrr.c): a vm_table slot with RAM recorded
 * as the VM's in the frame ownership table, but no vCPU; and the small checks those suites share. */
#ifndef MOAT_SELFTEST_VMREC_H
#define MOAT_SELFTEST_VMREC_H

#include "vm.h"

/* vm_table[slot] named `name`, with `ram_bytes` of zeroed, contiguous RAM owned by it, PAUSED (so that
 * assignment sees it as live); NULL when the frames could not be had. */
struct vm *selftest_vm_make(u32 slot, const char *name, u64 ram_bytes);

/* Scrubs and releases its RAM the usual way (ownership record first) and frees the slot; NULL or a
 * record without RAM is ignored. */
void selftest_vm_drop(struct vm *vm);

/* Does s contain w? */
bool selftest_contains(const char *s, const char *w);

/* Are all len bytes at host-physical hpa equal to v? */
bool selftest_all_bytes(u64 hpa, u8 v, u32 len);

#endif
