/* SPDX-License-Identifier: MIT */
/*
 * What dcaccel bench's rows share: the clock, and a row's percentiles and
 * throughput from the latencies of its calls.
 */
#ifndef DCACCEL_CLI_BENCH_TIMING_H
#define DCACCEL_CLI_BENCH_TIMING_H

#include <stdint.h>

struct result {
	char backend[24];
	uint32_t batch, iters;
	double p50, p99, images_per_s;
	double modeled_us;	/* the device's modeled time per input, or 0 */
	double energy_pj;	/* the device's energy model per input, or -1 */
};

double now_us(void);	/* CLOCK_MONOTONIC */

/* Percentiles of lat (sorted here) and the throughput of `total` us. */
void summarize(double *lat, uint32_t batch, uint32_t iters, double total,
	       struct result *r);

#endif
