// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>

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

/*
 * The host's form of a pixel's taps: a receptive field's R S C bits of one
 * plane packed end to end, tap by tap (r, then s, then the channels), so
 * that a plane pair costs ceil(R S C / 64) popcounts rather than R S Lc,
 * one per tap even where C is 1 (a first layer's one-channel map: 63 of
 * its 64 bits padding). The counts of dp_pair_count add up tap by tap, so
 * the outputs are the same bit for bit; only outputs whose taps are all
 * inside the map take it (a packed filter has every tap's bits).
 */
struct field {
	uint32_t bits, words;		/* R S C; its words */
	uint64_t *filters;		/* (u K + k) words */
	uint64_t *taps;			/* a_planes x words: one pixel's */
};

static void field_init(const struct dp_bitplane_conv *c, void *ws,
		       struct field *f)
{
	const struct dp_window *w = &c->win;

	f->bits = w->kernel_h * w->kernel_w * c->l.cols;
	f->words = DCACCEL_PLANE_WORDS(f->bits);
	f->filters = ws;
	f->taps = f->filters + (size_t)c->l.w_planes * c->l.rows * f->words;
}

size_t dp_bitplane_conv_ws_size(const struct dp_bitplane_conv *c)
{
	const struct dp_window *w = &c->win;
	const size_t words = DCACCEL_PLANE_WORDS((size_t)w->kernel_h *
						 w->kernel_w * c->l.cols);

	return ((size_t)c->l.w_planes * c->l.rows + c->l.a_planes) * words *
	       sizeof(uint64_t);
}

/* Appends bit runs to words (the unused high bits of the last one zero). */
struct bit_sink {
	uint64_t *out, cur;
	uint32_t fill;			/* bits in cur: 0..63 */
};

static inline void sink_put(struct bit_sink *b, uint64_t bits, uint32_t n)
{
	b->cur |= bits << b->fill;
	if (b->fill + n < DCACCEL_PLANE_WORD_BITS) {
		b->fill += n;
		return;
	}
	*b->out++ = b->cur;
	/* the bits that did not fit (none when fill was 0) */
	b->cur = b->fill ? bits >> (DCACCEL_PLANE_WORD_BITS - b->fill) : 0;
	b->fill = b->fill + n - DCACCEL_PLANE_WORD_BITS;
}

/*
 * The kernel_h x kernel_w taps at `at` (a tap's Lc words each, rows
 * `row` words apart) into f->words words at out, C bits a tap.
 */
static void pack_taps(const struct dp_bitplane_conv *c, const uint64_t *at,
		      size_t row, uint64_t *out)
{
	const struct dp_window *w = &c->win;
	const uint32_t lc = DCACCEL_PLANE_WORDS(c->l.cols);
	const uint32_t tail = c->l.cols - (lc - 1) * DCACCEL_PLANE_WORD_BITS;
	const uint64_t last = dp_last_word_mask(c->l.cols);
	struct bit_sink b = { .out = out };

	for (uint32_t r = 0; r < w->kernel_h; r++)
		for (uint32_t s = 0; s < w->kernel_w; s++) {
			const uint64_t *t = at + r * row + (size_t)s * lc;

			for (uint32_t i = 0; i + 1 < lc; i++)
				sink_put(&b, t[i], DCACCEL_PLANE_WORD_BITS);
			sink_put(&b, t[lc - 1] & last, tail);
		}
	if (b.fill)
		*b.out = b.cur;
}

static void pack_filters(const struct dp_bitplane_conv *c, struct field *f)
{
	const struct dp_bitplane *l = &c->l;
	const size_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const size_t taps = (size_t)c->win.kernel_h * c->win.kernel_w;

	for (size_t uk = 0; uk < (size_t)l->w_planes * l->rows; uk++)
		pack_taps(c, l->wplanes + uk * taps * lc,
			  c->win.kernel_w * lc, f->filters + uk * f->words);
}

/* Output k of the pixel whose taps f->taps holds. */
__attribute__((always_inline))
static inline int16_t field_output(const struct dp_bitplane_conv *c,
				   const struct field *f, uint32_t k, bool vp)
{
	const struct dp_bitplane *l = &c->l;
	int64_t acc = l->bias ? l->bias[k] : 0;

	for (uint32_t u = 0; u < l->w_planes; u++) {
		const uint64_t *filt = f->filters +
				       ((size_t)u * l->rows + k) * f->words;
		int64_t sum = 0;

		for (uint32_t v = 0; v < l->a_planes; v++) {
			struct dp_pair_counts pc = { 0 };

			dp_pair_count_by(&pc, filt, f->taps + (size_t)v * f->words,
					 f->bits, l->w_kind, l->a_kind, vp);
			sum += (int64_t)l->a_basis[v] *
			       dp_pair_dot(&pc, l->w_kind, l->a_kind);
		}
		acc += l->w_basis[(size_t)k * l->w_planes + u] * sum;
	}
	return eie_finish(acc, l->relu, l->bw_frac + l->ba_frac - l->out_frac);
}

