/* vmm/exit_io.c: port I/O. Every port exits (the I/O bitmaps are all ones). The VM's UART at
 * 0x3F8-0x3FF is emulated; any other port behaves like an empty bus: IN reads all ones, OUT
 * is dropped. String I/O (INS/OUTS) is not emulated: the VM is stopped with a report. */
#include "vm_exit.h"
#include "vuart.h"
#include "vplat.h"
#include "vpci.h"

#define IO_SIZE_MASK 7
#define IO_IN BIT(3)
#define IO_STRING BIT(4)
#define IO_PORT_SHIFT 16
#define IO_PORT_MASK 0xffff
#define BYTE_BITS 8
#define BYTE_MASK 0xffU

static bool is_uart(u32 port) { return port >= VUART_BASE && port < VUART_BASE + VUART_PORTS; }

enum exit_action exit_io(struct vm *vm, const struct exit_info *x)
{
	u32 size = (u32)(x->qual & IO_SIZE_MASK) + 1;
	u32 port = (u32)(x->qual >> IO_PORT_SHIFT) & IO_PORT_MASK;
	struct guest_regs *g = &vm->vcpu.regs;

	if (x->qual & IO_STRING)
		return exit_stop(vm, "string I/O (INS/OUTS) on port 0x%x at RIP 0x%llx is not supported", port, x->rip);
	if (vm->plat && size == 1) { /* a Linux VM's power-off and reset ports (vplat_io.c) */
		u8 b = (u8)g->rax;
		enum exit_action a;
		if (vplat_io(vm, port, x->qual & IO_IN, &b, &a)) {
			if (x->qual & IO_IN)
				g->rax = (g->rax & ~(u64)BYTE_MASK) | b;
			return a == EXIT_ACTION_RESUME ? exit_skip(x) : a;
		}
	}
	u32 pv = (u32)g->rax;
	if (vpci_io(vm, port, size, x->qual & IO_IN, &pv)) { /* CF8/CFC of a VM with devices (vpci.c) */
		if (x->qual & IO_IN)
			g->rax = size == 4 ? pv : (g->rax & ~((1ULL << (size * BYTE_BITS)) - 1)) | pv;
		return exit_skip(x);
	}
	if (x->qual & IO_IN) {
		u64 v = 0;
		for (u32 i = 0; i < size; i++) {
			u32 p = port + i;
			u64 b = is_uart(p) ? vuart_read(vm, p - VUART_BASE) : BYTE_MASK;
			v |= b << (i * BYTE_BITS);
		}
		u64 mask = size == 4 ? 0xffffffffULL : (1ULL << (size * BYTE_BITS)) - 1;
		/* a 32-bit IN zero-extends into RAX; 8- and 16-bit ones keep the upper bits */
		g->rax = size == 4 ? v : (g->rax & ~mask) | v;
	} else {
		for (u32 i = 0; i < size; i++) {
			u32 p = port + i;
			if (is_uart(p))
				vuart_write(vm, p - VUART_BASE, (u8)(g->rax >> (i * BYTE_BITS)));
		}
	}
	return exit_skip(x);
}
