; kernel/isr.asm: one 16-byte entry stub per vector, and the common path that saves the
; registers into a struct int_frame and calls isr_dispatch (kernel/idt.c).
bits 64
default rel
section .text

extern isr_dispatch

%define ISR_STUB_SIZE 16

; vectors whose exceptions push an error code themselves
%define HAS_ERROR(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || (v) == 21 || (v) == 29 || (v) == 30)

global isr_stubs
align ISR_STUB_SIZE
isr_stubs:
%assign v 0
%rep 256
	align ISR_STUB_SIZE
%if HAS_ERROR(v) == 0
	push qword 0
%endif
	push qword v
	jmp isr_common
%assign v v+1
%endrep

isr_common:
	cld
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp
	mov rbp, rsp
	and rsp, -16
	call isr_dispatch
	mov rsp, rbp
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16
	iretq

section .note.GNU-stack noalloc noexec nowrite progbits
