/* vmm/vplat.h: the PC platform Moat gives a Linux (PVH) VM, and no more: a local APIC in x2APIC mode
 * with its timer (vlapic.c), CPUID that tells the TSC rate (vplat_cpuid.c), minimal ACPI tables
 * (vacpi.c), power-off and reset ports (vplat_io.c), UART input (vuart_input.c) and the hooks the
 * exit path and the scheduler call (vplat_exit.c). VMs started from an `image` have no platform
 * (vm->plat == NULL) and keep the behaviour they always had.
 *
 * Decisions (see also each file):
 * - The local APIC is offered only as an x2APIC that is already enabled at entry (IA32_APIC_BASE
 *   reads EN | EXTD): Linux then keeps x2APIC mode and never touches the xAPIC page at 0xFEE00000,
 *   which stays unmapped (an access stops the VM, as before). The registers are the x2APIC MSRs
 *   0x800-0x8FF; the timer runs one-shot, periodic or TSC-deadline (MSR 0x6E0).
 * - Interrupts: only the APIC's own (timer, self-IPI). There is no I/O APIC and no 8259; the
 *   virtual UART has no IRQ (ACPI describes it without one, so Linux polls it).
 * - Time: the guest reads the host TSC unchanged; CPUID leaf 0x15 gives its rate (and leaf 0x16),
 *   so Linux calibrates nothing. The APIC timer clock is the same rate.
 * - Power: ACPI hardware-reduced; the FADT's sleep control register is a port Moat traps: S5 stops
 *   the VM with "stopped: power-off". Reset (FADT reset register = port 0xCF9, or 0x64 <- 0xFE, or a
 *   jump to the reset vector F000:FFF0, whose code writes 0xCF9: vplat_reset.c)
 *   stops the VM ("stopped: reboot") and vm_linux.c creates it again from its files, within its
 *   `restarts = N` budget. */
#ifndef MOAT_VPLAT_H
#define MOAT_VPLAT_H

#include "vm.h"
#include "vm_exit.h"
#include "vplat_reset.h"
#include "../kernel/cpu.h"

#define VLAPIC_VECTORS 256
#define VLAPIC_WORDS (VLAPIC_VECTORS / 32)
#define VLAPIC_NLVT 7 /* CMCI, timer, thermal, performance, LINT0, LINT1, error */
#define VUART_RX_SIZE 256

struct vlapic {
	u64 apic_base; /* IA32_APIC_BASE: x2APIC (EXTD), xAPIC (EN only) or disabled */
	u32 xapic_ldr, xapic_dfr; /* xAPIC-only registers (x2APIC's LDR is fixed) */
	u32 tpr, svr, ldr, esr;
	u64 icr;
	u32 lvt[VLAPIC_NLVT];
	u32 tmict, tdcr;
	u64 deadline; /* TSC value at which the timer fires; 0: not armed */
	u64 period;   /* periodic mode: TSC ticks between firings */
	u32 irr[VLAPIC_WORDS], isr[VLAPIC_WORDS];
};

struct vplat {
	struct vlapic lapic;
	bool halted;      /* HLT with interrupts on: not scheduled until an interrupt is due */
	u64 slice_end;    /* TSC at which the current time slice ends */
	u32 timer_rate;   /* VMX preemption timer: one tick per 2^rate TSC ticks */
	bool restart;     /* stopped by a reset request: create it again from its files */
	u64 exits_mmio, exits_msr, timer_irqs;
	/* UART input (vuart_input.c): a ring the physical UART fills and the guest's RBR reads drain */
	u8 rx[VUART_RX_SIZE];
	u32 rx_head, rx_tail;
	bool out_midline; /* its output line is open on the console (vuart_input_echo) */
	/* what it was created from, for a restart (vm_linux.c) */
	const struct cfg_vm *cv;
	const struct boot_info *boot;
	const struct vmx_caps *caps;
};

/* ---- CPUID, MSRs, ports (the exit handlers call these for a VM with a platform) ---- */
void vplat_cpuid(struct vm *vm, u32 leaf, u32 sub, struct cpuid_regs *r);
/* true if msr is the platform's; then *gp says whether the access faults */
bool vplat_rdmsr(struct vm *vm, u32 msr, u64 *v, bool *gp);
bool vplat_wrmsr(struct vm *vm, u32 msr, u64 v, bool *gp);
/* true if port is the platform's (power-off, reset); *a is the outcome for writes that end the VM */
bool vplat_io(struct vm *vm, u32 port, bool in, u8 *v, enum exit_action *a);

/* ---- local APIC (vlapic.c) ---- */
void vlapic_reset(struct vlapic *l);
bool vlapic_rdmsr(struct vm *vm, u32 msr, u64 *v, bool *gp);
bool vlapic_wrmsr(struct vm *vm, u32 msr, u64 v, bool *gp);
/* xAPIC MMIO (vlapic_mmio.c): the guest left x2APIC mode and uses the page at VLAPIC_XAPIC_GPA. */
#define VLAPIC_XAPIC_GPA 0xfee00000ULL
bool vlapic_xapic_mode(const struct vlapic *l);
u32 vlapic_mmio_read(struct vlapic *l, u32 offset);
void vlapic_mmio_write(struct vlapic *l, u32 offset, u32 value);
/* An EPT violation at gpa: true if it was the xAPIC page and has been emulated (*a says how to go on). */
bool vplat_mmio(struct vm *vm, u64 gpa, const struct exit_info *x, enum exit_action *a);
/* Timer due by now: the LVT timer vector is made pending (and the timer re-armed when periodic). */
void vlapic_tick(struct vm *vm, u64 now);
/* A device interrupt (vpci_msi.c through virq_vm.c): vector becomes pending (vectors below 16 are
 * ignored, as for any fixed interrupt). Call on the VM's CPU. */
void vlapic_raise(struct vm *vm, u32 vector);
/* Highest pending vector that the task priority and in-service vectors let through, or -1. */
int vlapic_deliverable(const struct vlapic *l);
/* The vector goes from pending to in service (it is being injected). */
void vlapic_accept(struct vlapic *l, int vector);

/* ---- the exit path and the scheduler (vplat_exit.c) ---- */
void vplat_slice_start(struct vm *vm);
void vplat_before_entry(struct vm *vm);
void vplat_after_exit(struct vm *vm);
enum exit_action vplat_hlt(struct vm *vm, const struct exit_info *x);
enum exit_action vplat_preemption_timer(struct vm *vm);
enum exit_action vplat_intr_window(struct vm *vm, const struct exit_info *x);
/* May the scheduler run it now? (false while halted and nothing is due) */
bool vplat_ready(struct vm *vm);

/* ---- UART input (vuart_input.c) ---- */
/* Moves what the physical UART received into the input VM's ring (call from the scheduler). */
void vuart_input_poll(void);
void vuart_input_attach(struct vm *vm);  /* vm (with a platform) takes the console's input */
void vuart_input_detach(struct vm *vm);
bool vuart_rx_ready(struct vm *vm);
/* Output of the VM that has the input: shown at once, character by character (a shell's prompt and
 * echo have no newline), still behind a "[name] " prefix per line and filtered. false: not that VM. */
bool vuart_input_echo(struct vm *vm, char c);
u8 vuart_rx_pop(struct vm *vm);

#endif
