// SPDX-License-Identifier: MIT
/*
 * Direct sparse convolution (hardware.rst, "Convolution"). Each non-zero
 * input (c, y, x) of a map is broadcast once; for every filter tap (r, s)
 * under which an output window reads it, every PE's run of column
 * (c * kernel_h + r) * kernel_w + s goes into the accumulators of its
 * output channels at that output pixel. On the host the runs are read
 * from the filters' decoded form (eie_decode_layer(), once per call):
 * one loop over a column's entries of all PEs instead of one short run
 * per PE, as for the FC op (the host forms: dp_conv_prepare.c). The
 * order of the additions differs from the
 * hardware's only where exact integer sums make it unobservable: 64-bit
 * accumulators, or 32-bit ones for a map whose inputs, weights and
 * filter sizes bound every partial sum below 2^31 (half the memory
 * traffic, which is what a tap's scattered additions wait on); the
 * statistics count the streams' entries and padding, and poll is asked
 * where the hardware would stop.
 */
#include <errno.h>
#include <string.h>

#include "dp_conv.h"
#include "eie_arith.h"

int dp_conv_validate(const struct dp_conv *c, struct eie_error *err)
{
	uint64_t taps;
	int ret;

	if (!c)
		return eie_fail(err, "no convolution");
	if (c->in_channels == 0 || c->in_channels > DCACCEL_EIE_DIM_MAX)
		return eie_fail(err, "in_channels must be 1..%u, got %u",
			        DCACCEL_EIE_DIM_MAX, c->in_channels);
	ret = dp_window_validate(&c->win, err);
	if (ret)
		return ret;
	taps = (uint64_t)c->in_channels * c->win.kernel_h * c->win.kernel_w;
	if (c->filters.cols != taps)
		return eie_fail(err,
			        "the filters have %u columns, in_channels x kernel_h x kernel_w is %llu",
			        c->filters.cols, (unsigned long long)taps);
	return eie_validate(&c->filters, err);
}

static size_t map_outputs(const struct dp_conv *c)
{
	return (size_t)c->filters.rows * dp_window_out_h(&c->win) *
	       dp_window_out_w(&c->win);
}

/*
 * The workspace of dp_conv_run_prepared(): the accumulators of one map,
 * pixel-major for the walk (output pixel px's channels at acc[px * K ..
 * px * K + K - 1], so that one tap's entries land in one short stretch)
 * or filter-major for the rows form, and the rows form's padded map.
 */
size_t dp_conv_prepared_ws_size(const struct dp_conv *c)
{
	return eie_align8(map_outputs(c) * sizeof(int64_t)) +
	       (dp_conv_rows_fits(c) ? dp_conv_rows_xpad_size(c) : 0);
}

size_t dp_conv_run_ws_size(const struct dp_conv *c)
{
	return dp_conv_prepared_size(c) + dp_conv_prepared_ws_size(c);
}

/* Where a map's sums go: the accumulators and the padded map. */
struct conv_ws {
	void *acc;		/* int64_t, or int32_t when narrow */
	uint32_t *xpad;
};

/*
 * What no |partial sum| of a map whose largest |input| is max_in
 * exceeds: an output adds at most one product per non-zero weight of its
 * filter, so max_row * max_weight * max_in. 32-bit accumulators are
 * exact when it is at most INT32_MAX.
 */
static uint64_t sum_bound(const struct dp_conv_prepared *p, int32_t max_in)
{
	return p->max_row * (uint64_t)p->max_weight * (uint64_t)max_in;
}

/* Every PE's run of column j into the channels of one output pixel. */
#define RUN_TAP(type)							\
static void run_tap_##type(const struct eie_decoded *d, uint32_t j,	\
			   const int16_t *codebook, int32_t a,		\
			   type *px_acc)				\
{									\
	const uint32_t *row = d->row;					\
	const uint8_t *widx = d->widx;					\
	const uint32_t end = d->colstart[j + 1];			\
									\
	for (uint32_t e = d->colstart[j]; e < end; e++)			\
		px_acc[row[e]] += (int32_t)codebook[widx[e]] * a;	\
}
RUN_TAP(int32_t)
RUN_TAP(int64_t)

/* How a map's non-zero inputs are walked (see run_map()). */
enum walk {
	WALK_COUNT,	/* the statistics only: the sums are the rows form's */
	WALK_NARROW,	/* into 32-bit pixel-major accumulators */
	WALK_WIDE,	/* into 64-bit ones */
};

/*
 * Broadcast a map's non-zero inputs in memory order as the hardware does:
 * the statistics, the poll every DP_CONV_POLL_EVERY inputs, and unless
 * `how` is WALK_COUNT every valid tap's entries into the accumulators.
 */
static int walk_inputs(const struct dp_conv_prepared *p, const int16_t *x,
		       const struct conv_ws *ws, enum walk how,
		       struct eie_stats *st, const struct eie_poll *poll)
{
	const struct dp_conv *c = p->conv;
	const struct eie_layer *f = &c->filters;
	const struct eie_decoded *d = &p->dec;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const size_t k_n = f->rows;
	int64_t *acc64 = ws->acc;
	int32_t *acc32 = ws->acc;
	const int16_t *at = x;

