// SPDX-License-Identifier: MIT
#include "tap.h"

int tap_failures;

int tap_run(const struct tap_test *tests, size_t count)
{
	int failed = 0;

	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("TAP version 13\n1..%zu\n", count);
	for (size_t i = 0; i < count; i++) {
		tap_failures = 0;
		tests[i].fn();
		printf("%sok %zu - %s\n", tap_failures ? "not " : "", i + 1,
		       tests[i].name);
		failed += tap_failures != 0;
	}
	return failed ? 1 : 0;
}
