// SPDX-License-Identifier: MIT
/*
 * The bit-plane convolution (dp_bitplane_conv.h, hardware.rst
 * "Bit-plane convolution"): random layers of every kind pair, strides,
 * paddings and channel counts across word edges against the plain sum
 * over in-map taps and channels of the bits' values (garbage in every
 * tap's padding bits); padded taps contributing nothing even to n; the
 * pair count V, the cycle model and the statistics; bad windows refused.
 */
#include <errno.h>
#include <stdlib.h>

#include "tap.h"
#include "rng.h"
#include "bitplane_conv_run.h"
#include "dp_bitplane_conv.h"
#include "popcnt_paths.h"
#include "eie_arith.h"
#include "dcaccel/dcaccel_bitplane.h"

static int val(const uint64_t *words, uint32_t c, uint8_t kind)
{
	int bit = (int)(words[c / 64] >> (c % 64) & 1);

	return kind == DCACCEL_PLANE_SIGNED ? 2 * bit - 1 : bit;
}

/* y[k][oy][ox] by the definition: values, no popcount. */
static int16_t plain(const struct dp_bitplane_conv *cv, const uint64_t *x,
		     uint32_t k, uint32_t oy, uint32_t ox)
{
	const struct dp_bitplane *l = &cv->l;
	const struct dp_window *w = &cv->win;
	const uint32_t lc = DCACCEL_PLANE_WORDS(l->cols);
	int64_t acc = l->bias ? l->bias[k] : 0;

	for (uint32_t u = 0; u < l->w_planes; u++)
		for (uint32_t v = 0; v < l->a_planes; v++)
			for (uint32_t r = 0; r < w->kernel_h; r++)
				for (uint32_t s = 0; s < w->kernel_w; s++) {
					int64_t iy = (int64_t)oy * w->stride_h - w->pad_h + r;
					int64_t ix = (int64_t)ox * w->stride_w - w->pad_w + s;
					const uint64_t *wp, *ap;

					if (iy < 0 || iy >= w->in_h || ix < 0 || ix >= w->in_w)
						continue;
					wp = l->wplanes + ((((size_t)u * l->rows + k) *
							    w->kernel_h + r) * w->kernel_w + s) * lc;
					ap = x + (((size_t)v * w->in_h + iy) * w->in_w + ix) * lc;
					for (uint32_t c = 0; c < l->cols; c++)
						acc += (int64_t)l->w_basis[k * l->w_planes + u] *
						       l->a_basis[v] * val(wp, c, l->w_kind) *
						       val(ap, c, l->a_kind);
				}
	return eie_finish(acc, l->relu, l->bw_frac + l->ba_frac - l->out_frac);
}

static void fill(struct rng *r, uint64_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = rng_next(r);
}

/* Whether all of output (oy, ox)'s taps are inside the map. */
static int all_inside(const struct dp_window *w, uint32_t oy, uint32_t ox)
{
	int64_t iy = (int64_t)oy * w->stride_h - w->pad_h;
	int64_t ix = (int64_t)ox * w->stride_w - w->pad_w;

	return iy >= 0 && ix >= 0 && iy + w->kernel_h <= w->in_h &&
	       ix + w->kernel_w <= w->in_w;
}

