// SPDX-License-Identifier: MIT
#include <rsb.h>
#include <stdio.h>
#include <stdlib.h>

#include "rsb_spmv.h"

int rsb_start(void)
{
	rsb_int_t one = 1;
	rsb_err_t err = rsb_lib_init(RSB_NULL_INIT_OPTIONS);

	if (err == RSB_ERR_NO_ERROR)
		err = rsb_lib_set_opt(RSB_IO_WANT_EXECUTING_THREADS, &one);
	if (err != RSB_ERR_NO_ERROR) {
		fprintf(stderr, "librsb: cannot start on one thread (error 0x%x)\n",
			(unsigned int)err);
		return -1;
	}
	return 0;
}

void rsb_stop(void)
{
	rsb_lib_exit(RSB_NULL_EXIT_OPTIONS);
}

const char *rsb_version(void)
{
	return RSB_LIBRSB_VER_STRING;
}

struct rsb_mtx_t *rsb_from_csr(const struct csr *a)
{
	uint32_t nnz = a->rowstart[a->rows];
	rsb_coo_idx_t *ia = malloc((nnz ? nnz : 1) * sizeof(*ia));
	struct rsb_mtx_t *m = NULL;
	rsb_err_t err = RSB_ERR_ENOMEM;

	if (ia) {
		for (uint32_t i = 0; i < a->rows; i++)
			for (uint32_t e = a->rowstart[i]; e < a->rowstart[i + 1]; e++)
				ia[e] = (rsb_coo_idx_t)i;
		m = rsb_mtx_alloc_from_coo_const(a->val, ia,
						 (const rsb_coo_idx_t *)a->col,
						 (rsb_nnz_idx_t)nnz,
						 RSB_NUMERICAL_TYPE_FLOAT,
						 (rsb_coo_idx_t)a->rows,
						 (rsb_coo_idx_t)a->cols, 1, 1,
						 RSB_FLAG_NOFLAGS, &err);
	}
	free(ia);
	if (!m)
		fprintf(stderr, "librsb: cannot build the matrix (error 0x%x)\n",
			(unsigned int)err);
	return m;
}

int rsb_tune(struct rsb_mtx_t **m, const float *x, float *y)
{
	const float one = 1.0f, zero = 0.0f;
	rsb_int_t threads = 1;
	rsb_real_t speedup = 0;
	rsb_err_t err;

	/* its own trial runs of y = A x, on this one thread, default budget */
	err = rsb_tune_spmm(m, &speedup, &threads, 0, 0.0, RSB_TRANSPOSITION_N,
			    &one, NULL, 1, RSB_FLAG_WANT_COLUMN_MAJOR_ORDER,
			    x, 0, &zero, y, 0);
	if (err != RSB_ERR_NO_ERROR) {
		fprintf(stderr, "librsb: rsb_tune_spmm failed (error 0x%x)\n",
			(unsigned int)err);
		return -1;
	}
	return 0;
}

size_t rsb_bytes(const struct rsb_mtx_t *m)
{
	size_t bytes = 0;

	if (rsb_mtx_get_info(m, RSB_MIF_TOTAL_SIZE__TO__SIZE_T, &bytes) !=
	    RSB_ERR_NO_ERROR)
		return 0;
	return bytes;
}

void rsb_free(struct rsb_mtx_t *m)
{
	if (m)
		rsb_mtx_free(m);
}

void rsb_spmv_run(const struct rsb_mtx_t *m, const float *x, float *y)
{
	const float one = 1.0f, zero = 0.0f;

	rsb_spmv(RSB_TRANSPOSITION_N, &one, m, x, 1, &zero, y, 1);
}
