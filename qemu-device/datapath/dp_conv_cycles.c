// SPDX-License-Identifier: MIT
/*
 * The convolution's cycle model (hardware.rst, "Convolution"): the FC
 * op's queues (eie_queue.h), where broadcast k, a non-zero input, costs
 * PE p c[k][p] = max(1, sum over the valid taps of max(1, run length)):
 * per tap the entries of its run, or the cycle that reads an empty run's
 * pointers; and one cycle to take an input no output reads.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dp_conv.h"
#include "eie_queue.h"

/*
 * The workspace: the queue, then cost[pes] (uint32_t), then the tap sums
 * (below), cols x pes of uint32_t. A run is at most rows <= 2^16 entries,
 * so a tap costs at most 2^16 cycles, an input at most 121 x 2^16 < 2^23:
 * 32 bits hold every sum.
 */
size_t dp_conv_cycles_ws_size(const struct dp_conv *c, uint32_t queue_depth)
{
	uint32_t pes = c->filters.pes;

	return eie_queue_words(pes, queue_depth) * sizeof(uint64_t) +
	       (((size_t)pes + 1) & ~(size_t)1) * sizeof(uint32_t) +
	       (size_t)c->filters.cols * pes * sizeof(uint32_t);
}

/*
 * sums[j * pes + p], for column j = (ch * kernel_h + r) * kernel_w + s:
 * PE p's cost of the taps s, s - stride_w, s - 2 stride_w, ... >= 0 of
 * filter row (ch, r), each max(1, its run's length). The taps an input
 * meets in one filter row are such a chain, from its largest s down to
 * its smallest: two lookups give their cost, whatever the kernel width.
 */
static void tap_sums(const struct dp_conv *c, uint32_t *sums)
{
	const struct eie_layer *f = &c->filters;
	const uint32_t pes = f->pes, kw = c->win.kernel_w, sw = c->win.stride_w;

	for (uint32_t p = 0; p < pes; p++) {
		const uint32_t *ptr = f->colptr + (size_t)p * (f->cols + 1);

		for (uint32_t j = 0; j < f->cols; j++) {
			uint32_t run = ptr[j + 1] - ptr[j];
			uint32_t *at = sums + (size_t)j * pes + p;

			*at = (run ? run : 1) +
			      (j % kw >= sw ? at[-(ptrdiff_t)sw * pes] : 0);
		}
	}
}

/* The cost of broadcasting input (ch, iy, ix) to every PE, into cost. */
static void input_cost(const struct dp_conv *c, const uint32_t *sums,
		       uint32_t ch, uint32_t iy, uint32_t ix, uint32_t *cost)
{
	const struct dp_window *w = &c->win;
	const uint32_t pes = c->filters.pes;
	uint32_t ylo, yhi, xlo, xhi, s_hi, s_lo;

	memset(cost, 0, pes * sizeof(*cost));
	dp_window_taps(iy, w->kernel_h, w->stride_h, w->pad_h,
		       dp_window_out_h(w), &ylo, &yhi);
	dp_window_taps(ix, w->kernel_w, w->stride_w, w->pad_w,
		       dp_window_out_w(w), &xlo, &xhi);
	if (xlo < xhi) {
		/* the taps of one filter row: s_hi, s_hi - stride .. s_lo */
		s_hi = ix + w->pad_w - xlo * w->stride_w;
		s_lo = ix + w->pad_w - (xhi - 1) * w->stride_w;
		for (uint32_t oy = ylo; oy < yhi; oy++) {
			uint32_t row = ch * w->kernel_h + iy + w->pad_h -
				       oy * w->stride_h;
			const uint32_t *hi = sums +
				((size_t)row * w->kernel_w + s_hi) * pes;
			const uint32_t *lo = s_lo >= w->stride_w ? sums +
				((size_t)row * w->kernel_w + s_lo - w->stride_w) * pes :
				NULL;

			for (uint32_t p = 0; p < pes; p++)
				cost[p] += hi[p] - (lo ? lo[p] : 0);
		}
	}
	for (uint32_t p = 0; p < pes; p++)
		cost[p] = cost[p] ? cost[p] : 1;
}

/* One input map; -ECANCELED when poll said stop. */
static int model_map(const struct dp_conv *c, uint32_t queue_depth,
		     const int16_t *x, uint64_t *ws, struct eie_cycles *out,
		     uint64_t *pe_busy, const struct eie_poll *poll)
{
	const uint32_t pes = c->filters.pes;
	uint32_t *cost = (uint32_t *)(ws + eie_queue_words(pes, queue_depth));
	const uint32_t *sums = cost + ((pes + 1) & ~1u);
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
				input_cost(c, sums, ch, iy, ix, cost);
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
	const uint32_t pes = c->filters.pes;

	if (queue_depth == 0 || queue_depth > DCACCEL_EIE_QUEUE_MAX)
		return -EINVAL;
	tap_sums(c, (uint32_t *)((uint64_t *)ws + eie_queue_words(pes, queue_depth)) +
		    ((pes + 1) & ~1u));
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
