/* SPDX-License-Identifier: MIT */
/* The float baselines the engine is measured against. */
#ifndef DCACCEL_BENCH_BASELINES_H
#define DCACCEL_BENCH_BASELINES_H

#include <stdint.h>

/* A float matrix in compressed sparse row form (rows = outputs). */
struct csr {
	uint32_t rows, cols;
	uint32_t *rowstart;	/* rows + 1 */
	uint32_t *col;
	float *val;
};

/* y = A x, the straightforward CSR loop. */
void csr_spmv(const struct csr *a, const float *x, float *y);

#endif
