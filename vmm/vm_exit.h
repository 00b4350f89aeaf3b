/* vmm/vm_exit.h: VM-exit handling: what a handler learns about the exit, what it tells the
 * scheduler to do next, the helpers every handler uses (skip the instruction, inject an
 * exception, stop the VM), and the handlers that the table in vm_exit.c dispatches to. */
#ifndef MOAT_VM_EXIT_H
#define MOAT_VM_EXIT_H

#include "vm.h"

enum exit_action {
	EXIT_ACTION_RESUME, /* enter the same guest again */
	EXIT_ACTION_YIELD,  /* give the CPU to the next VM */
	EXIT_ACTION_STOP,   /* the VM ends (vm->stop_reason says why) */
};

struct exit_info {
	u32 reason;  /* basic exit reason */
	u64 qual;    /* exit qualification */
	u64 rip;     /* guest RIP of the exiting instruction */
	u32 len;     /* its length */
};

typedef enum exit_action (*exit_handler_fn)(struct vm *vm, const struct exit_info *x);

/* Reads the exit fields and runs the handler for its reason. */
enum exit_action vm_exit_handle(struct vm *vm);

/* Prints the VM's exit counts, "moat: <sub>: exits: N in all: <reason> <count>, ..." (by count,
 * non-zero only; continued on more lines when long), and the TSC at its first entry (exit_stats.c). */
void exit_stats_report(const struct vm *vm, const char *sub);

/* Helpers */
enum exit_action exit_skip(const struct exit_info *x);
enum exit_action exit_inject(struct vm *vm, u32 vector, bool has_code, u32 code);
enum exit_action exit_inject_gp(struct vm *vm);
enum exit_action exit_inject_ud(struct vm *vm);
enum exit_action exit_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* General-purpose register n (0 = RAX ... 15 = R15, the encoding of exit qualifications). */
u64 exit_get_gpr(struct vm *vm, u32 n);
void exit_set_gpr(struct vm *vm, u32 n, u64 v);

/* Handlers, one file each */
enum exit_action exit_cpuid(struct vm *vm, const struct exit_info *x);
enum exit_action exit_rdmsr(struct vm *vm, const struct exit_info *x);
enum exit_action exit_wrmsr(struct vm *vm, const struct exit_info *x);
enum exit_action exit_io(struct vm *vm, const struct exit_info *x);
enum exit_action exit_cr_access(struct vm *vm, const struct exit_info *x);
enum exit_action exit_xsetbv(struct vm *vm, const struct exit_info *x);
enum exit_action exit_ept_violation(struct vm *vm, const struct exit_info *x);
enum exit_action exit_ept_misconfig(struct vm *vm, const struct exit_info *x);
enum exit_action exit_vmcall(struct vm *vm, const struct exit_info *x);
/* Explains a failed VM entry (exit reason with bit 31, or VMfail) in vm->stop_reason. */
enum exit_action exit_entry_failed(struct vm *vm, u32 raw_reason, u64 qual);
enum exit_action exit_vmfail(struct vm *vm, int how);

#endif
