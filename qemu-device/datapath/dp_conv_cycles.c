// SPDX-License-Identifier: MIT
/*
 * The convolution's cycle model (hardware.rst, "Convolution"): the FC
 * op's queues (eie_queue.h), where broadcast k, a non-zero input, costs
 * PE p c[k][p] = max(1, sum over the valid taps of max(1, run length)):
 * per tap the entries of its run, or the cycle that reads an empty run's
 * pointers; and one cycle to take an input no output reads. A layer of
 * K < P filters runs each filter on G = P / K PEs, copy g taking the
 * output rows oy % G == g (hardware.rst, "Filter copies").
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "dp_conv.h"
#include "dp_isa.h"
#include "eie_queue.h"

#ifdef DP_HAVE_X86_PATHS
#include <immintrin.h>
#endif

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

/* cost[p] += hi[p] - lo[p] (lo may be NULL) for every PE */
static void add_chain(uint32_t *cost, const uint32_t *hi, const uint32_t *lo,
		      uint32_t pes)
{
	for (uint32_t p = 0; p < pes; p++)
		cost[p] += hi[p] - (lo ? lo[p] : 0);
}

/* each PE's cost at least the one cycle that takes the input */
static void at_least_one(uint32_t *cost, uint32_t pes)
{
	for (uint32_t p = 0; p < pes; p++)
		cost[p] = cost[p] ? cost[p] : 1;
}

/*
 * The queue's step for one broadcast that costs PE p cost[p]: B, then
 * every PE's S and F (eie_queue.h), pe_busy; returns the busy cycles.
 */
static uint64_t step(struct eie_queue *q, const uint32_t *cost,
		     uint64_t *pe_busy)
{
	uint64_t *slot = eie_queue_broadcast(q), busy = 0;

	for (uint32_t p = 0; p < q->pes; p++) {
		eie_queue_take(q, slot, p, cost[p]);
		busy += cost[p];
		if (pe_busy)
			pe_busy[p] += cost[p];
	}
	return busy;
}

#ifdef DP_HAVE_X86_PATHS
/* The same three, sixteen or eight PEs at a time; masks for the rest. */
#define AVX512_TARGET	__attribute__((target("avx512f,avx512vl")))

AVX512_TARGET
static __mmask16 mask16(uint32_t left)
{
	return left >= 16 ? 0xffff : (__mmask16)((1u << left) - 1);
}

AVX512_TARGET
static void add_chain_avx512(uint32_t *cost, const uint32_t *hi,
			     const uint32_t *lo, uint32_t pes)
{
	for (uint32_t p = 0; p < pes; p += 16) {
		__mmask16 m = mask16(pes - p);
		__m512i c = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, cost + p),
					     _mm512_maskz_loadu_epi32(m, hi + p));

		if (lo)
			c = _mm512_sub_epi32(c, _mm512_maskz_loadu_epi32(m, lo + p));
		_mm512_mask_storeu_epi32(cost + p, m, c);
	}
}

AVX512_TARGET
static void at_least_one_avx512(uint32_t *cost, uint32_t pes)
{
	for (uint32_t p = 0; p < pes; p += 16) {
		__mmask16 m = mask16(pes - p);

		_mm512_mask_storeu_epi32(cost + p, m, _mm512_max_epu32(
			_mm512_maskz_loadu_epi32(m, cost + p), _mm512_set1_epi32(1)));
	}
}

