// SPDX-License-Identifier: MIT
/*
 * The host forms of a convolution's filters (dp_conv.h): what bounds a
 * partial sum (the most non-zero weights of one filter, the largest
 * |weight|), each column's entry and padding counts for the statistics,
 * and the weights themselves: where it applies the rows form
 * (dp_conv_rows.h: per filter, its non-zero weights, built PE by PE from
 * the streams), otherwise the decoded form (eie_decode_layer(): per
 * column, the global row and codebook index of every PE's entries).
 */
#include <string.h>

#include "dp_conv.h"

/* per filter, per column (2), per input channel (2) */
static size_t counters_size(const struct dp_conv *c)
{
	return eie_align8((size_t)c->filters.rows * sizeof(uint32_t)) +
	       eie_align8((size_t)c->filters.cols * 2 * sizeof(uint32_t)) +
	       eie_align8((size_t)c->in_channels * 2 * sizeof(uint32_t));
}

size_t dp_conv_prepared_size(const struct dp_conv *c)
{
	return counters_size(c) + (dp_conv_rows_fits(c) ?
				   dp_conv_rows_size(c) :
				   eie_decoded_size(&c->filters));
}

/* The most non-padding entries of one filter, from the decoded form. */
static uint64_t most_per_row(const struct eie_decoded *d, uint32_t rows,
			     uint32_t *per_row)
{
	uint32_t nz = d->colstart[d->layer->cols];
	uint64_t most = 0;

	memset(per_row, 0, (size_t)rows * sizeof(*per_row));
	for (uint32_t e = 0; e < nz; e++)
		if (++per_row[d->row[e]] > most)
			most = per_row[d->row[e]];
	return most;
}

void dp_conv_prepare(const struct dp_conv *c, void *buf,
		     struct dp_conv_prepared *p)
{
	const struct eie_layer *f = &c->filters;
	uint32_t *per_row = buf;
	uint32_t *colcount = (uint32_t *)((uint8_t *)buf +
			     eie_align8((size_t)f->rows * sizeof(uint32_t)));
	const uint32_t taps = c->win.kernel_h * c->win.kernel_w;
	uint8_t *at = (uint8_t *)buf + counters_size(c);

	p->conv = c;
	p->rows_ok = dp_conv_rows_fits(c);
	if (p->rows_ok) {
		dp_conv_rows_build(c, per_row, colcount, &p->max_row, at,
				   &p->rows);
		p->colcount = colcount;
	} else {
		eie_decode_layer(f, at, &p->dec);
		p->max_row = most_per_row(&p->dec, f->rows, per_row);
		p->colcount = p->dec.colcount;
	}
	/* entry counts stay below 2^32: at most DCACCEL_EIE_DIM_MAX of them */
	p->chancount = (uint32_t *)((uint8_t *)colcount +
		       eie_align8((size_t)f->cols * 2 * sizeof(uint32_t)));
	memset(p->chancount, 0, (size_t)c->in_channels * 2 * sizeof(uint32_t));
	for (uint32_t j = 0; j < f->cols; j++) {
		p->chancount[2 * (j / taps)] += p->colcount[2 * j];
		p->chancount[2 * (j / taps) + 1] += p->colcount[2 * j + 1];
	}
	p->max_weight = 0;
	for (uint32_t i = 0; i < f->codebook_len; i++) {
		int32_t v = f->codebook[i] < 0 ? -f->codebook[i] : f->codebook[i];

		p->max_weight = v > p->max_weight ? v : p->max_weight;
	}
}
