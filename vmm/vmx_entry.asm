; vmm/vmx_entry.asm: entering a guest and coming back. vmx_enter loads the guest's general
; registers and CR2 from a struct guest_regs (vmm/vm.h), records the host stack in the VMCS
; and runs VMLAUNCH or VMRESUME; a VM exit lands at vmx_exit_entry (the VMCS host RIP), which
; saves the guest's registers and returns from vmx_enter with 0.
;   int vmx_enter(struct guest_regs *regs, int launched)
;   returns 0 after a VM exit, 1 on VMfailInvalid, 2 on VMfailValid (VM-instruction error).
bits 64
default rel
section .text

%define VMCS_HOST_RSP 0x6c14

; struct guest_regs offsets
%define G_RAX 0
%define G_RBX 8
%define G_RCX 16
%define G_RDX 24
%define G_RSI 32
%define G_RDI 40
%define G_RBP 48
%define G_R8 56
%define G_R9 64
%define G_R10 72
%define G_R11 80
%define G_R12 88
%define G_R13 96
%define G_R14 104
%define G_R15 112
%define G_CR2 120

global vmx_enter
global vmx_exit_entry

vmx_enter:
	push rbp
	push rbx
	push r12
	push r13
	push r14
	push r15
	push rdi                   ; the regs pointer, found again at [rsp+8] after an exit
	mov rax, VMCS_HOST_RSP
	vmwrite rax, rsp
	jbe .fail_write
	mov rax, [rdi + G_CR2]
	mov cr2, rax
	test esi, esi              ; flags survive the loads below (mov does not change them)
	mov rax, [rdi + G_RAX]
	mov rbx, [rdi + G_RBX]
	mov rcx, [rdi + G_RCX]
	mov rdx, [rdi + G_RDX]
	mov rsi, [rdi + G_RSI]
	mov rbp, [rdi + G_RBP]
	mov r8, [rdi + G_R8]
	mov r9, [rdi + G_R9]
	mov r10, [rdi + G_R10]
	mov r11, [rdi + G_R11]
	mov r12, [rdi + G_R12]
	mov r13, [rdi + G_R13]
	mov r14, [rdi + G_R14]
	mov r15, [rdi + G_R15]
	mov rdi, [rdi + G_RDI]
	jnz .resume
	vmlaunch
	jmp .failed
.resume:
	vmresume
.failed:
	; Only a failed VMLAUNCH/VMRESUME gets here: CF=1 VMfailInvalid, ZF=1 VMfailValid.
	mov eax, 1
	jc .out
	mov eax, 2
.out:
	pop rdi
	pop r15
	pop r14
	pop r13
	pop r12
	pop rbx
	pop rbp
	ret
.fail_write:
	mov eax, 2
	jmp .out

vmx_exit_entry:
	push rdi                   ; guest RDI; [rsp+8] is the regs pointer
	mov rdi, [rsp + 8]
	mov [rdi + G_RAX], rax
	mov [rdi + G_RBX], rbx
	mov [rdi + G_RCX], rcx
	mov [rdi + G_RDX], rdx
	mov [rdi + G_RSI], rsi
	mov [rdi + G_RBP], rbp
	mov [rdi + G_R8], r8
	mov [rdi + G_R9], r9
	mov [rdi + G_R10], r10
	mov [rdi + G_R11], r11
	mov [rdi + G_R12], r12
	mov [rdi + G_R13], r13
	mov [rdi + G_R14], r14
	mov [rdi + G_R15], r15
	pop rax
	mov [rdi + G_RDI], rax
	mov rax, cr2
	mov [rdi + G_CR2], rax
	xor eax, eax
	jmp vmx_enter.out           ; the one epilogue: restore Moat's registers and return 0

section .note.GNU-stack noalloc noexec nowrite progbits
