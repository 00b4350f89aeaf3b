/* tests/unit/host_log.c: log_line for host tests: formats like kernel/log.c, prints to stderr only when
 * MOAT_TEST_VERBOSE is set, and records the lines for host_log.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "kernel/log.h"
#include "host_log.h"

#define HOST_LOG_LINE_MAX 512
#define HOST_LOG_BUF_MAX 65536

static char last[HOST_LOG_LINE_MAX];
static char all[HOST_LOG_BUF_MAX]; /* lines since the reset, '\n'-separated (oldest dropped when full) */
static size_t all_len;
static unsigned count;

void log_set_level(enum log_level level)
{
	(void)level; /* host tests record every level */
}

void log_line(enum log_level level, const char *sub, const char *fmt, ...)
{
	const char *kind = level == LOG_ERR ? "error: " : level == LOG_WARN ? "warning: " : "";
	int n = snprintf(last, sizeof(last), "moat: %s: %s", sub, kind);
	va_list ap;
	size_t len;

	if (n < 0 || (size_t)n >= sizeof(last))
		n = 0;
	va_start(ap, fmt);
	vsnprintf(last + n, sizeof(last) - (size_t)n, fmt, ap);
	va_end(ap);
	count++;
	len = strlen(last);
	if (all_len + len + 2 > sizeof(all))
		all_len = 0;
	memcpy(all + all_len, last, len);
	all_len += len;
	all[all_len++] = '\n';
	all[all_len] = '\0';
	if (getenv("MOAT_TEST_VERBOSE"))
		fprintf(stderr, "%s\n", last);
}

void host_log_reset(void)
{
	last[0] = '\0';
	all[0] = '\0';
	all_len = 0;
	count = 0;
}

unsigned host_log_count(void)
{
	return count;
}

const char *host_log_last(void)
{
	return last;
}

bool host_log_has(const char *needle)
{
	return strstr(all, needle) != NULL;
}
