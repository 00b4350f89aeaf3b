; guests/real16/main.asm: a flat binary that starts in 16-bit real mode (Moat loads it at
; guest-physical 0x1000 with CS = DS = SS = 0x100, IP = 0). Prints a line on the UART and
; stops itself with HC_STOP(0).
bits 16
org 0

%define UART 0x3f8
%define HC_STOP 3

start:
	mov si, msg
.next:
	lodsb
	test al, al
	jz .done
	mov dx, UART
	out dx, al
	jmp .next
.done:
	mov eax, HC_STOP
	xor edi, edi
	vmcall
.hang:
	hlt
	jmp .hang

msg: db "real16: hello from 16-bit real mode", 10, 0
