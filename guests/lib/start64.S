/* guests/lib/start64.S: entry of 64-bit test guests (Moat's long-mode entry: RDI = RAM size,
 * RSI = boot area = stack top), exception stubs that resume guest_catch, and guest_catch. */
	.text
	.globl _start
_start:
	andq $-16, %rsp
	call guest_main
	movq %rax, %rdi
	movq $3, %rax          /* HC_STOP */
	vmcall
1:	hlt
	jmp 1b

/* int guest_catch(void (*fn)(void *), void *arg) */
	.globl guest_catch
guest_catch:
	movq %rbx, catch_buf+0(%rip)
	movq %rbp, catch_buf+8(%rip)
	movq %r12, catch_buf+16(%rip)
	movq %r13, catch_buf+24(%rip)
	movq %r14, catch_buf+32(%rip)
	movq %r15, catch_buf+40(%rip)
	leaq 8(%rsp), %rax
	movq %rax, catch_buf+48(%rip)
	movq (%rsp), %rax
	movq %rax, catch_buf+56(%rip)
	movq %rdi, %rax
	movq %rsi, %rdi
	subq $8, %rsp
	call *%rax
	addq $8, %rsp
	movl $-1, %eax
	ret

/* Exception stubs: vector on the stack, above it the error code (a 0 pushed for those
 * exceptions that have none). */
	.macro STUB v, has_err
	.globl exc_stub_\v
exc_stub_\v:
	.if \has_err == 0
	pushq $0
	.endif
	pushq $\v
	jmp exc_common
	.endm

	STUB 0,0
	STUB 1,0
	STUB 2,0
	STUB 3,0
	STUB 4,0
	STUB 5,0
	STUB 6,0
	STUB 7,0
	STUB 8,1
	STUB 9,0
	STUB 10,1
	STUB 11,1
	STUB 12,1
	STUB 13,1
	STUB 14,1
	STUB 15,0
	STUB 16,0
	STUB 17,1
	STUB 18,0
	STUB 19,0

exc_common:
	movq (%rsp), %rax
	movq %rax, caught_vector(%rip)
	movq 8(%rsp), %rax
	movq %rax, caught_error(%rip)
	movq catch_buf+0(%rip), %rbx
	movq catch_buf+8(%rip), %rbp
	movq catch_buf+16(%rip), %r12
	movq catch_buf+24(%rip), %r13
	movq catch_buf+32(%rip), %r14
	movq catch_buf+40(%rip), %r15
	movq catch_buf+48(%rip), %rsp
	movq caught_vector(%rip), %rax
	jmpq *catch_buf+56(%rip)

	.data
	.align 8
catch_buf:
	.zero 64
caught_vector:
	.quad 0
	.globl caught_error
caught_error:
	.quad 0

	.section .note.GNU-stack,"",@progbits
