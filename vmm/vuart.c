/* vmm/vuart.c: the virtual 16550 (see vuart.h). Registers a driver probes hold what was written
 * to them; the line status always says "transmitter empty", so polling drivers never wait. */
#include "vuart.h"
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
#define LSR_THRE BIT(5)
#define LSR_TEMT BIT(6)
#define IIR_NONE 0x01
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

u8 vuart_read(struct vm *vm, u32 off)
{
	struct vuart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	switch (off) {
	case REG_DATA: return dlab ? u->dll : 0;
	case REG_IER: return dlab ? u->dlm : u->ier;
	case REG_IIR_FCR: return IIR_NONE;
	case REG_LCR: return u->lcr;
	case REG_MCR: return u->mcr;
	case REG_LSR: return LSR_THRE | LSR_TEMT;
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
	default: break; /* FCR, LSR, MSR writes change nothing visible */
	}
}