static void random_convs(void)
{
	struct rng r = { 5 };
	long bad = 0, outputs = 0, inside = 0;

	for (int round = 0; round < 120; round++) {
		struct dp_bitplane_conv cv = {
			.l = {
				.rows = rng_range(&r, 1, 5),
				/* across word edges; 4-5 words a tap, VPOPCNTQ's */
				.cols = rng_chance(&r, 0.3) ? rng_range(&r, 60, 70) :
					rng_chance(&r, 0.2) ? rng_range(&r, 190, 300) :
					rng_range(&r, 1, 130),
				.pes = rng_range(&r, 1, 3),
				.w_planes = rng_range(&r, 1, 3),
				.a_planes = rng_range(&r, 1, 3),
				.w_kind = rng_range(&r, 0, 1),
				.a_kind = rng_range(&r, 0, 1),
				.bw_frac = rng_range(&r, 0, 4),
				.ba_frac = rng_range(&r, 0, 4),
				.relu = rng_chance(&r, 0.5),
			},
			.win = {
				.in_h = rng_range(&r, 1, 8),
				.in_w = rng_range(&r, 1, 8),
				.kernel_h = rng_range(&r, 1, 4),
				.kernel_w = rng_range(&r, 1, 4),
				.stride_h = rng_range(&r, 1, 2),
				.stride_w = rng_range(&r, 1, 2),
			},
		};
		struct dp_bitplane *l = &cv.l;
		struct dp_window *w = &cv.win;
		uint32_t lc, out_n, batch = rng_range(&r, 1, 2);
		uint64_t *wp, *x;
		int16_t *wb, ab[3], *y;
		int32_t bias[5];
		size_t map_words;

		w->pad_h = rng_range(&r, 0, w->kernel_h - 1);
		w->pad_w = rng_range(&r, 0, w->kernel_w - 1);
		if (w->in_h + 2 * w->pad_h < w->kernel_h)
			w->pad_h = w->kernel_h - 1;
		if (w->in_w + 2 * w->pad_w < w->kernel_w)
			w->pad_w = w->kernel_w - 1;
		l->out_frac = rng_range(&r, 0, l->bw_frac + l->ba_frac);
		lc = DCACCEL_PLANE_WORDS(l->cols);
		map_words = (size_t)l->a_planes * w->in_h * w->in_w * lc;
		wp = malloc(sizeof(*wp) * l->w_planes * l->rows *
			    w->kernel_h * w->kernel_w * lc);
		x = malloc(sizeof(*x) * batch * map_words);
		wb = malloc(sizeof(*wb) * l->rows * l->w_planes);
		fill(&r, wp, (size_t)l->w_planes * l->rows * w->kernel_h *
			     w->kernel_w * lc);
		fill(&r, x, batch * map_words);
		for (uint32_t k = 0; k < l->rows * l->w_planes; k++)
			wb[k] = (int16_t)rng_range(&r, -300, 300);
		for (int v = 0; v < 3; v++)
			ab[v] = (int16_t)rng_range(&r, -300, 300);
		for (int k = 0; k < 5; k++)
			bias[k] = (int32_t)rng_range(&r, -5000, 5000);
		l->wplanes = wp;
		l->w_basis = wb;
		l->a_basis = ab;
		l->bias = rng_chance(&r, 0.5) ? bias : NULL;
		CHECK_EQ(dp_bitplane_conv_validate(&cv, NULL), 0);
		out_n = l->rows * dp_window_out_h(w) * dp_window_out_w(w);
		y = malloc(sizeof(*y) * batch * out_n);
		CHECK_EQ(bpconv_run(&cv, batch, x, y, NULL), 0);
		for (uint32_t b = 0; b < batch; b++)
			for (uint32_t k = 0; k < l->rows; k++)
				for (uint32_t oy = 0; oy < dp_window_out_h(w); oy++)
					for (uint32_t ox = 0; ox < dp_window_out_w(w); ox++) {
						size_t at = b * out_n +
							    ((size_t)k * dp_window_out_h(w) + oy) *
							    dp_window_out_w(w) + ox;

						bad += y[at] != plain(&cv, x + b * map_words,
								      k, oy, ox);
						outputs++;
						inside += all_inside(w, oy, ox);
					}
		free(wp);
		free(x);
		free(wb);
		free(y);
	}
	DIAG("%ld outputs of 120 random convolutions, %ld with every tap in the map",
	     outputs, inside);
	CHECK_EQ(bad, 0);
	/* both of dp_bitplane_conv_run()'s forms were checked */
	CHECK(inside > 0 && inside < outputs);
}

/* Generic C (POPCNT), then AVX-512's VPOPCNTQ path where the CPU has it. */
static void test_random_convs_match_the_definition(void)
{
	popcnt_paths(random_convs);
}

/*
 * All +1 filters and inputs, SIGNED x SIGNED, a 3 x 3 kernel padded by 1
 * on a 3 x 3 map of 70 channels: each output is 70 times its in-map
 * taps, 4 at a corner, 6 at an edge, 9 in the middle; a padded tap read
 * as -1 would make the corner 70 x (4 - 5).
 */
