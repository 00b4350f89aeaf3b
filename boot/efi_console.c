/* boot/efi_console.c: a console sink that prints Moat's log through the firmware's ConOut. */
#include "boot.h"
#include "../kernel/console.h"

#define CHUNK 128

static void efi_sink(const char *s, size_t n)
{
	CHAR16 buf[CHUNK * 2 + 1];
	while (n) {
		size_t k = 0, i = 0;
		for (; i < n && k < CHUNK * 2 - 1; i++) {
			if (s[i] == '\n')
				buf[k++] = L'\r';
			buf[k++] = (CHAR16)(u8)s[i];
		}
		buf[k] = 0;
		uefi_call_wrapper(ST->ConOut->OutputString, 2, ST->ConOut, buf);
		s += i;
		n -= i;
	}
}

void boot_console_attach(void) { console_set_sink(efi_sink); }
