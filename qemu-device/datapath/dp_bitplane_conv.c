// SPDX-License-Identifier: MIT
#include <errno.h>

#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_eie.h"
#include "dp_bitplane_conv.h"
#include "dp_planes.h"
#include "eie_arith.h"

int dp_bitplane_conv_validate(const struct dp_bitplane_conv *c,
			      struct eie_error *err)
{
	int ret;

	if (!c)
		return eie_fail(err, "no bit-plane convolution");
	ret = dp_bitplane_validate(&c->l, err);
	return ret ? ret : dp_window_validate(&c->win, err);
}

/* Output (k, oy, ox) of one map (planes at x). */
DP_POPCNT_CLONES
static int16_t conv_output(const struct dp_bitplane_conv *c, const uint64_t *x,
			   uint32_t k, uint32_t oy, uint32_t ox)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const uint32_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const size_t taps = (size_t)w->kernel_h * w->kernel_w;
	const size_t map_words = (size_t)w->in_h * w->in_w * lc;
	int64_t acc = l->bias ? l->bias[k] : 0;

	for (uint32_t u = 0; u < l->w_planes; u++) {
		const uint64_t *filt = l->wplanes +
				       ((size_t)u * l->rows + k) * taps * lc;
		int64_t sum = 0;

		for (uint32_t v = 0; v < l->a_planes; v++) {
			struct dp_pair_counts pc = { 0 };

			for (uint32_t r = 0; r < w->kernel_h; r++) {
				int64_t iy = (int64_t)oy * w->stride_h -
					     w->pad_h + r;

				if (iy < 0 || iy >= w->in_h)
					continue;
				for (uint32_t s = 0; s < w->kernel_w; s++) {
					int64_t ix = (int64_t)ox * w->stride_w -
						     w->pad_w + s;

					if (ix < 0 || ix >= w->in_w)
						continue;
					dp_pair_count(&pc,
						    filt + ((size_t)r * w->kernel_w + s) * lc,
						    x + v * map_words +
						    ((size_t)iy * w->in_w + ix) * lc,
						    l->cols, l->w_kind, l->a_kind);
				}
			}
			sum += (int64_t)l->a_basis[v] *
			       dp_pair_dot(&pc, l->w_kind, l->a_kind);
		}
		acc += l->w_basis[(size_t)k * l->w_planes + u] * sum;
	}
	return eie_finish(acc, l->relu, l->bw_frac + l->ba_frac - l->out_frac);
}

int dp_bitplane_conv_run(const struct dp_bitplane_conv *c, uint32_t batch,
			 const uint64_t *in, int16_t *out,
			 struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const uint32_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const size_t map_words = (size_t)l->a_planes * w->in_h * w->in_w * lc;
	const uint64_t pairs = dp_bitplane_conv_pairs(w);
	const uint64_t kk = (uint64_t)l->rows * l->w_planes * l->a_planes;

	for (uint32_t b = 0; b < batch; b++) {
		const uint64_t *x = in + b * map_words;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		for (uint32_t k = 0; k < l->rows; k++)
			for (uint32_t oy = 0; oy < out_h; oy++)
				for (uint32_t ox = 0; ox < out_w; ox++)
					*out++ = conv_output(c, x, k, oy, ox);
		if (stats) {
			stats->nonzero_acts += (uint64_t)l->cols * w->in_h *
					       w->in_w;
			stats->entries += kk * lc * pairs;
			stats->macs += kk * l->cols * pairs;
		}
	}
	return 0;
}

/* Along one axis: sum over outputs of the taps that land inside. */
static uint64_t axis_pairs(uint32_t in, uint32_t kernel, uint32_t stride,
			   uint32_t pad, uint32_t out)
{
	uint64_t n = 0;

	for (uint32_t o = 0; o < out; o++)
		for (uint32_t t = 0; t < kernel; t++) {
			int64_t i = (int64_t)o * stride - pad + t;

			n += i >= 0 && i < in;
		}
	return n;
}

uint64_t dp_bitplane_conv_pairs(const struct dp_window *w)
{
	/* a tap is inside when its row and its column are: the axes multiply */
	return axis_pairs(w->in_h, w->kernel_h, w->stride_h, w->pad_h,
			  dp_window_out_h(w)) *
	       axis_pairs(w->in_w, w->kernel_w, w->stride_w, w->pad_w,
			  dp_window_out_w(w));
}

void dp_bitplane_conv_model_cycles(const struct dp_bitplane_conv *c,
				   uint32_t batch, struct eie_cycles *cycles,
				   uint64_t *pe_busy)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const uint64_t lc = DCACCEL_PLANE_WORDS(l->cols);

	dp_bitplane_add_cycles(l->rows, l->pes,
			       (uint64_t)l->w_planes * l->a_planes * lc *
			       dp_bitplane_conv_pairs(w),
			       (uint64_t)l->a_planes * w->in_h * w->in_w * lc,
			       batch, cycles, pe_busy);
}
