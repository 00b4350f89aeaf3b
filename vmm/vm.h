/* vmm/vm.h: a virtual machine: its RAM (owned frames, mapped from guest-physical 0 by its own
 * EPT), its one vCPU (VMCS, registers, FPU area) and its virtual UART; creation and the one
 * way it ends (stop: report, scrub, invalidate, release). */
#ifndef MOAT_VM_H
#define MOAT_VM_H

#include "../kernel/types.h"
#include "../kernel/config.h"
#include "../kernel/boot_info.h"
#include "ept.h"
#include "exit_reason.h"
#include "vmx_caps.h"

#define VM_MAX CFG_MAX_VMS
#define VUART_LINE_MAX 160
#define VM_REASON_MAX 200

struct vplat;

/* VM_PAUSED: alive but not scheduled (a control VM paused it, or a restore is filling it in). */
enum vm_state { VM_FREE = 0, VM_RUNNABLE, VM_STOPPED, VM_PAUSED };
enum vm_mode { VM_MODE_REAL16 = 16, VM_MODE_PROT32 = 32, VM_MODE_LONG64 = 64 };

/* Saved by vmm/vmx_entry.asm; the offsets are fixed there. */
struct guest_regs {
	u64 rax, rbx, rcx, rdx, rsi, rdi, rbp;
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 cr2;
};

struct vuart {
	u8 ier, lcr, mcr, scr, dll, dlm, fcr;
	u32 len;
	char line[VUART_LINE_MAX];
};

struct vcpu {
	struct guest_regs regs;
	u64 vmcs;       /* physical */
	bool launched;
	u64 fpu;        /* physical page: XSAVE or FXSAVE area */
	u64 xcr0;
	u64 cr8;
	u64 msrs[5];    /* STAR, LSTAR, CSTAR, SFMASK, KERNEL_GS_BASE while switched out */
	u64 exits;
	u64 exits_by_reason[EXIT_REASON_COUNT]; /* by basic exit reason (vmm/exit_stats.c) */
	u64 first_entry_tsc; /* host TSC just before the first VM entry (the guest sees the same TSC) */
};

struct vm {
	enum vm_state state;
	u32 id;
	u16 owner;       /* OWNER_VM_FIRST + id in the frame ownership table */
	u16 vpid;
	u32 cpu;         /* the CPU (per-CPU index) it runs on */
	char name[CFG_NAME_MAX + 1];
	u64 ram_hpa;     /* one contiguous block, mapped at guest-physical 0 */
	u64 ram_size;
	u64 boot_area;   /* guest-physical start of what Moat built at the top of RAM */
	u64 msr_bitmap;  /* physical */
	struct ept ept;
	u64 eptp;
	enum vm_mode mode;
	struct vcpu vcpu;
	struct vuart uart;
	char stop_reason[VM_REASON_MAX];
	bool stopped_itself; /* HC_STOP, with stop_code */
	s64 stop_code;
	struct vplat *plat;  /* a Linux VM's PC platform (vmm/vplat.h: LAPIC, ACPI, UART input); else NULL */
};

extern struct vm vm_table[VM_MAX];

/* Moat-owned, zeroed 4 KiB frames for VMX structures (VMCS, EPT tables, bitmaps). */
u64 vmm_page_alloc(void);
void vmm_page_free(u64 phys);

/* Builds VM vm_table[id] from its config entry and image: RAM (owned, zeroed), image, EPT,
 * VMCS. 0, or -1 with the reason in why (nothing is left allocated). */
int vm_create(u32 id, const struct cfg_vm *cv, const struct boot_file *image, const struct vmx_caps *caps,
	      u32 cpu, char *why, size_t why_size);
/* An empty VM for a restore (vmm/smm_image.c): RAM (owned, zeroed), EPT and a VMCS for mode, no image;
 * it is left VM_PAUSED until the restore has filled its memory and vCPU state. 0, or -1 with why. */
int vm_create_blank(u32 id, const char *name, u64 memory, enum vm_mode mode, const struct vmx_caps *caps, u32 cpu,
		    char *why, size_t why_size);
/* A VM whose memory a loader fills (vmm/vm_linux.c): RAM (owned, zeroed), then load() writes into it
 * (and may set vm->plat), then EPT, vCPU and a VMCS that starts at *entry; f is the file measured as
 * its image. 0, or -1 with why (nothing is left allocated). */
struct guest_entry;
typedef int (*vm_loader_fn)(struct vm *vm, void *ctx, char *why, size_t why_size);
int vm_create_loaded(u32 id, const struct cfg_vm *cv, const struct boot_file *f, const struct guest_entry *entry,
		     vm_loader_fn load, void *ctx, const struct vmx_caps *caps, u32 cpu, char *why, size_t why_size);
/* Records why the VM ends; the scheduler then destroys it. */
void vm_set_stopped(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* Reports "moat: vm 'name': stopped: <reason>", then scrubs its RAM, INVEPT/INVVPID, releases
 * its frames and frees its structures. Must run on the VM's CPU (its VMCS is active there). */
void vm_destroy(struct vm *vm);

/* Guest-physical range [gpa, gpa+len) inside the VM's RAM? */
bool vm_gpa_ok(const struct vm *vm, u64 gpa, u64 len);
/* Host pointer for a range vm_gpa_ok() accepted. */
void *vm_gpa_ptr(const struct vm *vm, u64 gpa);

#endif
