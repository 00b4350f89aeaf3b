/* vmm/vm_linux.c: creating a Linux VM (see vm_linux.h). The kernel is parsed and the layout planned
 * (vmm/pvh_*.c) before any memory is taken, so every refusal costs nothing and names its cause.
 * Then vm_create_loaded takes the RAM and calls load(): the PT_LOAD segments at their physical
 * addresses (the rest of RAM is already zero, which covers their bss), the initrd at the top of
 * RAM, the command line, the ACPI tables (vacpi.c), the reset vector's code (vplat_reset.c) and the
 * start_info page. The vCPU starts in
 * 32-bit protected mode at the PVH entry with EBX = start_info, as the PVH ABI says. Moat keeps
 * nothing in a Linux VM's RAM (no boot area): everything Moat needs is outside it. With assigned
 * devices, once they are assigned: the ACPI tables get a PCI host bridge, and the memory map reports
 * reserved every RMRR range their DMA domain identity-maps (rmrr = accept).
 * A guest-requested reset (vplat_io.c) creates the VM again from the same files, as the config
 * created it (devices released and assigned again, RAM scrubbed, tables rebuilt), at most
 * `restarts = N` times (default unlimited); the reset after that stops it for good. */
#include "vm_linux.h"
#include "assign.h"
#include "guest_boot.h"
#include "pvh.h"
#include "vacpi.h"
#include "vms.h"
#include "vpci.h"
#include "vplat.h"
#include "../kernel/fmt.h"
#include "../kernel/log.h"
#include "../kernel/string.h"

struct linux_load {
	const struct cfg_vm *cv;
	const struct boot_file *kernel, *initrd;
	struct pvh_kernel k;
	struct pvh_layout layout;
	u64 rsdp; /* what start_info points at */
	const struct boot_info *boot;
	const struct vmx_caps *caps;
};

static struct vplat plat_table[VM_MAX];
/* Restarts each VM slot has had since the config created it (kept across its re-creations). */
static u32 restarts_done[VM_MAX];

_Static_assert(PVH_LAYOUT_RESERVED_MAX >= DOMAIN_RMRR_MAX, "every RMRR a domain maps fits in the memory map");

/* Fast copy (REP MOVSB; the kernel is tens of MiB). */
static void copy(void *dst, const void *src, u64 n)
{
	__asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(n) : : "memory");
}

static int load(struct vm *vm, void *ctx, char *why, size_t n)
{
	struct linux_load *ll = ctx;
	const u8 *data = (const u8 *)(uintptr_t)ll->kernel->addr;
	for (u32 i = 0; i < ll->k.image.nsegs; i++) {
		const struct image_segment *s = &ll->k.image.segs[i];
		copy(vm_gpa_ptr(vm, s->gpa), data + s->offset, s->filesz);
	}
	const struct pvh_layout *l = &ll->layout;
	if (ll->initrd)
		copy(vm_gpa_ptr(vm, l->initrd_gpa), (const void *)(uintptr_t)ll->initrd->addr, l->initrd_size);
	if (pvh_cmdline_write(ll->cv->cmdline, vm_gpa_ptr(vm, l->cmdline_gpa), why, n))
		return -1;
	u64 rsdp = vacpi_build(vm_gpa_ptr(vm, VACPI_GPA), VACPI_SIZE, VACPI_GPA, NULL); /* see pci_tables */
	vplat_reset_vector_write(vm_gpa_ptr(vm, VPLAT_RESET_VECTOR_GPA)); /* Linux reboots through it */
	ll->rsdp = rsdp;
	struct pvh_boot_params bp;
	pvh_boot_params_from_layout(l, rsdp, &bp);
	if (pvh_start_info_write(&bp, vm_gpa_ptr(vm, l->info_gpa), why, n))
		return -1;
	vm->vcpu.regs.rbx = l->info_gpa;

	struct vplat *p = &plat_table[vm->id];
	memset(p, 0, sizeof(*p));
	vlapic_reset(&p->lapic);
	p->timer_rate = ll->caps->preemption_timer_rate;
	p->cv = ll->cv;
	p->boot = ll->boot;
	p->caps = ll->caps;
	vm->plat = p;
	return 0;
}

