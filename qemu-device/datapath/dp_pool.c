// SPDX-License-Identifier: MIT
#include <errno.h>

#include "dp_pool.h"
#include "dcaccel/dcaccel_hw.h"

int dp_pool_validate(const struct dp_pool *p, struct eie_error *err)
{
	int ret;

	if (!p)
		return eie_fail(err, "no pooling");
	if (p->channels == 0 || p->channels > DCACCEL_EIE_DIM_MAX)
		return eie_fail(err, "channels must be 1..%u, got %u",
			        DCACCEL_EIE_DIM_MAX, p->channels);
	ret = dp_window_validate(&p->win, err);
	if (ret)
		return ret;
	if (p->mode != DCACCEL_POOL_MAX && p->mode != DCACCEL_POOL_AVG)
		return eie_fail(err, "pooling mode must be %u (max) or %u (average), got %u",
			        DCACCEL_POOL_MAX, DCACCEL_POOL_AVG, p->mode);
	return 0;
}

/* floor(a / b) for b > 0, whatever the sign of a. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return q - (a % b != 0 && a < 0);
}

/*
 * The output of the window whose top left corner is (y0, x0) in map
 * coordinates (negative in the padding). Max: of the elements in the map,
 * which every window has. Average: padding counts as zeros, the divisor is
 * n = kernel_h x kernel_w, rounded half up: floor((2 sum + n) / 2n).
 */
static int16_t pool_window(const struct dp_pool *p, const int16_t *map,
			   int64_t y0, int64_t x0)
{
	const struct dp_window *w = &p->win;
	const int64_t n = (int64_t)w->kernel_h * w->kernel_w;
	int64_t sum = 0;
	int16_t max = INT16_MIN;

	for (int64_t y = y0; y < y0 + w->kernel_h; y++) {
		if (y < 0 || y >= w->in_h)
			continue;
		for (int64_t x = x0; x < x0 + w->kernel_w; x++) {
			int16_t v;

			if (x < 0 || x >= w->in_w)
				continue;
			v = map[y * w->in_w + x];
			sum += v;
			max = v > max ? v : max;
		}
	}
	if (p->mode == DCACCEL_POOL_MAX)
		return max;
	return (int16_t)floor_div(2 * sum + n, 2 * n);
}

int dp_pool_run(const struct dp_pool *p, uint32_t batch, const int16_t *in,
		int16_t *out, const struct eie_poll *poll)
{
	const struct dp_window *w = &p->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const size_t in_plane = (size_t)w->in_h * w->in_w;

	for (uint64_t ch = 0; ch < (uint64_t)batch * p->channels; ch++) {
		const int16_t *map = in + ch * in_plane;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		for (uint32_t oy = 0; oy < out_h; oy++)
			for (uint32_t ox = 0; ox < out_w; ox++)
				*out++ = pool_window(p, map,
						     (int64_t)oy * w->stride_h - w->pad_h,
						     (int64_t)ox * w->stride_w - w->pad_w);
	}
	return 0;
}

void dp_pool_model_cycles(const struct dp_pool *p, uint32_t pes,
			  uint32_t batch, struct eie_cycles *cycles,
			  uint64_t *pe_busy)
{
	const struct dp_window *w = &p->win;
	/* cycles of one channel: a window element per cycle per output */
	const uint64_t per_channel = (uint64_t)dp_window_out_h(w) *
				     dp_window_out_w(w) * w->kernel_h *
				     w->kernel_w;

	for (uint32_t q = 0; q < pes; q++) {
		uint64_t busy = (uint64_t)batch * per_channel *
				DCACCEL_EIE_PE_ROWS(p->channels, pes, q);

		cycles->busy += busy;
		if (pe_busy)
			pe_busy[q] += busy;
	}
	/* PE 0 holds the most channels; the maps run one after another */
	cycles->cycles += (uint64_t)batch * per_channel *
			  DCACCEL_EIE_PE_ROWS(p->channels, pes, 0);
}
