// SPDX-License-Identifier: MIT
/* dcaccel bench's clock and row summary (bench_timing.h). */
#include <stdlib.h>
#include <time.h>

#include "bench_timing.h"

double now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

void summarize(double *lat, uint32_t batch, uint32_t iters, double total,
	       struct result *r)
{
	qsort(lat, iters, sizeof(*lat), cmp_double);
	r->batch = batch;
	r->iters = iters;
	r->p50 = lat[(iters - 1) / 2];
	r->p99 = lat[(uint32_t)((iters - 1) * 0.99 + 0.5)];
	r->images_per_s = total > 0 ? batch * (double)iters / (total / 1e6) : 0;
	r->energy_pj = -1;	/* a device row measures it after */
}
