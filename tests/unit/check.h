/* tests/unit/check.h: the host unit-test harness: CHECK macros and the test tables the runner walks. */
#ifndef MOAT_TEST_CHECK_H
#define MOAT_TEST_CHECK_H

#include <stddef.h>
#include <string.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

struct unit_suite {
	const char *name;
	const struct unit_test *tests;
	size_t ntests;
};

/* Adds a suite to the runner (called before main by UNIT_SUITE). */
void unit_register(const struct unit_suite *s);

/* clang-format off */
#define UNIT_TEST(f) { #f, f }
/* clang-format on */
/* Registers the test table `table` as suite `name` (use at file scope, followed by ';'): a test file
 * needs nothing else, no edit of main.c. */
#define UNIT_SUITE(name, table)                                                                              \
	static const struct unit_suite name;                                                                 \
	__attribute__((constructor)) static void name##_register(void)                                       \
	{                                                                                                    \
		unit_register(&name);                                                                        \
	}                                                                                                    \
	static const struct unit_suite name = {#name, table, sizeof(table) / sizeof((table)[0])}

/* Records a failed check of the running test and prints "file:line: test: what". */
void unit_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#define CHECK(expr)                                                                                          \
	do {                                                                                                 \
		if (!(expr))                                                                                 \
			unit_fail(__FILE__, __LINE__, "CHECK(%s) failed", #expr);                            \
	} while (0)

#define CHECK_EQ(a, b)                                                                                       \
	do {                                                                                                 \
		unsigned long long check_a_ = (unsigned long long)(a), check_b_ = (unsigned long long)(b);   \
		if (check_a_ != check_b_)                                                                    \
			unit_fail(__FILE__, __LINE__,                                                        \
				  "CHECK_EQ(%s, %s) failed: %lld (0x%llx) != %lld (0x%llx)", #a, #b,         \
				  (long long)check_a_, check_a_, (long long)check_b_, check_b_);             \
	} while (0)

#define CHECK_STR(a, b)                                                                                      \
	do {                                                                                                 \
		const char *check_a_ = (a), *check_b_ = (b);                                                 \
		if (!check_a_ || !check_b_ || strcmp(check_a_, check_b_) != 0)                               \
			unit_fail(__FILE__, __LINE__,                                                        \
				  "CHECK_STR(%s, %s) failed:\n  got  \"%s\"\n  want \"%s\"", #a, #b,         \
				  check_a_ ? check_a_ : "(null)", check_b_ ? check_b_ : "(null)");           \
	} while (0)

/* haystack contains needle */
#define CHECK_HAS(hay, needle)                                                                               \
	do {                                                                                                 \
		const char *check_h_ = (hay), *check_n_ = (needle);                                          \
		if (!check_h_ || !strstr(check_h_, check_n_))                                                \
			unit_fail(__FILE__, __LINE__, "CHECK_HAS(%s, \"%s\") failed: got \"%s\"", #hay,      \
				  check_n_, check_h_ ? check_h_ : "(null)");                                 \
	} while (0)

#endif
