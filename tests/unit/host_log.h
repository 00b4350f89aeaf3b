/* tests/unit/host_log.h: what the host log_line recorded, so tests can assert on log messages. */
#ifndef MOAT_TEST_HOST_LOG_H
#define MOAT_TEST_HOST_LOG_H

#include <stdbool.h>

/* Forgets every recorded line. */
void host_log_reset(void);
/* Lines logged since the last reset. */
unsigned host_log_count(void);
/* The last line logged ("moat: sub: ..."), "" if none since the reset. */
const char *host_log_last(void);
/* True if a line logged since the reset contains needle. */
bool host_log_has(const char *needle);

#endif
