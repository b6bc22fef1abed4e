/* SPDX-License-Identifier: MIT */
/*
 * A small TAP producer for the host tests. Each test is a function; checks
 * record failures with the file and line, and the runner prints one
 * "ok N - name" or "not ok N - name" line per test, which tests/run.sh
 * counts together with the guest kselftests.
 */
#ifndef DCACCEL_TESTS_TAP_H
#define DCACCEL_TESTS_TAP_H

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

struct tap_test {
	const char *name;
	void (*fn)(void);
};

extern int tap_failures;	/* checks failed in the running test */

#define TAP_TEST(fn) { #fn, fn }

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			tap_failures++;					\
			printf("# %s:%d: CHECK(%s) failed\n",		\
			       __FILE__, __LINE__, #cond);		\
		}							\
	} while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		long long va_ = (long long)(a), vb_ = (long long)(b);	\
		if (va_ != vb_) {					\
			tap_failures++;					\
			printf("# %s:%d: %s == %s failed: %lld != %lld\n", \
			       __FILE__, __LINE__, #a, #b, va_, vb_);	\
		}							\
	} while (0)

#define CHECK_STR_CONTAINS(hay, needle)					\
	do {								\
		const char *h_ = (hay), *n_ = (needle);			\
		if (!h_ || !strstr(h_, n_)) {				\
			tap_failures++;					\
			printf("# %s:%d: \"%s\" does not contain \"%s\"\n", \
			       __FILE__, __LINE__, h_ ? h_ : "(null)", n_); \
		}							\
	} while (0)

/* Print a diagnostic line that TAP consumers show but do not count. */
#define DIAG(...)							\
	do {								\
		printf("# ");						\
		printf(__VA_ARGS__);					\
		printf("\n");						\
	} while (0)

int tap_run(const struct tap_test *tests, size_t count);

#define TAP_MAIN(tests)							\
	int main(void)							\
	{								\
		return tap_run(tests, sizeof(tests) / sizeof(tests[0])); \
	}

#endif