/* Output (k, oy, ox) of one map (planes at x), tap by tap. */
__attribute__((always_inline))
static inline int16_t conv_output(const struct dp_bitplane_conv *c,
				  const uint64_t *x, uint32_t k, uint32_t oy,
				  uint32_t ox, bool vp)
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
					dp_pair_count_by(&pc,
							 filt + ((size_t)r * w->kernel_w + s) * lc,
							 x + v * map_words +
							 ((size_t)iy * w->in_w + ix) * lc,
							 l->cols, l->w_kind, l->a_kind, vp);
				}
			}
			sum += (int64_t)l->a_basis[v] *
			       dp_pair_dot(&pc, l->w_kind, l->a_kind);
		}
		acc += l->w_basis[(size_t)k * l->w_planes + u] * sum;
	}
	return eie_finish(acc, l->relu, l->bw_frac + l->ba_frac - l->out_frac);
}

/* Whether every tap of output o along one axis is inside the map. */
static bool axis_inside(uint32_t o, uint32_t in, uint32_t kernel,
			uint32_t stride, uint32_t pad)
{
	uint64_t first = (uint64_t)o * stride;

	return first >= pad && first - pad + kernel <= in;
}

/* One map's outputs (CHW at out), the pixels inside by the packed form. */
__attribute__((always_inline))
static inline void conv_map(const struct dp_bitplane_conv *c,
			    const struct field *f, const uint64_t *x,
			    int16_t *out, bool vp)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const size_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const size_t plane_words = (size_t)w->in_h * w->in_w * lc;
	const size_t px = (size_t)out_h * out_w;

	for (uint32_t oy = 0; oy < out_h; oy++) {
		bool row_in = axis_inside(oy, w->in_h, w->kernel_h,
					  w->stride_h, w->pad_h);

		for (uint32_t ox = 0; ox < out_w; ox++) {
			int16_t *y = out + (size_t)oy * out_w + ox;

			if (!row_in || !axis_inside(ox, w->in_w, w->kernel_w,
						    w->stride_w, w->pad_w)) {
				for (uint32_t k = 0; k < l->rows; k++)
					y[k * px] = conv_output(c, x, k, oy, ox, vp);
				continue;
			}
			for (uint32_t v = 0; v < l->a_planes; v++)
				pack_taps(c, x + v * plane_words +
					  (((size_t)oy * w->stride_h - w->pad_h) *
					   w->in_w + (size_t)ox * w->stride_w -
					   w->pad_w) * lc,
					  w->in_w * lc, f->taps + v * f->words);
			for (uint32_t k = 0; k < l->rows; k++)
				y[k * px] = field_output(c, f, k, vp);
		}
	}
}

DP_POPCNT_CLONES
static void map_popcnt(const struct dp_bitplane_conv *c, const struct field *f,
		       const uint64_t *x, int16_t *out)
{
	conv_map(c, f, x, out, false);
}

#ifdef DP_HAVE_X86_PATHS
DP_VPOPCNT_TARGET
static void map_vpopcnt(const struct dp_bitplane_conv *c,
			const struct field *f, const uint64_t *x, int16_t *out)
{
	conv_map(c, f, x, out, true);
}
#endif

int dp_bitplane_conv_run(const struct dp_bitplane_conv *c, uint32_t batch,
			 const uint64_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const size_t out_n = (size_t)l->rows * dp_window_out_h(w) *
			     dp_window_out_w(w);
	const uint32_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const size_t map_words = (size_t)l->a_planes * w->in_h * w->in_w * lc;
	const uint64_t pairs = dp_bitplane_conv_pairs(w);
	const uint64_t kk = (uint64_t)l->rows * l->w_planes * l->a_planes;
	void (*map)(const struct dp_bitplane_conv *c, const struct field *f,
		    const uint64_t *x, int16_t *out) = map_popcnt;
	struct field f;

	field_init(c, ws, &f);
#ifdef DP_HAVE_X86_PATHS
	if (f.words >= DP_VPOPCNT_MIN_WORDS && dp_isa_use_vpopcnt())
		map = map_vpopcnt;
#endif
	pack_filters(c, &f);
	for (uint32_t b = 0; b < batch; b++) {
		if (eie_poll_stop(poll))
			return -ECANCELED;
		map(c, &f, in + b * map_words, out + b * out_n);
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
