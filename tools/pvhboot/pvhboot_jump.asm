; tools/pvhboot/pvhboot_jump.asm: from UEFI's long mode to a PVH kernel entry. Leaves long mode,
; copies the kernel's segments to their physical addresses (only now: the firmware's boot-services
; memory there, page tables included, is free and no longer needed), prints the TSC, and enters
; the kernel: 32-bit protected mode, paging off, flat segments, TR = a 32-bit TSS at base 0 limit
; 0x67, interrupts off, EBX = start_info.
; Position independent: pvhboot copies [pvhboot_jump_start, pvhboot_jump_end) to a page below
; 1 MiB (identity mapped by the firmware) and calls it there; it uses no stack after the switch.
; Leaving long mode (SDM Vol. 3, "Leaving IA-32e mode"): run in compatibility mode from an
; identity-mapped page, clear CR0.PG (EFER.LMA drops), then clear EFER.LME.
; Selectors match vmm/pvh.h's PVH_SEL_CODE, PVH_SEL_DATA and PVH_SEL_TSS.
bits 64
default rel

SEL_CODE equ 0x08
SEL_DATA equ 0x10
SEL_TSS equ 0x18
CR0_PG equ 0x80000000
MSR_EFER equ 0xC0000080
COM1 equ 0x3F8
COM1_LSR equ COM1 + 5
LSR_THRE equ 0x20
; copy table entries (struct pvhboot_copy in pvhboot.h): dst, src, filesz, memsz (u32 each);
; an entry with memsz 0 ends the table
CP_DST equ 0
CP_SRC equ 4
CP_FILESZ equ 8
CP_MEMSZ equ 12
CP_SIZE equ 16

section .text
global pvhboot_jump_start
global pvhboot_jump_end

; rdi = entry, rsi = start_info, rdx = copy table (all below 4 GiB)
pvhboot_jump_start:
	cli
	mov ebp, edi
	mov ebx, esi
	lea rax, [gdt]
	mov [gdtr + 2], rax
	lgdt [gdtr]
	lea rax, [compat]
	mov [farptr], eax
	jmp far dword [farptr]

; COM1, polled, no stack and no data: the character in al (ah and dx are clobbered)
%macro putc_al 0
	mov ah, al
%%wait:
	mov dx, COM1_LSR
	in al, dx
	test al, LSR_THRE
	jz %%wait
	mov al, ah
	mov dx, COM1
	out dx, al
%endmacro

%macro puts 1
%strlen %%len %1
%assign %%i 1
%rep %%len
%substr %%c %1 %%i
	mov al, %%c
	putc_al
%assign %%i %%i+1
%endrep
%endmacro

bits 32
compat:
	mov ax, SEL_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov fs, ax
	mov gs, ax
	mov eax, cr0
	and eax, ~CR0_PG
	mov cr0, eax
	mov esi, edx
	mov ecx, MSR_EFER
	xor eax, eax
	xor edx, edx
	wrmsr
	mov cr4, eax
	mov edx, esi
	cld
.copy:
	mov ecx, [edx + CP_MEMSZ]
	test ecx, ecx
	jz .copied
	mov edi, [edx + CP_DST]
	mov esi, [edx + CP_SRC]
	mov ecx, [edx + CP_FILESZ]
	shr ecx, 2
	rep movsd
	mov ecx, [edx + CP_FILESZ]
	and ecx, 3
	rep movsb
	mov ecx, [edx + CP_MEMSZ]
	sub ecx, [edx + CP_FILESZ]
	xor eax, eax
	rep stosb
	add edx, CP_SIZE
	jmp .copy
.copied:
	mov ax, SEL_TSS         ; paging is off: ltr may mark the descriptor busy in this page
	ltr ax
	; "pvhboot: tsc 0x<16 hex digits>": the TSC at the PVH entry, after the copy
	rdtsc
	mov esi, edx
	mov edi, eax
	puts "pvhboot: tsc 0x"
	mov ecx, 16
.digit:
	mov eax, esi
	shr eax, 28
	shld esi, edi, 4
	shl edi, 4
	add al, '0'
	cmp al, '9'
	jbe .put
	add al, 'a' - '9' - 1
.put:
	putc_al
	dec ecx
	jnz .digit
	puts `\r\n`
	xor eax, eax
	xor ecx, ecx
	xor edx, edx
	xor esi, esi
	xor edi, edi
	mov esp, eax
	jmp ebp

align 8
gdt:
	dq 0
	dq 0x00CF9B000000FFFF   ; 0x08: 32-bit code, base 0, limit 4 GiB
	dq 0x00CF93000000FFFF   ; 0x10: 32-bit data, base 0, limit 4 GiB
	dq 0x0000890000000067   ; 0x18: 32-bit TSS (available), base 0, limit 0x67
gdt_end:
gdtr:
	dw gdt_end - gdt - 1
	dq 0
farptr:
	dd 0
	dw SEL_CODE
pvhboot_jump_end:

section .note.GNU-stack noalloc noexec nowrite progbits
