/* SPDX-License-Identifier: MIT */
/*
 * dp_conv_run()'s weight-stationary form, for maps that are not very
 * sparse: each filter's non-zero weights, each multiplied into a whole
 * stretch of an output row at once (Park et al.'s direct sparse
 * convolution: sparse weights, dense inputs), several output pixels per
 * vector instruction where the host has them when 32-bit sums are exact
 * (dp_conv.c decides), one at a time in 64 bits otherwise; a map's sums
 * come out whole, one filter after another. Internal to the datapath.
 */
#ifndef DCACCEL_DP_CONV_ROWS_H
#define DCACCEL_DP_CONV_ROWS_H

#include "eie.h"

struct dp_conv;

struct dp_conv_rows {
	uint32_t *start;	/* out_channels + 1: filter k's first weight */
	uint32_t *off;		/* each weight's input (c, r, s) in xpad */
	int16_t *wv;		/* its value */
	uint32_t hp, wp;	/* padded rows; row pitch in values */
};

/*
 * Whether the form applies: unit column stride, and the padded map
 * within 2^22 values (it is the op's input again, in 32-bit values).
 */
bool dp_conv_rows_fits(const struct dp_conv *c);

/* Bytes of buffer dp_conv_rows_build() needs (8-byte aligned). */
size_t dp_conv_rows_size(const struct dp_conv *c);

/* Bytes of the padded map dp_conv_rows_map() fills (8-byte aligned). */
size_t dp_conv_rows_xpad_size(const struct dp_conv *c);

/*
 * Fill r in buf from the streams of a convolution that fits, PE by PE:
 * per_row gets each filter's next free slot (scratch), colcount each
 * column's entries and padding over all PEs, max_row the most non-zero
 * weights of one filter.
 */
void dp_conv_rows_build(const struct dp_conv *c, uint32_t *per_row,
			uint32_t *colcount, uint64_t *max_row, void *buf,
			struct dp_conv_rows *r);

/*
 * One map's sums, sums[k][oy][ox] (bias not added), when every partial
 * sum fits 32 bits, through xpad (dp_conv_rows_xpad_size() bytes). poll
 * is asked before each filter: 0 or -ECANCELED.
 */
int dp_conv_rows_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		     const int16_t *x, int32_t *xpad, int32_t *sums,
		     const struct eie_poll *poll);

/* The same in 64 bits, one pixel at a time: for any sums. */
int dp_conv_rows_map64(const struct dp_conv *c, const struct dp_conv_rows *r,
		       const int16_t *x, int32_t *xpad, int64_t *sums,
		       const struct eie_poll *poll);

#endif
