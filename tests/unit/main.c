/* tests/unit/main.c: the host unit-test runner: runs every registered suite in name order (or the tests
 * whose name contains argv[1]), prints one line per failed check, ends with "unit: N passed, N failed". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "check.h"
#include "host_log.h"

#define MAX_SUITES 64

static const struct unit_suite *suites[MAX_SUITES];
static size_t nsuites;

static const char *current;
static unsigned current_failures;

void unit_fail(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stdout, "%s:%d: %s: ", file, line, current ? current : "?");
	va_start(ap, fmt);
	vfprintf(stdout, fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
	current_failures++;
}

void unit_register(const struct unit_suite *s)
{
	if (nsuites == MAX_SUITES) {
		fprintf(stderr, "unit: more than %d suites\n", MAX_SUITES);
		exit(2);
	}
	suites[nsuites++] = s;
}

static int by_name(const void *a, const void *b)
{
	return strcmp((*(const struct unit_suite *const *)a)->name,
		      (*(const struct unit_suite *const *)b)->name);
}

int main(int argc, char **argv)
{
	const char *filter = argc > 1 ? argv[1] : NULL;
	unsigned passed = 0, failed = 0;

	qsort(suites, nsuites, sizeof(suites[0]), by_name);
	for (size_t s = 0; s < nsuites; s++) {
		for (size_t i = 0; i < suites[s]->ntests; i++) {
			const struct unit_test *t = &suites[s]->tests[i];

			if (filter && !strstr(t->name, filter))
				continue;
			current = t->name;
			current_failures = 0;
			host_log_reset();
			t->fn();
			if (current_failures)
				failed++;
			else
				passed++;
			if (getenv("MOAT_TEST_VERBOSE"))
				fprintf(stderr, "%s %s\n", current_failures ? "FAIL" : "ok  ", t->name);
		}
	}
	printf("unit: %u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
