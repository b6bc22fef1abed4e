/* SPDX-License-Identifier: MIT */
/* Wall-clock medians for the benchmarks. */
#ifndef DCACCEL_BENCH_TIMING_H
#define DCACCEL_BENCH_TIMING_H

#include <stdlib.h>
#include <time.h>

static inline double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Median seconds of fn(arg) over at least min_reps runs and at least
 * min_total seconds (at most 1000 runs), after one warm-up run.
 */
static inline double median_time(void (*fn)(void *), void *arg,
				 int min_reps, double min_total)
{
	double t[1000], total = 0;
	int n = 0;

	fn(arg);
	while (n < 1000 && (n < min_reps || total < min_total)) {
		double t0 = now_s();

		fn(arg);
		t[n] = now_s() - t0;
		total += t[n++];
	}
	qsort(t, (size_t)n, sizeof(t[0]), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

#endif
