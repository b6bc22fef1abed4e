// SPDX-License-Identifier: MIT
/* Fully connected layer: y = x W^T + b over a batch, with OpenBLAS. */
#include <string.h>

#include <cblas.h>

#include "net.h"

static int fc_forward(struct layer *l, const float *x, float *y,
		      uint32_t count, bool train)
{
	const struct weights *wt = &l->wt;

	(void)train;
	for (uint32_t r = 0; r < count; r++)
		memcpy(y + (size_t)r * wt->rows, wt->b.v, wt->rows * sizeof(float));
	cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)count,
		    (int)wt->rows, (int)wt->cols, 1.0f, x, (int)wt->cols,
		    wt->w.v, (int)wt->cols, 1.0f, y, (int)wt->rows);
	return 0;
}

/* dW = dy^T x, db = column sums of dy, dx = dy W. */
static void fc_backward(struct layer *l, const float *x, const float *y,
			const float *dy, float *dx, uint32_t count)
{
	struct weights *wt = &l->wt;

	(void)y;
	cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)wt->rows,
		    (int)wt->cols, (int)count, 1.0f, dy, (int)wt->rows, x,
		    (int)wt->cols, 0.0f, wt->w.g, (int)wt->cols);
	memset(wt->b.g, 0, wt->rows * sizeof(float));
	for (uint32_t r = 0; r < count; r++)
		for (uint32_t c = 0; c < wt->rows; c++)
			wt->b.g[c] += dy[(size_t)r * wt->rows + c];
	if (dx)
		cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)count,
			    (int)wt->cols, (int)wt->rows, 1.0f, dy, (int)wt->rows,
			    wt->w.v, (int)wt->cols, 0.0f, dx, (int)wt->cols);
}

const struct layer_ops layer_fc_ops = { fc_forward, fc_backward };
