/* SPDX-License-Identifier: MIT */
/*
 * The pieces of a decoded layer's single-vector run (eie_decoded.c) that
 * eie_team.c splits over a team: the counts, the choice of form, the
 * column form's partial sums and the output stage.
 */
#ifndef DCACCEL_EIE_DECODED_PARTS_H
#define DCACCEL_EIE_DECODED_PARTS_H

#include "eie.h"

/* Non-zero activations between two questions to the poll, as eie_run(). */
#define EIE_POLL_EVERY	256

/* The statistics of one vector: its non-zero inputs and what they meet. */
struct eie_vector_counts {
	uint64_t nnz, entries, padding;
};

void eie_vector_counts(const struct eie_decoded *d, const int16_t *x,
		       struct eie_vector_counts *c);

/*
 * Whether a vector goes through the rows form: it reads every slot, the
 * column form only the entries of the non-zero inputs, at about 3 times
 * the cost per entry (a scatter and a product table per column against a
 * gather; make bench's layers break even at 35-37% of the slots met,
 * LeNet-300-100's at batch 1 gain from a third); `active` is the entries
 * the inputs meet.
 */
bool eie_take_rows(const struct eie_decoded *d, uint64_t active);

/*
 * Add columns [j0, j1) of x's products to acc (rows int64 sums); prod is
 * codebook_len int32 of scratch. 0, or -ECANCELED when poll said stop
 * (every 256 non-zero inputs).
 */
int eie_columns_partial(const struct eie_decoded *d, const int16_t *x,
			uint32_t j0, uint32_t j1, int64_t *acc, int32_t *prod,
			const struct eie_poll *poll);

/*
 * One vector whose counts are known (eie_vector_counts()), by rows or by
 * columns as eie_take_rows() says; stats added to. 0 or -ECANCELED.
 */
int eie_run_counted_vector(const struct eie_decoded *d, const int16_t *x,
			   int16_t *y, void *ws, struct eie_stats *stats,
			   const struct eie_poll *poll,
			   const struct eie_vector_counts *counts);

/* The output stage of every row: bias, ReLU, rounding, saturation. */
void eie_finish_sums(const struct eie_layer *l, const int64_t *acc,
		     int16_t *y);

#endif
