/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef C2W_TEST_CHECK_H
#define C2W_TEST_CHECK_H

/*
 * Minimal TAP output for unit tests: each CHECK prints one "ok" or
 * "not ok" line with the condition and where it sits, and check_done()
 * prints the plan and returns the exit status meson reads.
 */

#include <stdio.h>

static unsigned check_count;
static unsigned check_failed;

#define CHECK(cond) check_report(!!(cond), #cond, __FILE__, __LINE__)

#define CHECK_EQ_U(got, want)                                           \
	do {                                                            \
		unsigned long long got_ = (got), want_ = (want);        \
		if (!check_report(got_ == want_, #got " == " #want,     \
				  __FILE__, __LINE__))                  \
			printf("#   got %llu, want %llu\n", got_, want_);   \
	} while (0)

static inline int
check_report(int ok, const char *what, const char *file, int line)
{
	check_count++;
	if (!ok)
		check_failed++;
	printf("%sok %u - %s (%s:%d)\n", ok ? "" : "not ", check_count, what,
	       file, line);
	return ok;
}

static inline int
check_done(void)
{
	printf("1..%u\n", check_count);
	return check_failed == 0 ? 0 : 1;
}

#endif /* C2W_TEST_CHECK_H */
