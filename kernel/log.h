/* kernel/log.h: the console log: every line is "moat: <subsystem>: <text>". */
#ifndef MOAT_LOG_H
#define MOAT_LOG_H

#include "types.h"

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

/* Lines above this level are dropped (default LOG_INFO). */
void log_set_level(enum log_level level);
/* Prints one line "moat: <sub>: <fmt...>\n"; errors and warnings get "error: "/"warning: ". */
void log_line(enum log_level level, const char *sub, const char *fmt, ...) __printf(3, 4);

/* Prints "moat: <text>\n" (the few lines without a subsystem, such as "moat: ready"). */
void log_plain(const char *text);

#define pr_err(sub, ...) log_line(LOG_ERR, sub, __VA_ARGS__)
#define pr_warn(sub, ...) log_line(LOG_WARN, sub, __VA_ARGS__)
#define pr_info(sub, ...) log_line(LOG_INFO, sub, __VA_ARGS__)
#define pr_debug(sub, ...) log_line(LOG_DEBUG, sub, __VA_ARGS__)

#endif