static void entry_from_pvh(const struct pvh_cpu_state *s, struct guest_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->mode = VM_MODE_PROT32;
	e->rip = s->rip;
	e->cr0 = s->cr0;
	e->cr3 = s->cr3;
	e->cr4 = s->cr4;
	e->efer = s->efer;
	e->code_sel = s->cs.selector;
	e->data_sel = s->ds.selector;
	e->seg_base = s->cs.base;
	e->seg_limit = s->cs.limit;
	e->code_ar = s->cs.access;
	e->data_ar = s->ds.access;
	e->gdt_base = s->gdtr_base;
	e->gdt_limit = s->gdtr_limit;
	e->idt_base = s->idtr_base;
	e->idt_limit = s->idtr_limit;
}

static const struct boot_file *find(const struct boot_info *bi, const char *what, const char *name, char *why,
				    size_t n)
{
	const struct boot_file *f = vms_find_image(bi, name);
	if (!f)
		snprintf(why, n, "%s %s was not loaded from the boot volume", what, name);
	return f;
}

static int plan(struct linux_load *ll, char *why, size_t n)
{
	const struct cfg_vm *cv = ll->cv;
	char perr[160];
	ll->kernel = find(ll->boot, "kernel", cv->kernel, why, n);
	if (!ll->kernel)
		return -1;
	if (cv->initrd[0] && !(ll->initrd = find(ll->boot, "initrd", cv->initrd, why, n)))
		return -1;
	if (!ll->caps->preemption_timer) {
		snprintf(why, n, "a Linux VM needs the VMX preemption timer (its APIC timer), which this CPU lacks");
		return -1;
	}
	if (pvh_kernel_parse((const u8 *)(uintptr_t)ll->kernel->addr, ll->kernel->size, &ll->k, perr, sizeof(perr))) {
		snprintf(why, n, "kernel %s: %s", cv->kernel, perr);
		return -1;
	}
	struct pvh_layout_req req = {
	    .mem_size = cv->memory,
	    .reserved_top = 0,
	    .kernel_lowest = ll->k.image.lowest,
	    .kernel_highest = ll->k.image.highest,
	    .initrd_size = ll->initrd ? ll->initrd->size : 0,
	    .cmdline_len = strlen(cv->cmdline),
	};
	if (pvh_layout_plan(&req, &ll->layout, perr, sizeof(perr))) {
		snprintf(why, n, "kernel %s%s%s: %s", cv->kernel, ll->initrd ? ", initrd " : "",
			 ll->initrd ? cv->initrd : "", perr);
		return -1;
	}
	return 0;
}

/* A VM with devices: the ACPI tables again, now with a PCI host bridge whose windows follow the
 * BARs, the identity alias and the RMRR ranges, which exist only once assign_vm_start has run (after
 * load()). The RSDP stays where start_info points. Without it Linux scans no PCI bus (ACPI replaces
 * the legacy scan). Nothing has run in the VM yet. 0, or -1 with why (the earlier tables are left). */
static int pci_tables(struct vm *vm, const char *sub, char *why, size_t n)
{
	struct vacpi_pci pci;
	vpci_acpi_windows(vm, &pci);
	if (vacpi_build(vm_gpa_ptr(vm, VACPI_GPA), VACPI_SIZE, VACPI_GPA, &pci) != VACPI_GPA) {
		snprintf(why, n, "its ACPI tables with a PCI host bridge do not fit in %llu bytes", (u64)VACPI_SIZE);
		return -1;
	}
	char wins[VACPI_PCI_WINDOWS * 40] = "none";
	size_t used = 0;
	for (u32 i = 0; i < pci.nwin && used < sizeof(wins); i++)
		used += (size_t)snprintf(wins + used, sizeof(wins) - used, "%s0x%llx-0x%llx", i ? ", " : "",
					 pci.win[i].base, pci.win[i].base + pci.win[i].size - 1);
	pr_info(sub, "ACPI: PCI host bridge PNP0A03 for its virtual bus 0 (CF8/CFC), memory windows %s", wins);
	return 0;
}

/* A VM whose devices accepted RMRRs name: each range (it lies above the VM's RAM: one overlapping it
 * was refused) reported reserved in its memory map, so Linux never puts a BAR or anything else there;
 * start_info is written again. Nothing has run in the VM yet. */
