; kernel/probe.asm: probe_read/probe_write/probe_exec: arm the per-CPU fixup address (%gs:0x20),
; touch the address, disarm. A #PF or #GP on the way resumes at .faulted (kernel/idt.c).
bits 64
default rel
section .text

%define PERCPU_FIXUP 0x20

global probe_read
global probe_write
global probe_exec

probe_read:
	lea rax, [.faulted]
	mov [gs:PERCPU_FIXUP], rax
	mov al, [rdi]
	mov qword [gs:PERCPU_FIXUP], 0
	xor eax, eax
	ret
.faulted:
	mov eax, 1
	ret

probe_write:
	lea rax, [.faulted]
	mov [gs:PERCPU_FIXUP], rax
	mov al, [rdi]
	mov [rdi], al
	mov qword [gs:PERCPU_FIXUP], 0
	xor eax, eax
	ret
.faulted:
	mov eax, 1
	ret

probe_exec:
	lea rax, [.faulted]
	mov [gs:PERCPU_FIXUP], rax
	call rdi
	mov qword [gs:PERCPU_FIXUP], 0
	xor eax, eax
	ret
.faulted:
	; the fault happened at the call target: the return address is still on the stack
	add rsp, 8
	mov eax, 1
	ret

section .note.GNU-stack noalloc noexec nowrite progbits
