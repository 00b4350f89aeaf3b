/* vmm/mmio_decode.c: the instruction behind a guest's MMIO access (a Linux VM's xAPIC page,
 * vlapic_mmio.c; an assigned device's MSI-X pages, vpci_msix.c), decoded by mmio_insn.c: a 32- or
 * 64-bit MOV between a general register and memory, or of an immediate to memory. The instruction
 * bytes are fetched from the guest's RIP through its own page tables (4-level long mode, or no
 * paging), each byte translated and checked against the VM's RAM: a guest cannot make Moat read
 * outside it; the fetch stops at the first unreadable byte (the decoder needs none past its end). Anything else, an
 * operand size other than 32 or 64 bits or an unreadable instruction, is refused (the caller stops the
 * VM with its usual report). */
#include "mmio_decode.h"
#include "vmcs_fields.h"
#include "vmx_insn.h"
#include "../kernel/cpu.h"
#include "../kernel/paging.h"

#define LEVELS 4
#define LEVEL_BITS 9
#define LEVEL_MASK 0x1ffULL
#define PAGE_SHIFT_4K 12
#define PS_LEVEL_MIN 1 /* PS is honoured in the PDPT (1 GiB) and PD (2 MiB) entries */
#define LARGE_ADDR_MASK 0x000fffffffffe000ULL /* a large page's frame (bit 12 is PAT) */

/* Guest-physical address of a linear one (the guest's own page tables), or false. */
static bool translate(const struct vm *vm, u64 linear, u64 *gpa)
{
	u64 cr0 = vmread(VMCS_GUEST_CR0);
	if (!(cr0 & CR0_PG)) {
		*gpa = linear;
		return true;
	}
	if (!(vmread(VMCS_GUEST_EFER) & EFER_LMA))
		return false; /* Linux runs in long mode by the time it touches the APIC */
	u64 table = vmread(VMCS_GUEST_CR3) & PTE_ADDR_MASK;
	for (int level = LEVELS - 1; level >= 0; level--) {
		u32 idx = (u32)((linear >> (PAGE_SHIFT_4K + level * LEVEL_BITS)) & LEVEL_MASK);
		u64 at = table + idx * sizeof(u64);
		if (!vm_gpa_ok(vm, at, sizeof(u64)))
			return false;
		u64 e = *(const u64 *)vm_gpa_ptr(vm, at);
		if (!(e & PTE_P))
			return false;
		if (level >= PS_LEVEL_MIN && level < LEVELS - 1 && (e & PTE_PS)) {
			u64 span = 1ULL << (PAGE_SHIFT_4K + level * LEVEL_BITS);
			*gpa = (e & LARGE_ADDR_MASK & ~(span - 1)) | (linear & (span - 1));
			return true;
		}
		table = e & PTE_ADDR_MASK;
	}
	*gpa = table | (linear & (PAGE_SIZE - 1));
	return true;
}

/* Up to n bytes from the guest's rip: the count read, stopping at the first byte that is not
 * readable (an instruction at the end of the last mapped page needs no byte beyond it). */
static u32 fetch(const struct vm *vm, u64 rip, u8 *buf, u32 n)
{
	u64 cs_base = vmread(VMCS_GUEST_CS_BASE);
	for (u32 i = 0; i < n; i++) {
		u64 gpa;
		if (!translate(vm, cs_base + rip + i, &gpa) || !vm_gpa_ok(vm, gpa, 1))
			return i;
		buf[i] = *(const u8 *)vm_gpa_ptr(vm, gpa);
	}
	return n;
}

bool mmio_decode(const struct vm *vm, u64 rip, struct mmio_insn *out)
{
	u8 b[MMIO_INSN_MAX];
	return mmio_insn_decode(b, fetch(vm, rip, b, MMIO_INSN_MAX), out);
}