static void test_padding_contributes_nothing(void)
{
	uint64_t wp[9 * 2], x[9 * 2];
	int16_t one = 1, y[9];
	const struct dp_bitplane_conv cv = {
		.l = {
			.rows = 1, .cols = 70, .pes = 1, .w_planes = 1,
			.a_planes = 1, .w_kind = DCACCEL_PLANE_SIGNED,
			.a_kind = DCACCEL_PLANE_SIGNED,
			.wplanes = wp, .w_basis = &one, .a_basis = &one,
		},
		.win = {
			.in_h = 3, .in_w = 3, .kernel_h = 3, .kernel_w = 3,
			.stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1,
		},
	};
	const int taps[9] = { 4, 6, 4, 6, 9, 6, 4, 6, 4 };

	for (int k = 0; k < 18; k++)
		wp[k] = x[k] = UINT64_MAX;
	CHECK_EQ(bpconv_run(&cv, 1, x, y, NULL), 0);
	for (int k = 0; k < 9; k++)
		CHECK_EQ(y[k], 70 * taps[k]);
}

/*
 * 3 x 3 map, 3 x 3 kernel padded by 1: V = 7 x 7 = 49. C = 70 (Lc = 2),
 * K = 3 on 2 PEs, Kw = 1, Ka = 2: per row 1 x 2 x 2 x 49 = 196;
 * broadcast 2 x 9 x 2 = 36; cycles 36 + 2 x 196 per map.
 */
static void test_pairs_cycles_and_statistics(void)
{
	uint64_t wp[3 * 9 * 2] = { 0 }, x[2 * 2 * 9 * 2] = { 0 };
	int16_t b[3] = { 1, 1, 1 }, y[2 * 27];
	const struct dp_bitplane_conv cv = {
		.l = {
			.rows = 3, .cols = 70, .pes = 2, .w_planes = 1,
			.a_planes = 2, .wplanes = wp, .w_basis = b,
			.a_basis = b,
		},
		.win = {
			.in_h = 3, .in_w = 3, .kernel_h = 3, .kernel_w = 3,
			.stride_h = 1, .stride_w = 1, .pad_h = 1, .pad_w = 1,
		},
	};
	struct eie_cycles c = { 0 };
	struct eie_stats st = { 0 };
	uint64_t busy[2] = { 0 };

	CHECK_EQ(dp_bitplane_conv_pairs(&cv.win), 49);
	dp_bitplane_conv_model_cycles(&cv, 2, &c, busy);
	CHECK_EQ(c.cycles, 2 * (36 + 2 * 196));
	CHECK_EQ(busy[0], 2 * 2 * 196);
	CHECK_EQ(busy[1], 2 * 196);
	CHECK_EQ(bpconv_run(&cv, 2, x, y, &st), 0);
	CHECK_EQ(st.nonzero_acts, 2 * 70 * 9);
	CHECK_EQ(st.entries, busy[0] + busy[1]);
	CHECK_EQ(st.macs, 2 * 3 * 1 * 2 * 70 * 49);
	CHECK_EQ(st.padding, 0);
}

static void test_bad_convs_refused(void)
{
	uint64_t wp = 0;
	int16_t b = 1;
	struct dp_bitplane_conv cv = {
		.l = {
			.rows = 1, .cols = 8, .pes = 1, .w_planes = 1,
			.a_planes = 1, .wplanes = &wp, .w_basis = &b,
			.a_basis = &b,
		},
		.win = {
			.in_h = 4, .in_w = 4, .kernel_h = 3, .kernel_w = 3,
			.stride_h = 1, .stride_w = 1,
		},
	};
	struct eie_error err;

	CHECK_EQ(dp_bitplane_conv_validate(&cv, &err), 0);
	cv.win.kernel_w = 12;
	CHECK_EQ(dp_bitplane_conv_validate(&cv, &err), -EINVAL);
	cv.win.kernel_w = 3;
	cv.l.cols = 0;
	CHECK_EQ(dp_bitplane_conv_validate(&cv, &err), -EINVAL);
	CHECK_STR_CONTAINS(err.msg, "cols");
	CHECK_EQ(dp_bitplane_conv_validate(NULL, &err), -EINVAL);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_random_convs_match_the_definition),
	TAP_TEST(test_padding_contributes_nothing),
	TAP_TEST(test_pairs_cycles_and_statistics),
	TAP_TEST(test_bad_convs_refused),
};

TAP_MAIN(tests)