static int rmrr_memmap(struct vm *vm, struct linux_load *ll, const char *sub, char *why, size_t n)
{
	u64 base[PVH_LAYOUT_RESERVED_MAX], limit[PVH_LAYOUT_RESERVED_MAX];
	u32 nr = assign_rmrr_ranges(vm, base, limit, PVH_LAYOUT_RESERVED_MAX);
	if (!nr)
		return 0;
	char perr[160];
	for (u32 i = 0; i < nr; i++) {
		int r = pvh_layout_reserve(&ll->layout, base[i], limit[i] + 1, VPCI_GUEST_PHYS_LIMIT, perr,
					   sizeof(perr));
		if (r < 0) {
			snprintf(why, n, "its memory map: %s", perr);
			return -1;
		}
		if (r == 0)
			pr_info(sub, "memory map: RMRR 0x%llx-0x%llx reported reserved (firmware DMA memory its DMA domain maps)",
				base[i], limit[i]);
	}
	struct pvh_boot_params bp;
	pvh_boot_params_from_layout(&ll->layout, ll->rsdp, &bp);
	if (pvh_start_info_write(&bp, vm_gpa_ptr(vm, ll->layout.info_gpa), perr, sizeof(perr))) {
		snprintf(why, n, "its memory map: %s", perr);
		return -1;
	}
	return 0;
}

static int create(u32 id, const struct cfg_vm *cv, const struct boot_info *bi, const struct vmx_caps *caps, u32 cpu,
		  char *why, size_t n)
{
	static struct linux_load ll; /* large (the segment table): not on the stack */
	memset(&ll, 0, sizeof(ll));
	ll.cv = cv;
	ll.boot = bi;
	ll.caps = caps;
	if (plan(&ll, why, n))
		return -1;
	struct pvh_cpu_state cs;
	struct guest_entry e;
	pvh_cpu_state(ll.k.entry, ll.layout.info_gpa, &cs);
	entry_from_pvh(&cs, &e);
	if (vm_create_loaded(id, cv, ll.kernel, &e, load, &ll, caps, cpu, why, n))
		return -1;
	struct vm *vm = &vm_table[id];
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	if (vpci_of(vm)->ndevs && (pci_tables(vm, sub, why, n) || rmrr_memmap(vm, &ll, sub, why, n))) {
		vm_set_stopped(vm, "not started: %s", why); /* nothing ran: devices back, RAM scrubbed */
		vm_destroy(vm);
		return -1;
	}
	if (cv->console_input)
		vuart_input_attach(vm);
	pr_info(sub, "created: Linux kernel %s, PVH entry at 0x%x, initrd %s (%llu KiB at 0x%llx), %llu KiB of RAM at 0x%llx, cpu %u",
		cv->kernel, ll.k.entry, ll.initrd ? cv->initrd : "none", ll.layout.initrd_size / KiB(1),
		ll.layout.initrd_gpa, vm->ram_size / KiB(1), vm->ram_hpa, cpu);
	return 0;
}

int vm_linux_create(u32 id, const struct cfg_vm *cv, const struct boot_info *bi, const struct vmx_caps *caps,
		    u32 cpu, char *why, size_t n)
{
	restarts_done[id] = 0; /* a VM the config starts: its restart budget is whole */
	return create(id, cv, bi, caps, cpu, why, n);
}

void vm_linux_after_stop(struct vm *vm)
{
	struct vplat *p = vm->plat;
	if (!p)
		return;
	vuart_input_detach(vm);
	if (!p->restart)
		return;
	const struct cfg_vm *cv = p->cv;
	char why[256];
	char sub[CFG_NAME_MAX + 8];
	snprintf(sub, sizeof(sub), "vm '%s'", vm->name);
	u32 done = restarts_done[vm->id];
	if (cv->restarts_limited && done >= cv->restarts) { /* stays stopped, as after a power-off */
		pr_info(sub, "not restarted: it asked for a reset %u time%s (restarts = %u)", done + 1,
			done + 1 == 1 ? "" : "s", cv->restarts);
		return;
	}
	restarts_done[vm->id] = ++done;
	if (cv->restarts_limited)
		pr_info(sub, "restarting (the guest asked for a reset; restart %u of %u)", done, cv->restarts);
	else
		pr_info(sub, "restarting (the guest asked for a reset; restart %u, no limit)", done);
	if (create(vm->id, cv, p->boot, p->caps, vm->cpu, why, sizeof(why)))
		pr_info(sub, "not restarted: %s", why);
}
