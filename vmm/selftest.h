/* vmm/selftest.h: in-hypervisor test suites that emulator scenarios select with `tests = ...`. */
#ifndef MOAT_SELFTEST_H
#define MOAT_SELFTEST_H

#include "../kernel/kernel.h"

struct selftest_result {
	u32 passed;
	u32 failed;
};

/* Prints "moat: test NAME: PASS" or "moat: test NAME: FAIL: reason" and counts it. */
void selftest_report(struct selftest_result *r, const char *name, bool ok, const char *why);

/* Runs the suites named in the config; prints "moat: tests: N passed, N failed". */
void selftest_run(const struct kernel_ctx *k, struct selftest_result *r);

/* The suites. */
void selftest_boot(const struct kernel_ctx *k, struct selftest_result *r);
void selftest_panic(const struct kernel_ctx *k, struct selftest_result *r);
void selftest_assign(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_assign.c */
void selftest_alias(const struct kernel_ctx *k, struct selftest_result *r);  /* vmm/selftest_assign_alias.c */
/* assign-msix-vectors (vmm/selftest_assign_vec.c): per-entry host vectors of d, the e1000e at bar0. */
struct vm;
struct vpci_dev;
bool selftest_assign_vectors(struct vm *vm, struct vpci_dev *d, u64 bar0);
void selftest_rmrr(const struct kernel_ctx *k, struct selftest_result *r);   /* vmm/selftest_rmrr.c */
void selftest_tpm(const struct kernel_ctx *k, struct selftest_result *r);
void selftest_dma(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_dma.c */
void selftest_ir(const struct kernel_ctx *k, struct selftest_result *r);  /* vmm/selftest_ir.c */
void selftest_fault(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_fault.c */
void selftest_dma_bench(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_dma_bench.c */
void selftest_nic_dma(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_dma_nic.c */
/* `selftest = iommu` in moat.cfg: runs the NIC DMA check and prints the verdict line
 * "moat: iommu: self-test: PASS|FAIL..."; a failure also ends an emulator run with the fail code. */
void selftest_iommu_boot(const struct kernel_ctx *k);
void selftest_vm(const struct kernel_ctx *k, struct selftest_result *r);  /* vmm/selftest_vm.c */
void selftest_smm(const struct kernel_ctx *k, struct selftest_result *r); /* vmm/selftest_smm.c */

#endif
