/* vmm/hypercall_abi.h: Moat's hypercall interface, shared by Moat and its guests (no other
 * includes). VMCALL with the number in RAX, arguments in RDI, RSI, RDX, RCX; the result comes
 * back in RAX: >= 0 on success, a negative errno-style code on failure. Pointers are
 * guest-physical addresses and must lie wholly inside the calling VM's RAM. */
#ifndef MOAT_HYPERCALL_ABI_H
#define MOAT_HYPERCALL_ABI_H

#define HC_CONSOLE_WRITE 0 /* (gpa, len): writes len bytes to the VM's console; returns len */
#define HC_VM_ID 1         /* (): this VM's id (its index in moat.cfg) */
#define HC_YIELD 2         /* (): gives the CPU to the next VM; returns 0 */
#define HC_STOP 3          /* (code): stops this VM; does not return */
#define HC_VM_NAME 4       /* (gpa, size): copies the VM's name, NUL-terminated; returns its length */

#define HC_CONSOLE_MAX 1024 /* most bytes one HC_CONSOLE_WRITE takes */

#define HC_EFAULT 14  /* a pointer is outside the VM's memory */
#define HC_EINVAL 22  /* a length or value is out of range */
#define HC_ENOSYS 38  /* no such hypercall */

/* CPUID leaf with the hypervisor signature (EBX, ECX, EDX = "MoatMoatMoat"), EAX = last leaf. */
#define MOAT_CPUID_SIGNATURE_LEAF 0x40000000U
/* EAX = TSC frequency in kHz, EBX = VM id. */
#define MOAT_CPUID_INFO_LEAF 0x40000001U

/* The 64-bit entry contract: RDI = RAM size, RSI = first byte of the area Moat built at the top
 * of RAM (page tables, GDT), RSP = RSI. Segments: code 0x08, data 0x10. RAM is identity-mapped
 * with 2 MiB pages; CR4.OSFXSR/OSXMMEXCPT are set (SSE usable); no IDT, interrupts off. */
#define MOAT_GUEST_CODE_SEL 0x08
#define MOAT_GUEST_DATA_SEL 0x10
/* Flat binaries are loaded here and start in real mode at CS = FLAT_LOAD_GPA >> 4, IP = 0. */
#define MOAT_FLAT_LOAD_GPA 0x1000

#endif
