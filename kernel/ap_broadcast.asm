; kernel/ap_broadcast.asm: where the trampoline sends the APs that a broadcast INIT-SIPI-SIPI
; woke (cpu_discovery = broadcast, kernel/smp_broadcast.c). They all arrive at once, on one
; shared landing stack they never use: each takes a ticket and spins, without a stack, until
; the boot CPU serves that ticket with a stack and a per-CPU area of its own; it then enters
; ap_main like an AP started from the MADT. A ticket at or past the limit parks its CPU.
;   RDI = struct bcast_ctl (offsets below, checked by _Static_assert in smp_broadcast.c)
bits 64
default rel
section .text

%define BC_TICKET 0x00
%define BC_LIMIT 0x04
%define BC_SERVING 0x08
%define BC_STACK 0x10
%define BC_ENTRY 0x18
%define BC_ARG 0x20

global ap_broadcast_entry

ap_broadcast_entry:
	mov eax, 1
	lock xadd [rdi + BC_TICKET], eax ; eax = this CPU's ticket
	cmp eax, [rdi + BC_LIMIT]
	jae .park
.wait:
	pause
	cmp eax, [rdi + BC_SERVING]
	jne .wait
	mov rsp, [rdi + BC_STACK]
	mov rax, [rdi + BC_ENTRY]
	mov rdi, [rdi + BC_ARG]
	xor ebp, ebp
	push rbp                        ; no return address: backtraces stop here
	jmp rax
.park:
	cli
	hlt
	jmp .park

section .note.GNU-stack noalloc noexec nowrite progbits
