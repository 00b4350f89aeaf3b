/* kernel/crypto_libc.c: the hosted-libc symbols that Debian's libbearssl.a references (it was
 * built with _FORTIFY_SOURCE and the stack protector): the checked memory functions. They abort
 * on an overflow exactly as glibc would, through panic(). __stack_chk_fail is in kernel/panic.c;
 * memcpy/memset come from GNU-EFI's libefi, memmove/memcmp/strlen from kernel/string.c.
 * Not built for host tests (libc has all of these). */
#include "panic.h"
#include "string.h"

/* Visible only inside moat.efi, like every other Moat symbol; declared here (no header needs them). */
void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len);
void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_len);
void *__memset_chk(void *dst, int c, size_t n, size_t dst_len);

void *__memcpy_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
	if (n > dst_len)
		panic("crypto: __memcpy_chk: %llu bytes into %llu", (u64)n, (u64)dst_len);
	return memcpy(dst, src, n);
}

void *__memmove_chk(void *dst, const void *src, size_t n, size_t dst_len)
{
	if (n > dst_len)
		panic("crypto: __memmove_chk: %llu bytes into %llu", (u64)n, (u64)dst_len);
	return memmove(dst, src, n);
}

void *__memset_chk(void *dst, int c, size_t n, size_t dst_len)
{
	if (n > dst_len)
		panic("crypto: __memset_chk: %llu bytes into %llu", (u64)n, (u64)dst_len);
	return memset(dst, c, n);
}
