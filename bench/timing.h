/* SPDX-License-Identifier: MIT */
/*
 * Medians of the calling thread's CPU time for the benchmarks: every
 * method measured runs on this one thread (the libraries are set to one
 * thread), and on a machine shared with builds and training the time the
 * thread waits for a core is not the method's.
 */
#ifndef DCACCEL_BENCH_TIMING_H
#define DCACCEL_BENCH_TIMING_H

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static inline double clock_s(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double now_s(void)
{
	return clock_s(CLOCK_THREAD_CPUTIME_ID);
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
	double t[1000], total = 0, process = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	int n = 0;

	fn(arg);
	while (n < 1000 && (n < min_reps || total < min_total)) {
		double t0 = now_s();

		fn(arg);
		t[n] = now_s() - t0;
		total += t[n++];
	}
	/* a library that ran threads of its own would make this unfair */
	process = clock_s(CLOCK_PROCESS_CPUTIME_ID) - process;
	if (process > 1.1 * total * (n + 1) / n + 1e-3)
		fprintf(stderr, "timing: other threads worked %.0f%% of the time measured: not a one-thread figure\n",
			(process / (total * (n + 1) / n) - 1) * 100);
	qsort(t, (size_t)n, sizeof(t[0]), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

/*
 * Median wall-clock seconds of fn(arg), for what runs on several threads
 * (their CPU time is not the method's time): as median_time() otherwise.
 */
static inline double median_wall_time(void (*fn)(void *), void *arg,
				      int min_reps, double min_total)
{
	double t[1000], total = 0;
	int n = 0;

	fn(arg);
	while (n < 1000 && (n < min_reps || total < min_total)) {
		double t0 = clock_s(CLOCK_MONOTONIC);

		fn(arg);
		t[n] = clock_s(CLOCK_MONOTONIC) - t0;
		total += t[n++];
	}
	qsort(t, (size_t)n, sizeof(t[0]), cmp_double);
	return n % 2 ? t[n / 2] : (t[n / 2 - 1] + t[n / 2]) / 2;
}

#endif
