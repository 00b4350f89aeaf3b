/* kernel/log.c: formats log lines "moat: <sub>: [error: |warning: ]text" and sends them to the console. */
#include <stdarg.h>
#include "log.h"
#include "console.h"
#include "fmt.h"

#define LOG_LINE_MAX 256

static enum log_level log_max = LOG_INFO;

void log_set_level(enum log_level level) { log_max = level; }

void log_line(enum log_level level, const char *sub, const char *fmt, ...)
{
	if (level > log_max)
		return;
	char line[LOG_LINE_MAX];
	const char *kind = level == LOG_ERR ? "error: " : level == LOG_WARN ? "warning: " : "";
	int n = snprintf(line, sizeof(line), "moat: %s: %s", sub, kind);
	if (n < 0 || n >= (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	va_list ap;
	va_start(ap, fmt);
	int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	size_t len = (size_t)n + (m < 0 ? 0 : (size_t)m);
	if (len > sizeof(line) - 2)
		len = sizeof(line) - 2;
	line[len++] = '\n';
	console_lock();
	console_write(line, len);
	console_unlock();
}

void log_plain(const char *text)
{
	char line[LOG_LINE_MAX];
	int n = snprintf(line, sizeof(line) - 1, "moat: %s", text);
	size_t len = n < 0 ? 0 : MIN((size_t)n, sizeof(line) - 2);
	line[len++] = '\n';
	console_lock();
	console_write(line, len);
	console_unlock();
}
