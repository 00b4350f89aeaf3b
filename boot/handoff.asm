; boot/handoff.asm: the jump from the firmware's stack to Moat's own, with interrupts off.
bits 64
default rel
section .text
global boot_handoff
; rdi = boot info, rsi = stack top (16-byte aligned), rdx = kernel entry
boot_handoff:
	cli
	mov rsp, rsi
	xor ebp, ebp
	push rbp            ; fake return address: backtraces stop here
	sub rsp, 8          ; keep the ABI's 16-byte alignment at the call
	call rdx
.hang:
	hlt
	jmp .hang

section .note.GNU-stack noalloc noexec nowrite progbits