AVX512_TARGET
static uint64_t step_avx512(struct eie_queue *q, const uint32_t *cost,
			    uint64_t *pe_busy)
{
	uint64_t *slot = eie_queue_next_slot(q);
	__m512i top = _mm512_setzero_si512(), total = top, b1;

	for (uint32_t p = 0; q->k >= q->depth && p < q->pes; p += 8)
		top = _mm512_max_epu64(top, _mm512_maskz_loadu_epi64(
			(__mmask8)mask16(q->pes - p), slot + p));
	eie_queue_advance(q, _mm512_reduce_max_epu64(top));
	b1 = _mm512_set1_epi64((long long)(q->bcast + 1));
	for (uint32_t p = 0; p < q->pes; p += 8) {
		__mmask8 m = (__mmask8)mask16(q->pes - p);
		__m512i c = _mm512_cvtepu32_epi64(_mm256_maskz_loadu_epi32(m, cost + p));
		__m512i s = _mm512_max_epu64(b1, _mm512_maskz_loadu_epi64(m, q->finish + p));

		_mm512_mask_storeu_epi64(slot + p, m, s);
		_mm512_mask_storeu_epi64(q->finish + p, m, _mm512_add_epi64(s, c));
		total = _mm512_add_epi64(total, c);
		if (pe_busy)
			_mm512_mask_storeu_epi64(pe_busy + p, m, _mm512_add_epi64(c,
				_mm512_maskz_loadu_epi64(m, pe_busy + p)));
	}
	return (uint64_t)_mm512_reduce_add_epi64(total);
}
#endif

/* The per-PE steps of the model: the generic ones or a vector copy. */
struct pe_steps {
	void (*add_chain)(uint32_t *cost, const uint32_t *hi,
			  const uint32_t *lo, uint32_t pes);
	void (*at_least_one)(uint32_t *cost, uint32_t pes);
	uint64_t (*step)(struct eie_queue *q, const uint32_t *cost,
			 uint64_t *pe_busy);
};

static struct pe_steps pe_steps(void)
{
#ifdef DP_HAVE_X86_PATHS
	if (dp_isa_use(DP_ISA_AVX512))
		return (struct pe_steps){ add_chain_avx512, at_least_one_avx512,
					  step_avx512 };
#endif
	return (struct pe_steps){ add_chain, at_least_one, step };
}

/* How many PEs hold each filter: G of "Filter copies". */
static uint32_t filter_copies(const struct dp_conv *c)
{
	const uint32_t k = c->filters.rows, pes = c->filters.pes;

	return k && k < pes ? pes / k : 1;
}

/*
 * The cost of broadcasting input (ch, iy, ix) to every PE, into cost:
 * output row oy's taps go to copy oy % G, PEs g K .. g K + K - 1 (with
 * G = 1 that is every PE, K >= P of them).
 */
static void input_cost(const struct dp_conv *c, const struct pe_steps *v,
		       const uint32_t *sums, uint32_t ch, uint32_t iy,
		       uint32_t ix, uint32_t *cost)
{
	const struct dp_window *w = &c->win;
	const uint32_t pes = c->filters.pes, copies = filter_copies(c);
	const uint32_t width = copies > 1 ? c->filters.rows : pes;
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

			v->add_chain(cost + (size_t)(oy % copies) * width,
				     hi, lo, width);
		}
	}
	v->at_least_one(cost, pes);
}

/* One input map; -ECANCELED when poll said stop. */
static int model_map(const struct dp_conv *c, uint32_t queue_depth,
		     const int16_t *x, uint64_t *ws, struct eie_cycles *out,
		     uint64_t *pe_busy, const struct eie_poll *poll)
{
	const uint32_t pes = c->filters.pes;
	uint32_t *cost = (uint32_t *)(ws + eie_queue_words(pes, queue_depth));
	const uint32_t *sums = cost + ((pes + 1) & ~1u);
	const struct pe_steps v = pe_steps();
	struct eie_queue q;
	uint64_t busy = 0;

	eie_queue_start(&q, pes, queue_depth, ws);
	for (uint32_t ch = 0; ch < c->in_channels; ch++) {
		for (uint32_t iy = 0; iy < c->win.in_h; iy++) {
			for (uint32_t ix = 0; ix < c->win.in_w; ix++) {
				if (!*x++)
					continue;
				if (q.k && q.k % DP_CONV_POLL_EVERY == 0 &&
				    eie_poll_stop(poll))
					return -ECANCELED;
				input_cost(c, &v, sums, ch, iy, ix, cost);
				busy += v.step(&q, cost, pe_busy);
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
