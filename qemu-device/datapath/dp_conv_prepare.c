// SPDX-License-Identifier: MIT
/*
 * The host forms of a convolution's filters (dp_conv.h): the decoded
 * form (eie_decode_layer(): per column, the global row and codebook index
 * of every PE's non-padding entries, and the column's entry and padding
 * counts), what bounds a partial sum (the most non-zero weights of one
 * filter, the largest |weight|), and where it applies the rows form
 * (dp_conv_rows.h: per filter, its non-zero weights).
 */
#include <string.h>

#include "dp_conv.h"

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* A counter per filter, then the decoded form, then the rows form. */
size_t dp_conv_prepared_size(const struct dp_conv *c)
{
	return align8((size_t)c->filters.rows * sizeof(uint32_t)) +
	       eie_decoded_size(&c->filters) +
	       (dp_conv_rows_fits(c) ? dp_conv_rows_size(c) : 0);
}

void dp_conv_prepare(const struct dp_conv *c, void *buf,
		     struct dp_conv_prepared *p)
{
	const struct eie_layer *f = &c->filters;
	uint32_t *per_row = buf, nz;
	uint8_t *at = (uint8_t *)buf + align8((size_t)f->rows * sizeof(uint32_t));

	p->conv = c;
	eie_decode_layer(f, at, &p->dec);
	nz = p->dec.colstart[f->cols];
	memset(per_row, 0, (size_t)f->rows * sizeof(*per_row));
	p->max_row = 0;
	for (uint32_t e = 0; e < nz; e++)
		if (++per_row[p->dec.row[e]] > p->max_row)
			p->max_row = per_row[p->dec.row[e]];
	p->max_weight = 0;
	for (uint32_t i = 0; i < f->codebook_len; i++) {
		int32_t v = f->codebook[i] < 0 ? -f->codebook[i] : f->codebook[i];

		p->max_weight = v > p->max_weight ? v : p->max_weight;
	}
	p->rows_ok = dp_conv_rows_fits(c);
	if (p->rows_ok)
		dp_conv_rows_build(c, &p->dec, per_row,
				   at + eie_decoded_size(f), &p->rows);
}
