// SPDX-License-Identifier: MIT
/*
 * The convolution's cycle model (hardware.rst, "Convolution"): the FC
 * op's queues (eie_queue.h), where broadcast k, a non-zero input, costs
 * PE p c[k][p] = max(1, sum over the valid taps of max(1, run length)):
 * per tap the entries of its run, or the cycle that reads an empty run's
 * pointers; and one cycle to take an input no output reads.
 */
#include <errno.h>
#include <string.h>

#include "dp_conv.h"
#include "eie_queue.h"

size_t dp_conv_cycles_ws_size(const struct dp_conv *c, uint32_t queue_depth)
{
	uint32_t pes = c->filters.pes;

	return (eie_queue_words(pes, queue_depth) + pes) * sizeof(uint64_t);
}

/* cost[p] += each PE's cost of the tap on column j. */
static void tap_cost(const struct eie_layer *f, uint32_t j, uint64_t *cost)
{
	for (uint32_t p = 0; p < f->pes; p++) {
		const uint32_t *ptr = f->colptr + (size_t)p * (f->cols + 1) + j;

		cost[p] += ptr[1] - ptr[0] ? ptr[1] - ptr[0] : 1;
	}
}

/* The cost of broadcasting input (ch, iy, ix) to every PE, into cost. */
static void input_cost(const struct dp_conv *c, uint32_t ch, uint32_t iy,
		       uint32_t ix, uint64_t *cost)
{
	const struct dp_window *w = &c->win;
	uint32_t ylo, yhi, xlo, xhi;

	memset(cost, 0, c->filters.pes * sizeof(*cost));
	dp_window_taps(iy, w->kernel_h, w->stride_h, w->pad_h,
		       dp_window_out_h(w), &ylo, &yhi);
	dp_window_taps(ix, w->kernel_w, w->stride_w, w->pad_w,
		       dp_window_out_w(w), &xlo, &xhi);
	for (uint32_t oy = ylo; oy < yhi; oy++) {
		uint32_t r = iy + w->pad_h - oy * w->stride_h;

		for (uint32_t ox = xlo; ox < xhi; ox++) {
			uint32_t s = ix + w->pad_w - ox * w->stride_w;

			tap_cost(&c->filters,
				 (ch * w->kernel_h + r) * w->kernel_w + s, cost);
		}
	}
	for (uint32_t p = 0; p < c->filters.pes; p++)
		cost[p] = cost[p] ? cost[p] : 1;
}

/* One input map; -ECANCELED when poll said stop. */
static int model_map(const struct dp_conv *c, uint32_t queue_depth,
		     const int16_t *x, uint64_t *ws, struct eie_cycles *out,
		     uint64_t *pe_busy, const struct eie_poll *poll)
{
	const uint32_t pes = c->filters.pes;
	uint64_t *cost = ws + eie_queue_words(pes, queue_depth);
	struct eie_queue q;
	uint64_t busy = 0;

	eie_queue_start(&q, pes, queue_depth, ws);
	for (uint32_t ch = 0; ch < c->in_channels; ch++) {
		for (uint32_t iy = 0; iy < c->win.in_h; iy++) {
			for (uint32_t ix = 0; ix < c->win.in_w; ix++) {
				uint64_t *slot;

				if (!*x++)
					continue;
				if (q.k && q.k % DP_CONV_POLL_EVERY == 0 &&
				    eie_poll_stop(poll))
					return -ECANCELED;
				input_cost(c, ch, iy, ix, cost);
				slot = eie_queue_broadcast(&q);
				for (uint32_t p = 0; p < pes; p++) {
					eie_queue_take(&q, slot, p, cost[p]);
					busy += cost[p];
					if (pe_busy)
						pe_busy[p] += cost[p];
				}
			}
		}
	}
	out->cycles += eie_queue_latency(&q);
	out->busy += busy;
	out->lnzd_stalls += q.stalls;
	return 0;
}

int dp_conv_model_cycles(const struct dp_conv *c, uint32_t queue_depth,
			 uint32_t batch, const int16_t *in, void *ws,
			 struct eie_cycles *cycles, uint64_t *pe_busy,
			 const struct eie_poll *poll)
{
	const size_t in_n = (size_t)c->in_channels * c->win.in_h * c->win.in_w;

	if (queue_depth == 0 || queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return -EINVAL;
	for (uint32_t b = 0; b < batch; b++) {
		int ret;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		ret = model_map(c, queue_depth, in + b * in_n, ws, cycles,
				pe_busy, poll);
		if (ret)
			return ret;
	}
	return 0;
}
