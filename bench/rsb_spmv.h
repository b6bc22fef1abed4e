/* SPDX-License-Identifier: MIT */
/*
 * librsb (Debian's librsb-dev), the sparse BLAS library a user would pick
 * for y = A x on one thread: the CSR matrix of the baselines converted
 * once to librsb's recursive sparse blocks (float32).
 */
#ifndef DCACCEL_BENCH_RSB_SPMV_H
#define DCACCEL_BENCH_RSB_SPMV_H

#include <stddef.h>

#include "baselines.h"

struct rsb_mtx_t;

/* Start librsb on one thread: 0, or -1 with a message on stderr. */
int rsb_start(void);
void rsb_stop(void);
/* librsb's version string. */
const char *rsb_version(void);

/* The matrix in librsb's form, or NULL with a message on stderr. */
struct rsb_mtx_t *rsb_from_csr(const struct csr *a);
void rsb_free(struct rsb_mtx_t *m);

/* The bytes librsb keeps for the matrix (0 if it does not say). */
size_t rsb_bytes(const struct rsb_mtx_t *m);

/*
 * Tune *m for y = A x with rsb_tune_spmm() on one thread (it may replace
 * *m by a re-blocked copy): 0, or -1 with a message on stderr.
 */
int rsb_tune(struct rsb_mtx_t **m, const float *x, float *y);

/* y = A x. */
void rsb_spmv_run(const struct rsb_mtx_t *m, const float *x, float *y);

#endif
