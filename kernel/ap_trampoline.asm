; kernel/ap_trampoline.asm: the code an application processor runs after its startup IPI.
; It is copied to a page below 1 MiB; the kernel patches the parameter block (tr_* fields)
; with that page's linear addresses, the CR3, the stack and the C entry before each start.
; Real mode -> 32-bit protected mode -> long mode with Moat's page tables -> ap_main(percpu).
bits 16
section .rodata
align 16
global ap_trampoline_start
global ap_trampoline_end
global tr_gdt, tr_pm32, tr_lm64
global tr_gdtr_base, tr_pm32_off, tr_lm64_off, tr_cr3, tr_stack, tr_entry, tr_arg

%define CR0_PE 1
%define CR0_WP (1 << 16)
%define CR0_PG (1 << 31)
%define CR4_PAE (1 << 5)
%define MSR_EFER 0xc0000080
%define EFER_LME (1 << 8)
%define EFER_NXE (1 << 11)
%define SEL_CODE32 0x08
%define SEL_DATA 0x10
%define SEL_CODE64 0x18
%define OFF(x) ((x) - ap_trampoline_start)

ap_trampoline_start:
	cli
	cld
	mov ax, cs
	mov ds, ax
	xor ebx, ebx
	mov bx, cs
	shl ebx, 4                      ; ebx = this page's linear address, kept across modes
	o32 lgdt [OFF(tr_gdtr)]
	mov eax, cr0
	or eax, CR0_PE
	mov cr0, eax
	o32 jmp far [OFF(tr_pm32_ptr)]

bits 32
tr_pm32:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, cr4
	or eax, CR4_PAE
	mov cr4, eax
	mov eax, [ebx + OFF(tr_cr3)]
	mov cr3, eax
	mov ecx, MSR_EFER
	rdmsr
	or eax, EFER_LME | EFER_NXE
	wrmsr
	mov eax, cr0
	or eax, CR0_PG | CR0_WP
	mov cr0, eax
	jmp far [ebx + OFF(tr_lm64_ptr)]

bits 64
tr_lm64:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [rbx + OFF(tr_stack)]
	mov rdi, [rbx + OFF(tr_arg)]
	mov rax, [rbx + OFF(tr_entry)]
	xor ebp, ebp
	push rbp                        ; no return address: backtraces stop here
	jmp rax

align 16
tr_gdt:
	dq 0
	dq 0x00cf9b000000ffff           ; 0x08: 32-bit code, flat
	dq 0x00cf93000000ffff           ; 0x10: data, flat
	dq 0x00af9b000000ffff           ; 0x18: 64-bit code
tr_gdt_end:
tr_gdtr:
	dw tr_gdt_end - tr_gdt - 1
tr_gdtr_base:
	dd 0                            ; patched: page + OFF(tr_gdt)
tr_pm32_ptr:
tr_pm32_off:
	dd 0                            ; patched: page + OFF(tr_pm32)
	dw SEL_CODE32
tr_lm64_ptr:
tr_lm64_off:
	dd 0                            ; patched: page + OFF(tr_lm64)
	dw SEL_CODE64
align 8
tr_cr3:
	dq 0
tr_stack:
	dq 0
tr_entry:
	dq 0
tr_arg:
	dq 0
ap_trampoline_end:

section .note.GNU-stack noalloc noexec nowrite progbits
