/* SPDX-License-Identifier: MIT */
/*
 * test.h - the smallest test harness: report(cond, what) counts and prints failures,
 * test_summary() prints "N passed, N failed" and gives the exit code.
 */
#ifndef MMREF_TEST_H
#define MMREF_TEST_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static int tests_passed, tests_failed;

/* One check: prints FAIL with the expression's text and where it is. */
#define report(cond, ...)                                                                          \
	do {                                                                                       \
		if (cond) {                                                                        \
			tests_passed++;                                                            \
		} else {                                                                           \
			tests_failed++;                                                            \
			printf("FAIL %s:%d: ", __FILE__, __LINE__);                                \
			printf(__VA_ARGS__);                                                       \
			printf("\n");                                                              \
		}                                                                                  \
	} while (0)

/* Run one test_<behaviour>() function and say its name. */
#define RUN(fn)                                                                                    \
	do {                                                                                       \
		int before = tests_failed;                                                         \
		fn();                                                                              \
		printf("%s %s\n", tests_failed == before ? "ok  " : "FAIL", #fn);                  \
	} while (0)

static inline int test_summary(void)
{
	printf("%d passed, %d failed\n", tests_passed, tests_failed);
	return tests_failed == 0 ? 0 : 1;
}

#endif
