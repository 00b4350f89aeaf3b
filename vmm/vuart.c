/* vmm/vuart.c: the virtual 16550 (see vuart.h). Registers a driver probes hold what was written
 * to them; the line status always says "transmitter empty", so polling drivers never wait.
 * IIR follows the enabled interrupts as levels: "RX data" while input waits (vuart_input.c) and
 * IER.RDI is set, else "THR empty" while IER.THRI is set (the transmitter is always empty), else
 * none; FIFO bits follow FCR. A driver that polls IIR (Linux's 8250 without an IRQ) so sees work
 * to do; no interrupt is ever raised. */
#include "vuart.h"
#include "vplat.h"
#include "../kernel/console.h"
#include "../kernel/fmt.h"
#include "../kernel/string.h"

#define REG_DATA 0    /* THR/RBR, or DLL when LCR.DLAB */
#define REG_IER 1     /* or DLM when LCR.DLAB */
#define REG_IIR_FCR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB BIT(7)
#define LSR_DR BIT(0)
#define LSR_THRE BIT(5)
#define LSR_TEMT BIT(6)
#define IIR_NONE 0x01
#define IIR_THRE 0x02
#define IIR_RX_DATA 0x04
#define IIR_FIFO_ENABLED 0xc0
#define IER_RDI BIT(0)
#define IER_THRI BIT(1)
#define FCR_FIFO_ENABLE BIT(0)
#define MSR_DCD_DSR_CTS 0xb0
#define PRINTABLE_MIN 0x20
#define PRINTABLE_MAX 0x7e
#define TAB '\t'

void vuart_flush(struct vm *vm)
{
	struct vuart *u = &vm->uart;
	if (!u->len)
		return;
	char line[VUART_LINE_MAX + CFG_NAME_MAX + 8];
	int n = snprintf(line, sizeof(line), "[%s] ", vm->name);
	size_t len = (size_t)MIN((u64)n, sizeof(line) - 1);
	memcpy(line + len, u->line, u->len);
	len += u->len;
	line[len++] = '\n';
	console_lock();
	console_write(line, len);
	console_unlock();
	u->len = 0;
}

static void put(struct vm *vm, char c)
{
	struct vuart *u = &vm->uart;
	if (vuart_input_echo(vm, c))
		return; /* the interactive VM: shown as typed (vuart_input.c) */
	if (c == '\n') {
		if (!u->len)
			u->line[u->len++] = ' '; /* an empty line still shows whose it is */
		vuart_flush(vm);
		return;
	}
	if (c == '\r')
		return;
	/* control characters could forge other VMs' lines or terminal state: shown as '.' */
	if ((c < PRINTABLE_MIN || c > PRINTABLE_MAX) && c != TAB)
		c = '.';
	u->line[u->len++] = c;
	if (u->len == VUART_LINE_MAX)
		vuart_flush(vm);
}

void vuart_output(struct vm *vm, const char *s, u64 n)
{
	for (u64 i = 0; i < n; i++)
		put(vm, s[i]);
}

static u8 iir(struct vm *vm)
{
	struct vuart *u = &vm->uart;
	u8 fifo = (u->fcr & FCR_FIFO_ENABLE) ? IIR_FIFO_ENABLED : 0;
	if ((u->ier & IER_RDI) && vuart_rx_ready(vm))
		return fifo | IIR_RX_DATA;
	if (u->ier & IER_THRI)
		return fifo | IIR_THRE;
	return fifo | IIR_NONE;
}

u8 vuart_read(struct vm *vm, u32 off)
{
	struct vuart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case REG_DATA: return dlab ? u->dll : vuart_rx_pop(vm);
	case REG_IER: return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR: return iir(vm);
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR: return LSR_THRE | LSR_TEMT | (vuart_rx_ready(vm) ? LSR_DR : 0);
	case REG_MSR: return MSR_DCD_DSR_CTS;
	default: return u->scr;
	}
}

void vuart_write(struct vm *vm, u32 off, u8 v)
{
	struct vuart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case REG_DATA:
		if (dlab)
			u->dll = v;
		else
			put(vm, (char)v);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v & 0x0f;
		break;
	case REG_LCR: u->lcr = v; break;
	case REG_MCR: u->mcr = v & 0x1f; break;
	case REG_SCR: u->scr = v; break;
	case REG_IIR_FCR: u->fcr = v & FCR_FIFO_ENABLE; break; /* the clear bits act at once: nothing queued */
	default: break; /* LSR, MSR writes change nothing visible */
	}
}