	for (uint32_t ch = 0; ch < c->in_channels; ch++) {
		for (uint32_t iy = 0; iy < w->in_h; iy++) {
			uint32_t ylo, yhi;

			dp_window_taps(iy, w->kernel_h, w->stride_h, w->pad_h,
				       out_h, &ylo, &yhi);
			for (uint32_t ix = 0; ix < w->in_w; ix++) {
				const int32_t a = *at++;
				uint32_t xlo, xhi;

				if (!a)
					continue;
				if (st->nonzero_acts &&
				    st->nonzero_acts % DP_CONV_POLL_EVERY == 0 &&
				    eie_poll_stop(poll))
					return -ECANCELED;
				st->nonzero_acts++;
				dp_window_taps(ix, w->kernel_w, w->stride_w,
					       w->pad_w, out_w, &xlo, &xhi);
				/* every tap reads it: the channel's counts */
				if (how == WALK_COUNT && yhi - ylo == w->kernel_h &&
				    xhi - xlo == w->kernel_w) {
					st->entries += p->chancount[2 * ch];
					st->padding += p->chancount[2 * ch + 1];
					continue;
				}
				for (uint32_t oy = ylo; oy < yhi; oy++) {
					uint32_t r = iy + w->pad_h - oy * w->stride_h;

					for (uint32_t ox = xlo; ox < xhi; ox++) {
						uint32_t s = ix + w->pad_w -
							     ox * w->stride_w;
						uint32_t j = (ch * w->kernel_h + r) *
							     w->kernel_w + s;
						size_t px = (size_t)oy * out_w + ox;

						st->entries += p->colcount[2 * j];
						st->padding += p->colcount[2 * j + 1];
						if (how == WALK_NARROW)
							run_tap_int32_t(d, j, f->codebook, a,
									acc32 + px * k_n);
						else if (how == WALK_WIDE)
							run_tap_int64_t(d, j, f->codebook, a,
									acc64 + px * k_n);
					}
				}
			}
		}
	}
	return 0;
}

/*
 * One input map, its statistics added to st unless it is NULL;
 * -ECANCELED when poll said stop. Where the rows form
 * applies, the map runs in it (dp_conv_rows.h, sums filter-major) after
 * the walk that counts; otherwise the walk adds every tap's entries
 * itself (sums pixel-major). Either in 32 bits when that is exact.
 */
static int run_map(const struct dp_conv_prepared *p, const int16_t *x,
		   int16_t *y, const struct conv_ws *ws, struct eie_stats *st,
		   const struct eie_poll *poll)
{
	const struct dp_conv *c = p->conv;
	const struct eie_layer *f = &c->filters;
	const struct dp_window *w = &c->win;
	const size_t plane = (size_t)dp_window_out_h(w) * dp_window_out_w(w);
	const size_t k_n = f->rows;
	const size_t in_n = (size_t)c->in_channels * w->in_h * w->in_w;
	const unsigned int shift = f->in_frac + f->w_frac - f->out_frac;
	const int64_t *acc64 = ws->acc;
	const int32_t *acc32 = ws->acc;
	struct eie_stats scratch = { 0 };
	int32_t max_in = 0;
	uint64_t bound;
	bool narrow;
	enum walk how;
	int ret;

	for (size_t i = 0; i < in_n; i++)
		max_in = x[i] < -max_in ? -x[i] : x[i] > max_in ? x[i] : max_in;
	bound = sum_bound(p, max_in);
	narrow = bound <= INT32_MAX;
	how = p->rows_ok ? WALK_COUNT : narrow ? WALK_NARROW : WALK_WIDE;
	if (how != WALK_COUNT)
		memset(ws->acc, 0, map_outputs(c) * (narrow ? 4 : 8));
	/* counting is for the statistics and the polls: skipped without both */
	if (how == WALK_COUNT && !st && !poll)
		ret = 0;
	else
		ret = walk_inputs(p, x, ws, how, st ? st : &scratch, poll);
	if (!ret && how == WALK_COUNT && narrow)	/* outputs and all */
		return dp_conv_rows_map(c, &p->rows, x, ws->xpad, y, bound,
					poll);
	if (!ret && how == WALK_COUNT)
		ret = dp_conv_rows_map64(c, &p->rows, x, ws->xpad, ws->acc,
					 poll);
	if (ret)
		return ret;
	for (uint32_t k = 0; k < f->rows; k++) {
		const int64_t bias = f->bias ? f->bias[k] : 0;

		for (size_t px = 0; px < plane; px++) {
			/* filter-major from the rows form, else pixel-major */
			size_t at = p->rows_ok ? k * plane + px : px * k_n + k;
			int64_t sum = narrow ? acc32[at] : acc64[at];

			y[k * plane + px] = eie_finish(sum + bias, f->relu, shift);
		}
	}
	return 0;
}

int dp_conv_run_prepared(const struct dp_conv_prepared *p, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct dp_conv *c = p->conv;
	const size_t in_n = (size_t)c->in_channels * c->win.in_h * c->win.in_w;
	struct conv_ws w = {
		.acc = ws,
		.xpad = (uint32_t *)((uint8_t *)ws +
				    eie_align8(map_outputs(c) * sizeof(int64_t))),
	};

	for (uint32_t b = 0; b < batch; b++) {
		struct eie_stats st = { 0 };
		int ret;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		ret = run_map(p, in + b * in_n, out + b * map_outputs(c), &w,
			      stats ? &st : NULL, poll);
		if (ret)
			return ret;
		if (stats) {
			stats->nonzero_acts += st.nonzero_acts;
			stats->entries += st.entries;
			stats->padding += st.padding;
			stats->macs += st.entries - st.padding;
		}
	}
	return 0;
}

/* The host forms built on the first map, as the device has to. */
int dp_conv_run(const struct dp_conv *c, uint32_t batch, const int16_t *in,
		int16_t *out, void *ws, struct eie_stats *stats,
		const struct eie_poll *poll)
{
	struct dp_conv_prepared p;

	if (eie_poll_stop(poll))
		return -ECANCELED;
	dp_conv_prepare(c, ws, &p);
	return dp_conv_run_prepared(&p, batch, in, out,
				    (uint8_t *)ws + dp_conv_prepared_size(c),
				    stats, poll);
}
