/* SPDX-License-Identifier: MIT */
/*
 * Direct sparse convolution on the EIE datapath (hardware.rst,
 * "Convolution"): the filters are an EIE layer of out_channels rows and
 * in_channels x kernel_h x kernel_w columns; every non-zero input is
 * broadcast once and each PE multiplies it into the outputs of its
 * channels that read it, tap by tap, without im2col. Same rules as eie.h:
 * no allocation, workspaces sized by the *_ws_size() functions, host
 * pointers in host byte order.
 */
#ifndef DCACCEL_DP_CONV_H
#define DCACCEL_DP_CONV_H

#include "dp_conv_rows.h"
#include "dp_window.h"
#include "eie.h"

/* Non-zero inputs of a map between two questions to a poll. */
#define DP_CONV_POLL_EVERY	16

struct dp_conv {
	/*
	 * rows: out_channels; cols: in_channels * kernel_h * kernel_w, column
	 * (c * kernel_h + r) * kernel_w + s; bias per output channel.
	 */
	struct eie_layer filters;
	uint32_t in_channels;
	struct dp_window win;
};

/*
 * Check the geometry, that filters.cols matches it, and the filters as
 * eie_validate() does. 0 or -EINVAL with err->msg.
 */
int dp_conv_validate(const struct dp_conv *c, struct eie_error *err);

/* Bytes of workspace dp_conv_run() needs (8-byte aligned). */
size_t dp_conv_run_ws_size(const struct dp_conv *c);

/*
 * Run a validated convolution on `batch` input maps in CHW order, writing
 * out_channels x out_h x out_w outputs per map to `out`; stats, when not
 * NULL, is added to. poll (may be NULL) is asked before the filters are
 * prepared, before each map, every 16 non-zero inputs and, in the rows
 * form, before each filter's pass over each tile of output positions: 0,
 * or -ECANCELED with out partial.
 */
int dp_conv_run(const struct dp_conv *c, uint32_t batch, const int16_t *in,
		int16_t *out, void *ws, struct eie_stats *stats,
		const struct eie_poll *poll);

/*
 * The filters' host forms (dp_conv_prepare.c), for running many maps of
 * one convolution on a CPU: built once, then dp_conv_run_prepared()
 * gives dp_conv_run()'s outputs, statistics and polls, bit for bit, from
 * them. dp_conv_run() builds them in its workspace on every call.
 */
struct dp_conv_prepared {
	const struct dp_conv *conv;
	const uint32_t *colcount;	/* per column: entries, then padding */
	uint32_t *chancount;	/* the same summed over an input channel's taps */
	uint64_t max_row;	/* most non-padding entries of one filter */
	int32_t max_weight;	/* largest |codebook[i]| */
	bool rows_ok;		/* the rows form, else the decoded form */
	struct dp_conv_rows rows;	/* per filter, its non-zero weights */
	struct eie_decoded dec;	/* per column, every PE's entries */
};

/* Bytes of buffer dp_conv_prepare() needs (8-byte aligned). */
size_t dp_conv_prepared_size(const struct dp_conv *c);

/*
 * Build the host forms of a validated convolution in buf; p points into
 * buf and at c, which must outlive it.
 */
void dp_conv_prepare(const struct dp_conv *c, void *buf,
		     struct dp_conv_prepared *p);

/* Bytes of workspace dp_conv_run_prepared() needs (8-byte aligned). */
size_t dp_conv_prepared_ws_size(const struct dp_conv *c);

/* dp_conv_run() from the host forms. */
int dp_conv_run_prepared(const struct dp_conv_prepared *p, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll);

/* Bytes of workspace dp_conv_model_cycles() needs (8-byte aligned). */
size_t dp_conv_cycles_ws_size(const struct dp_conv *c, uint32_t queue_depth);

/*
 * The cycle model of a validated convolution on `batch` input maps, with
 * queues of queue_depth entries, added to cycles and (when not NULL)
 * pe_busy[filters.pes]. 0, -EINVAL for a bad queue depth, -ECANCELED.
 */
int dp_conv_model_cycles(const struct dp_conv *c, uint32_t queue_depth,
			 uint32_t batch, const int16_t *in, void *ws,
			 struct eie_cycles *cycles, uint64_t *pe_busy,
			 const struct eie_poll *poll);

#endif
