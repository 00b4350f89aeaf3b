/* vmm/vuart.h: each VM's virtual 16550 UART at I/O ports 0x3F8-0x3FF. Output is collected per
 * VM and printed as whole "[vm-name] text" lines; input reaches only the Linux VM configured with
 * `console = input` (vuart_input.c). */
#ifndef MOAT_VUART_H
#define MOAT_VUART_H

#include "vm.h"

#define VUART_BASE 0x3f8
#define VUART_PORTS 8

/* One register access (offset 0-7 from VUART_BASE). */
u8 vuart_read(struct vm *vm, u32 offset);
void vuart_write(struct vm *vm, u32 offset, u8 value);
/* Appends bytes to the VM's console line (hypercall path); '\n' ends a line. */
void vuart_output(struct vm *vm, const char *s, u64 n);
/* Prints what is left of an unfinished line (when the VM stops). */
void vuart_flush(struct vm *vm);

#endif
