/* SPDX-License-Identifier: MIT */
/*
 * Convolution and pooling written straight from hardware.rst's formulas,
 * sharing no code with the datapath: a dense convolution that gathers
 * each output from its window, pooling likewise, and the counters and
 * cycle model of a convolution with every B, S and F kept.
 */
#ifndef DCACCEL_TESTS_CONV_REFERENCE_H
#define DCACCEL_TESTS_CONV_REFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "eie.h"

struct ref_geometry {
	uint32_t channels, in_h, in_w;
	uint32_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
};

uint32_t ref_out_h(const struct ref_geometry *g);
uint32_t ref_out_w(const struct ref_geometry *g);

struct ref_conv {
	struct ref_geometry g;		/* channels: the input's */
	uint32_t out_channels;
	/* out_channels x (channels * kernel_h * kernel_w), PyTorch's order */
	const uint8_t *widx;
	const int16_t *codebook;
	const int32_t *bias;		/* or NULL */
	unsigned int in_frac, w_frac, out_frac;
	bool relu;
};

/* One map: x is channels x in_h x in_w, y out_channels x out_h x out_w. */
void ref_conv(const struct ref_conv *c, const int16_t *x, int16_t *y);

/* The streams a convolution's counters come from. */
struct ref_streams {
	uint32_t pes;
	const uint32_t *colptr;	/* pes x (cols + 1) */
	const uint8_t *entries;
	unsigned int entry_bytes, zbits;
};

/*
 * The statistics and the cycle model of one map, added to stats, cycles
 * and pe_busy[pes].
 */
void ref_conv_counters(const struct ref_conv *c, const struct ref_streams *s,
		       uint32_t queue_depth, const int16_t *x,
		       struct eie_stats *stats, struct eie_cycles *cycles,
		       uint64_t *pe_busy);

/* One map of channels x in_h x in_w, max (avg false) or average. */
void ref_pool(const struct ref_geometry *g, bool avg, const int16_t *x,
	      int16_t *y);

#endif
