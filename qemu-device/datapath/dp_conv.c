// SPDX-License-Identifier: MIT
/*
 * Direct sparse convolution (hardware.rst, "Convolution"). Each non-zero
 * input (c, y, x) of a map is broadcast once; for every filter tap (r, s)
 * under which an output window reads it, every PE's run of column
 * (c * kernel_h + r) * kernel_w + s goes into the accumulators of its
 * output channels at that output pixel. On the host the runs are read
 * from the filters' decoded form (eie_decode_layer(), once per call):
 * one loop over a column's entries of all PEs instead of one short run
 * per PE, as for the FC op. The order of the additions differs from the
 * hardware's only where 64-bit integer sums make it unobservable; the
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

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/*
 * The workspace: the accumulators of one map, pixel-major (output pixel
 * px's channels at acc[px * K .. px * K + K - 1], so that one tap's
 * entries land in one short stretch), the product table of one input,
 * and the filters' decoded form (eie_decode_layer()): per column, the
 * global row and codebook index of every PE's non-padding entries, and
 * the column's entry and padding counts.
 */
size_t dp_conv_run_ws_size(const struct dp_conv *c)
{
	return align8(map_outputs(c) * sizeof(int64_t)) +
	       align8((size_t)c->filters.codebook_len * sizeof(int32_t)) +
	       eie_decoded_size(&c->filters);
}

struct conv_ws {
	int64_t *acc;
	int32_t *prod;
	struct eie_decoded dec;
};

/* Every PE's run of column j into the channels of one output pixel. */
static void run_tap(const struct eie_decoded *d, uint32_t j,
		    const int32_t *prod, int64_t *px_acc, struct eie_stats *st)
{
	const uint32_t *row = d->row;
	const uint8_t *widx = d->widx;

	st->entries += d->colcount[2 * j];
	st->padding += d->colcount[2 * j + 1];
	for (uint32_t e = d->colstart[j]; e < d->colstart[j + 1]; e++)
		px_acc[row[e]] += prod[widx[e]];
}

/* One input map; -ECANCELED when poll said stop. */
static int run_map(const struct dp_conv *c, const int16_t *x, int16_t *y,
		   const struct conv_ws *ws, struct eie_stats *st,
		   const struct eie_poll *poll)
{
	const struct eie_layer *f = &c->filters;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const size_t plane = (size_t)out_h * out_w, k_n = f->rows;
	const unsigned int shift = f->in_frac + f->w_frac - f->out_frac;
	int64_t *acc = ws->acc;
	int32_t *prod = ws->prod;
	const int16_t *at = x;

	memset(acc, 0, map_outputs(c) * sizeof(*acc));
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
				for (uint32_t i = 0; i < f->codebook_len; i++)
					prod[i] = (int32_t)f->codebook[i] * a;
				dp_window_taps(ix, w->kernel_w, w->stride_w,
					       w->pad_w, out_w, &xlo, &xhi);
				for (uint32_t oy = ylo; oy < yhi; oy++) {
					uint32_t r = iy + w->pad_h - oy * w->stride_h;

					for (uint32_t ox = xlo; ox < xhi; ox++) {
						uint32_t s = ix + w->pad_w -
							     ox * w->stride_w;

						run_tap(&ws->dec, (ch * w->kernel_h + r) *
							w->kernel_w + s, prod,
							acc + ((size_t)oy * out_w + ox) * k_n,
							st);
					}
				}
			}
		}
	}
	for (uint32_t k = 0; k < f->rows; k++) {
		const int64_t bias = f->bias ? f->bias[k] : 0;

		for (size_t px = 0; px < plane; px++)
			y[k * plane + px] = eie_finish(acc[px * k_n + k] + bias,
						       f->relu, shift);
	}
	return 0;
}

int dp_conv_run(const struct dp_conv *c, uint32_t batch, const int16_t *in,
		int16_t *out, void *ws, struct eie_stats *stats,
		const struct eie_poll *poll)
{
	const size_t in_n = (size_t)c->in_channels * c->win.in_h * c->win.in_w;
	uint8_t *p = ws;
	struct conv_ws w;

	w.acc = (int64_t *)p;
	p += align8(map_outputs(c) * sizeof(int64_t));
	w.prod = (int32_t *)p;
	p += align8((size_t)c->filters.codebook_len * sizeof(int32_t));
	for (uint32_t b = 0; b < batch; b++) {
		struct eie_stats st = { 0 };
		int ret;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		if (b == 0)
			eie_decode_layer(&c->filters, p, &w.dec);
		ret = run_map(c, in + b * in_n, out + b * map_outputs(c), &w,
			      &st, poll);
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
