/* SPDX-License-Identifier: MIT */
/*
 * dp_conv_run()'s weight-stationary form, for maps that are not very
 * sparse (Park et al.'s direct sparse convolution: sparse weights, dense
 * inputs). With unit column stride, output pixel (oy, ox) reads input
 * (c, oy * stride_h + r, ox + s) of the padded map, row pitch wp: flat
 * index ((c * hp + r) * wp + s) + oy * stride_h * wp + ox. So a weight
 * is one offset into the flattened padded map, and a filter's sums over
 * a stretch of flat positions are a one-dimensional correlation. The
 * stretch is a whole output row, or with stride_h 1 every row at once
 * (the wp - out_w positions between rows are computed and dropped).
 *
 * Weights whose offsets are adjacent (taps s and s + 1) go in pairs: the
 * padded map is kept as pairs of neighbours, (x[i], x[i + 1]) in the low
 * and high halves of one 32-bit lane, so that one 16-bit multiply-add
 * instruction (pmaddwd, vpdpwssd) computes wa x[i] + wb x[i + 1] per
 * lane; a weight without a neighbour gets wb = 0. Internal to the
 * datapath.
 */
#ifndef DCACCEL_DP_CONV_ROWS_H
#define DCACCEL_DP_CONV_ROWS_H

#include "eie.h"

struct dp_conv;

struct dp_conv_rows {
	uint32_t *start;	/* out_channels + 1: filter k's first pair */
	uint32_t *off;		/* each pair's first input, flat in the map */
	uint32_t *wpair;	/* its weights: wa low 16 bits, wb high 16 */
	uint32_t hp, wp;	/* padded rows; row pitch in values */
};

/*
 * Whether the form applies: unit column stride, and the padded map
 * within 2^22 values (it is the op's input again, in 32-bit values).
 */
bool dp_conv_rows_fits(const struct dp_conv *c);

/* Bytes of buffer dp_conv_rows_build() needs (8-byte aligned). */
size_t dp_conv_rows_size(const struct dp_conv *c);

/* Bytes of the paired padded map dp_conv_rows_map() fills (8-aligned). */
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
 * One map's outputs, y[k][oy][ox] (bias, rounding, ReLU, saturation as
 * eie_finish()), when every partial sum fits 32 bits, through xpad
 * (dp_conv_rows_xpad_size() bytes); bound (at most INT32_MAX) bounds
 * every |sum|. poll is asked before each filter's pass over each tile:
 * 0 or -ECANCELED.
 */
int dp_conv_rows_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		     const int16_t *x, uint32_t *xpad, int16_t *y,
		     uint64_t bound, const struct eie_poll *poll);

/* The same in 64 bits, one pixel at a time: for any sums. */
int dp_conv_rows_map64(const struct dp_conv *c, const struct dp_conv_rows *r,
		       const int16_t *x, uint32_t *xpad, int64_t *sums,
		       const struct eie_poll *poll);

#endif
