/* vmm/vuart_input.c: keyboard input for a Linux VM's virtual 16550. The one VM whose config says
 * `console = input` (at most one; only a Linux VM has an input path) gets every byte Moat's own
 * UART receives: the CPU that runs that VM polls the physical UART from its scheduler loop and
 * fills the VM's ring (VUART_RX_SIZE bytes; more is dropped, as a full FIFO would). The guest reads
 * the ring through RBR and sees LSR.DR and an "RX data" IIR while it is not empty (vuart.c). There
 * is no interrupt: the guest polls, as Linux's 8250 driver does for a port without an IRQ.
 * That VM's output is shown as it comes rather than by whole lines, so that a shell's prompt and the
 * echo of what is typed appear: each line still starts with "[name] ", carriage returns are dropped,
 * backspace passes (line editing), and every other control character shows as '.', as in vuart.c. */
#include "vplat.h"
#include "../kernel/console.h"
#include "../kernel/fmt.h"
#include "../kernel/percpu.h"
#include "../kernel/uart.h"

static struct vm *input_vm;

void vuart_input_attach(struct vm *vm) { input_vm = vm; }

void vuart_input_detach(struct vm *vm)
{
	if (input_vm == vm)
		input_vm = NULL;
}

void vuart_input_poll(void)
{
	struct vm *vm = input_vm;
	if (!vm || vm->state != VM_RUNNABLE || !vm->plat || vm->cpu != this_cpu()->index)
		return;
	struct vplat *p = vm->plat;
	int c;
	while ((c = uart_getc_nowait()) >= 0) {
		if (p->rx_head - p->rx_tail < VUART_RX_SIZE)
			p->rx[p->rx_head++ % VUART_RX_SIZE] = (u8)c;
	}
}

bool vuart_rx_ready(struct vm *vm) { return vm->plat && vm->plat->rx_head != vm->plat->rx_tail; }

u8 vuart_rx_pop(struct vm *vm)
{
	if (!vuart_rx_ready(vm))
		return 0;
	struct vplat *p = vm->plat;
	return p->rx[p->rx_tail++ % VUART_RX_SIZE];
}

#define PRINTABLE_MIN 0x20
#define PRINTABLE_MAX 0x7e
#define TAB '\t'
#define BACKSPACE '\b'

bool vuart_input_echo(struct vm *vm, char c)
{
	if (vm != input_vm || !vm->plat)
		return false;
	struct vplat *p = vm->plat;
	char buf[CFG_NAME_MAX + 8];
	size_t n = 0;
	if (c == '\r')
		return true;
	if (!p->out_midline && c != '\n') {
		int k = snprintf(buf, sizeof(buf), "[%s] ", vm->name);
		n = (size_t)MIN((u64)k, sizeof(buf) - 2);
	}
	if ((c < PRINTABLE_MIN || c > PRINTABLE_MAX) && c != TAB && c != BACKSPACE && c != '\n')
		c = '.';
	buf[n++] = c;
	p->out_midline = c != '\n';
	console_lock();
	console_write(buf, n);
	console_unlock();
	return true;
}
