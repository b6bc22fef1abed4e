// SPDX-License-Identifier: MIT
/*
 * Functional execution of a validated EIE layer.
 *
 * The order of work differs from the hardware's (which runs all PEs in
 * lockstep on one broadcast activation) only where integer addition makes
 * it unobservable. For the host's caches, non-zero activations are taken in
 * chunks: first a product table (codebook x activation) for the chunk, then
 * PE by PE the columns of the chunk, so that each PE's pointers, entries and
 * accumulators are read in order and stay close. Accumulators are 64-bit,
 * so no sum can overflow within DCACCEL_EIE_DIM_MAX columns, and the result
 * is the spec's, bit for bit.
 */
#include <errno.h>
#include <string.h>

#include "eie.h"
#include "eie_arith.h"
#include "eie_entry.h"

/* Non-zero activations per product table: 256 x 256 x 4 bytes at most. */
#define EIE_CHUNK	256

struct eie_nz {
	uint32_t col;
	int32_t val;
};

/* Rows per PE in the accumulator array: the first PE holds the most. */
static size_t acc_stride(const struct eie_layer *l)
{
	return DCACCEL_EIE_PE_ROWS(l->rows, l->pes, 0);
}

size_t eie_run_ws_size(const struct eie_layer *l)
{
	size_t n = acc_stride(l) * l->pes * sizeof(int64_t) +
		   (size_t)l->cols * sizeof(struct eie_nz) +
		   (size_t)EIE_CHUNK * l->codebook_len * sizeof(int32_t);
	size_t decoded = eie_run_decoded_ws_size(l);

	return n > decoded ? n : decoded;
}

/* The leading non-zero detection: the non-zero inputs, in column order. */
static uint32_t gather_nonzero(const int16_t *x, uint32_t cols,
			       struct eie_nz *nz)
{
	uint32_t k = 0;

	for (uint32_t j = 0; j < cols; j++) {
		if (x[j]) {
			nz[k].col = j;
			nz[k].val = x[j];
			k++;
		}
	}
	return k;
}

/* One vector; -ECANCELED when poll said stop before a chunk. */
static int run_vector(const struct eie_layer *l, const int16_t *x,
		      int16_t *y, void *ws, struct eie_stats *stats,
		      const struct eie_poll *poll)
{
	const size_t stride = acc_stride(l);
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	const unsigned int shift = l->in_frac + l->w_frac - l->out_frac;
	int64_t *acc = ws;
	struct eie_nz *nz = (struct eie_nz *)(acc + stride * l->pes);
	int32_t *prod = (int32_t *)(nz + l->cols);
	uint64_t entries = 0, padding = 0;
	uint32_t k, k0, nnz;

	memset(acc, 0, stride * l->pes * sizeof(*acc));
	nnz = gather_nonzero(x, l->cols, nz);

	for (k0 = 0; k0 < nnz; k0 += EIE_CHUNK) {
		uint32_t chunk = nnz - k0 < EIE_CHUNK ? nnz - k0 : EIE_CHUNK;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		for (k = 0; k < chunk; k++)
			for (uint32_t w = 0; w < l->codebook_len; w++)
				prod[k * l->codebook_len + w] =
					(int32_t)l->codebook[w] * nz[k0 + k].val;
		for (uint32_t p = 0; p < l->pes; p++) {
			const uint32_t *ptr = l->colptr +
					      (size_t)p * (l->cols + 1);
			int64_t *pe_acc = acc + p * stride;

			for (k = 0; k < chunk; k++) {
				uint32_t j = nz[k0 + k].col;
				const int32_t *tab = prod + k * l->codebook_len;

				entries += ptr[j + 1] - ptr[j];
				/* constant widths: one loop each, inlined */
				if (bytes == 1)
					padding += eie_run_entries(l->entries,
								   ptr[j], ptr[j + 1],
								   1, l->zbits, tab,
								   pe_acc, 1);
				else
					padding += eie_run_entries(l->entries,
								   ptr[j], ptr[j + 1],
								   2, l->zbits, tab,
								   pe_acc, 1);
			}
		}
	}

	for (uint32_t i = 0; i < l->rows; i++) {
		int64_t sum = acc[(i % l->pes) * stride + i / l->pes];

		if (l->bias)
			sum += l->bias[i];
		y[i] = eie_finish(sum, l->relu, shift);
	}

	eie_stats_add(stats, nnz, entries, padding);
	return 0;
}

int eie_run_poll(const struct eie_layer *l, uint32_t batch,
		 const int16_t *in, int16_t *out, void *ws,
		 struct eie_stats *stats, const struct eie_poll *poll)
{
	for (uint32_t b = 0; b < batch; b++) {
		if (eie_poll_stop(poll) ||
		    run_vector(l, in + (size_t)b * l->cols,
			       out + (size_t)b * l->rows, ws, stats, poll))
			return -ECANCELED;
	}
	return 0;
}

void eie_run(const struct eie_layer *l, uint32_t batch, const int16_t *in,
	     int16_t *out, void *ws, struct eie_stats *stats)
{
	eie_run_poll(l, batch, in, out, ws, stats, NULL);
}
