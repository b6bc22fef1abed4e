// SPDX-License-Identifier: MIT
/*
 * The data-driven structured pruning methods against answers worked out
 * by hand: ThiNet's greedy order and least squares on constructed
 * contributions, its x_hat against the next layer's own outputs, the
 * network it gives (descriptions, shapes, the next layer's columns
 * rescaled) and an exact reconstruction end to end; NISP's propagation
 * through fc, conv (with padding), max and average pooling and a whole
 * network, Inf-FS's ranking of constant and duplicated features, and
 * the inputs both refuse.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../userspace/dcc/sp_datadriven.h"

static int near(double a, double b, double tol)
{
	return fabs(a - b) <= tol * fmax(1.0, fmax(fabs(a), fabs(b)));
}

/* `count` random images of `dim` pixels in [0, 1], labels 0. */
static int make_data(struct dataset *ds, uint32_t count, uint32_t dim, uint64_t seed)
{
	ds->count = count;
	ds->dim = dim;
	ds->x = malloc((size_t)count * dim * sizeof(float));
	ds->y = calloc(count, 1);
	if (!ds->x || !ds->y)
		return -1;
	for (size_t k = 0; k < (size_t)count * dim; k++)
		ds->x[k] = rng_uniform(&seed);
	return 0;
}

/* Distinct random biases: the surgery copies them, so they name the rows. */
static void random_biases(struct net *n, uint64_t seed)
{
	for (uint32_t i = 0; i < n->count; i++)
		for (size_t k = 0; k < n->l[i].wt.b.n; k++)
			n->l[i].wt.b.v[k] = rng_uniform(&seed) - 0.5f;
}

/*
 * Greedy on constructed x_hat (4 samples, the unit vectors e1..e4):
 *   c0 = 10 e4, c1 = u = e1, c2 = v = -0.9 e1 + 0.9 e2, c3 = -v,
 *   c4 = 1.2 e3, c5 = 0.
 * Removing 4: c5 costs 0; then c1 (1); then, with e1 removed, c2 costs
 * |0.1 e1 + 0.9 e2|^2 = 0.82 against c4's 2.44; then c3 cancels c2 and
 * costs 1 against c4's 2.26. Kept: c0 and c4, although c4 alone (1.44)
 * is smaller than c3 (1.62): a ranking by each channel's own size would
 * keep c3.
 */
static void test_thinet_greedy(void)
{
	const double x[6][4] = {
		{ 0, 0, 0, 10 }, { 1, 0, 0, 0 }, { -0.9, 0.9, 0, 0 },
		{ 0.9, -0.9, 0, 0 }, { 0, 0, 1.2, 0 }, { 0, 0, 0, 0 },
	};
	const uint32_t want[4] = { 5, 1, 2, 3 };
	uint32_t order[4] = { 9, 9, 9, 9 };
	uint8_t kept[6];

	CHECK_EQ(thinet_greedy(&x[0][0], 4, 6, 2, kept, order), 0);
	for (int m = 0; m < 4; m++)
		CHECK_EQ(order[m], want[m]);
	CHECK(kept[0] && kept[4]);
	CHECK(!kept[1] && !kept[2] && !kept[3] && !kept[5]);
	/* keeping everything removes nothing */
	CHECK_EQ(thinet_greedy(&x[0][0], 4, 6, 6, kept, NULL), 0);
	for (int c = 0; c < 6; c++)
		CHECK_EQ(kept[c], 1);
}

/*
 * Least squares: c2 = 2 c0 - 0.5 c1 is removed, so y = 3 c0 + 0.5 c1
 * exactly; c3 is 0 on every sample and, kept, keeps its weights (w = 1,
 * the ridge's pull).
 */
static void test_thinet_scales(void)
{
	enum { S = 7 };
	double x[4][S], w[4];
	const uint8_t kept[4] = { 1, 1, 0, 1 };
	uint64_t seed = 3;

	for (int s = 0; s < S; s++) {
		x[0][s] = rng_uniform(&seed) - 0.5;
		x[1][s] = rng_uniform(&seed) - 0.5;
		x[2][s] = 2 * x[0][s] - 0.5 * x[1][s];
		x[3][s] = 0;
	}
	CHECK_EQ(thinet_scales(&x[0][0], S, 4, kept, w), 0);
	DIAG("w = %.9f %.9f %.9f %.9f", w[0], w[1], w[2], w[3]);
	CHECK(near(w[0], 3, 1e-6));
	CHECK(near(w[1], 0.5, 1e-6));
	CHECK(w[2] == 0);
	CHECK(near(w[3], 1, 1e-6));
	/* one sample, two kept channels: the ridge still gives an answer */
	CHECK_EQ(thinet_scales(&x[0][0], 1, 4, kept, w), 0);
	CHECK(isfinite(w[0]) && isfinite(w[1]));
}

/*
 * The sampled points: in range, every image, unit and position drawn
 * (2000 draws over 5 images, 4 filters, 2 x 2 outputs), fc points at
 * (0, 0), and the same points again from the same seed.
 */
static void test_thinet_draw(void)
{
	enum { S = 2000 };
	struct thinet_point *a = malloc(S * sizeof(*a)), *b = malloc(S * sizeof(*b));
	unsigned int seen_img[5] = { 0 }, seen_unit[4] = { 0 }, seen_pos[4] = { 0 };
	uint64_t s1 = 7, s2 = 7;
	struct net n;
	struct dcc_error err;
	int bad = 0;

	CHECK_EQ(net_build(&n, "in=2x6x6,conv3x3x3,relu,conv4x2x2/s2,relu,flatten,fc6,relu,fc2",
			   &err), 0);
	thinet_draw(&n, 2, 5, S, &s1, a);
	thinet_draw(&n, 2, 5, S, &s2, b);
	CHECK(!memcmp(a, b, S * sizeof(*a)));
	for (int s = 0; s < S; s++) {
		if (a[s].image >= 5 || a[s].unit >= 4 || a[s].y >= 2 || a[s].x >= 2) {
			bad++;
			continue;
		}
		seen_img[a[s].image]++;
		seen_unit[a[s].unit]++;
		seen_pos[a[s].y * 2 + a[s].x]++;
	}
	CHECK_EQ(bad, 0);
	for (int k = 0; k < 5; k++)
		CHECK(seen_img[k] > 0);
	for (int k = 0; k < 4; k++)
		CHECK(seen_unit[k] > 0 && seen_pos[k] > 0);
	thinet_draw(&n, 5, 5, S, &s1, a);
	for (int s = 0; s < S; s++)
		bad += a[s].unit >= 6 || a[s].y || a[s].x || a[s].image >= 5;
	CHECK_EQ(bad, 0);
	free(a);
	free(b);
	net_free(&n);
}

/*
 * x_hat against the network's own outputs: at every output of the next
 * layer of two images, channel c's x_hat is that output less its bias
 * when the next layer's weights on every other channel are zeroed
 * (conv -> conv with padding and stride, conv -> flatten -> fc reading
 * CHW order, fc -> fc).
 */
static void test_thinet_contributions(void)
{
	struct net n;
	struct dataset ds;
	struct dcc_error err;
	const uint32_t layers[3] = { 0, 2, 5 }, next[3] = { 2, 5, 7 };

	CHECK_EQ(net_build(&n, "in=2x5x5,conv3x3x3/p1,relu,conv4x3x3/s2/p1,relu,flatten,fc5,relu,fc2",
			   &err), 0);
	CHECK_EQ(make_data(&ds, 2, 50, 4), 0);
	net_init_weights(&n, 8);
	random_biases(&n, 9);
	for (int t = 0; t < 3; t++) {
		const uint32_t i = layers[t], j = next_weight_layer(&n, i);
		struct layer *l = &n.l[j];
		const uint32_t per = (uint32_t)shape_size(l->out), samples = 2 * per;
		const uint32_t channels = n.l[i].out.c, cols = l->wt.cols / channels;
		struct thinet_point *pts = malloc(samples * sizeof(*pts));
		double *x = malloc((size_t)channels * samples * sizeof(double));
		float *y = malloc(2 * per * sizeof(float));
		float *w = malloc(l->wt.w.n * sizeof(float));
		int bad = 0;

		CHECK_EQ(j, next[t]);
		for (uint32_t s = 0; s < samples; s++) {
			uint32_t q = s % per;

			pts[s] = (struct thinet_point){ s / per, q / (l->out.h * l->out.w),
							(q / l->out.w) % l->out.h, q % l->out.w };
		}
		CHECK_EQ(thinet_contributions(&n, i, &ds, pts, samples, x), 0);
		memcpy(w, l->wt.w.v, l->wt.w.n * sizeof(float));
		for (uint32_t c = 0; c < channels; c++) {
			/* channel c's columns only: R*S taps (conv), h*w or 1 (fc) */
			for (size_t k = 0; k < l->wt.w.n; k++)
				l->wt.w.v[k] = (k % l->wt.cols) / cols == c ? w[k] : 0;
			CHECK_EQ(net_forward_upto(&n, j + 1, ds.x, 2, y), 0);
			for (uint32_t s = 0; s < samples; s++)
				bad += !near(x[(size_t)c * samples + s] + l->wt.b.v[pts[s].unit],
					     y[s], 1e-5);
		}
		memcpy(l->wt.w.v, w, l->wt.w.n * sizeof(float));
		DIAG("%s -> %s: %d of %u x %u x_hat missed", n.l[i].name, l->name, bad,
		     channels, samples);
		CHECK_EQ(bad, 0);
		free(pts);
		free(x);
		free(y);
		free(w);
	}
	dataset_free(&ds);
	net_free(&n);
}

/* The src row each of dst's rows of layer i came from, by its bias. */
static void row_map(const struct layer *s, const struct layer *d, uint32_t *from)
{
	for (uint32_t r2 = 0; r2 < d->wt.rows; r2++) {
		from[r2] = UINT32_MAX;
		for (uint32_t r = 0; r < s->wt.rows; r++)
			if (s->wt.b.v[r] == d->wt.b.v[r2])
				from[r2] = r;
	}
}

/*
 * dst of layer j reads src's kept channels, each channel's columns (of
 * every kept row) src's times one scale: mismatches returned.
 */
static int check_rescaled(const struct net *src, const struct net *dst, uint32_t i)
{
	const uint32_t j = next_weight_layer(src, i);
	const struct layer *s = &src->l[j], *d = &dst->l[j];
	const uint32_t cin = src->l[i].out.c, cin2 = dst->l[i].out.c;
	const uint32_t per = s->wt.cols / cin;
	uint32_t chan[64], rows[64];
	int bad = 0;

	row_map(&src->l[i], &dst->l[i], chan);
	row_map(s, d, rows);
	if (d->wt.cols != cin2 * per)
		return 1;
	for (uint32_t c2 = 0; c2 < cin2; c2++) {
		double scale = 0;

		if (chan[c2] == UINT32_MAX || (c2 && chan[c2] <= chan[c2 - 1]))
			return 1;	/* kept channels, in their order */
		for (uint32_t r2 = 0; r2 < d->wt.rows; r2++)
			for (uint32_t q = 0; q < per; q++) {
				double a = s->wt.w.v[(size_t)rows[r2] * s->wt.cols + chan[c2] * per + q];
				double b = d->wt.w.v[(size_t)r2 * d->wt.cols + c2 * per + q];

				if (scale == 0)
					scale = b / a;
				bad += !near(b, a * scale, 1e-5);
			}
	}
	return bad;
}

/* Mismatches of dst's layer i rows against the src rows they came from. */
static int check_copied(const struct net *src, const struct net *dst, uint32_t i)
{
	const struct weights *a = &src->l[i].wt, *b = &dst->l[i].wt;
	uint32_t from[64];
	int bad = 0;

	row_map(&src->l[i], &dst->l[i], from);
	for (uint32_t r2 = 0; r2 < b->rows; r2++)
		bad += from[r2] == UINT32_MAX ||
		       memcmp(b->w.v + (size_t)r2 * b->cols,
			      a->w.v + (size_t)from[r2] * a->cols, a->cols * sizeof(float));
	return bad;
}

/* ThiNet's networks: descriptions, shapes, and the rescaled columns. */
static void test_thinet_shapes(void)
{
	static const struct {
		const char *spec, *want;
		uint32_t pruned[3], count;
	} nets[] = {
		/* conv -> conv, conv -> pool -> flatten -> fc, fc -> fc */
		{ "in=2x8x8,conv4x3x3/p1,relu,maxpool2,conv6x3x3,relu,flatten,fc6,relu,fc3",
		  "in=2x8x8,conv2x3x3/p1,relu,maxpool2,conv3x3x3,relu,flatten,fc3,relu,fc3",
		  { 0, 3, 6 }, 3 },
		{ "in=6,fc6,relu,fc4,relu,fc3", "in=6,fc3,relu,fc2,relu,fc3", { 0, 2 }, 2 },
	};
	static const uint32_t cols[2][3] = { { 2 * 9, 3 * 2 * 2, 3 }, { 3, 2 } };
	struct sp_opts o;
	struct dcc_error err;

	sp_opts_default(&o);
	o.samples = 300;
	for (size_t t = 0; t < sizeof(nets) / sizeof(nets[0]); t++) {
		struct net src, dst;
		struct dataset ds;
		char spec[NET_SPEC_MAX];

		CHECK_EQ(net_build(&src, nets[t].spec, &err), 0);
		net_init_weights(&src, 20 + t);
		random_biases(&src, 30 + t);
		CHECK_EQ(make_data(&ds, 40, net_inputs(&src), 40 + t), 0);
		CHECK_EQ(sp_thinet(&src, &ds, &o, &dst, &err), 0);
		net_describe(&dst, spec, sizeof(spec));
		DIAG("%s -> %s", nets[t].spec, spec);
		CHECK(!strcmp(spec, nets[t].want));
		CHECK_EQ(dst.count, src.count);
		for (uint32_t k = 0; k < nets[t].count; k++) {
			const uint32_t i = nets[t].pruned[k], j = next_weight_layer(&src, i);

			CHECK_EQ(dst.l[i].out.c, src.l[i].out.c / 2);
			/* the next layer reads the kept channels, rescaled */
			CHECK_EQ(dst.l[j].wt.cols, cols[t][k]);
			CHECK_EQ(dst.l[j].wt.w.n, (size_t)dst.l[j].wt.rows * cols[t][k]);
			CHECK_EQ(check_rescaled(&src, &dst, i), 0);
		}
		/* nothing before it was pruned: the first layer's rows are src's */
		CHECK_EQ(check_copied(&src, &dst, 0), 0);
		CHECK(net_accuracy(&dst, &ds) >= 0);
		net_free(&src);
		net_free(&dst);
		dataset_free(&ds);
	}
}

/*
 * End to end, exact: fc1's channel 2 is 3 x channel 0 (same weights
 * times 3, no bias, so after relu too), fc2 reads channel 3 with zero
 * weights and channel 2 with 0.1 x channel 0's column. ThiNet at 0.5
 * removes channel 3 (it adds nothing), then channel 2 (x_hat_2 = 0.3
 * x_hat_0, smaller than channel 1's), and scales channel 0 by 1.3: the
 * pruned network computes exactly what the whole one did.
 */
static void test_thinet_exact(void)
{
	static const float w1[4][3] = {
		{ 1, 0.5f, 0.2f }, { 0.3f, -0.2f, 1 }, { 3, 1.5f, 0.6f }, { -0.5f, 1, 0.4f },
	};
	static const float w2[2][4] = { { 1, 2, 0.1f, 0 }, { 2, -2, 0.2f, 0 } };
	struct net src, dst;
	struct dataset ds;
	struct sp_opts o;
	struct dcc_error err;
	float ys[2 * 20], yd[2 * 20];
	int bad = 0;

	CHECK_EQ(net_build(&src, "in=3,fc4,relu,fc2", &err), 0);
	memcpy(src.l[0].wt.w.v, w1, sizeof(w1));
	memcpy(src.l[2].wt.w.v, w2, sizeof(w2));
	src.l[2].wt.b.v[0] = 0.25f;
	CHECK_EQ(make_data(&ds, 20, 3, 5), 0);
	sp_opts_default(&o);
	o.samples = 50;
	CHECK_EQ(sp_thinet(&src, &ds, &o, &dst, &err), 0);
	CHECK_EQ(dst.l[0].wt.rows, 2);
	CHECK(!memcmp(dst.l[0].wt.w.v, w1[0], sizeof(w1[0])));
	CHECK(!memcmp(dst.l[0].wt.w.v + 3, w1[1], sizeof(w1[1])));
	DIAG("fc2 after: %g %g / %g %g", dst.l[2].wt.w.v[0], dst.l[2].wt.w.v[1],
	     dst.l[2].wt.w.v[2], dst.l[2].wt.w.v[3]);
	CHECK(near(dst.l[2].wt.w.v[0], 1.3, 1e-5));
	CHECK(near(dst.l[2].wt.w.v[1], 2, 1e-5));
	CHECK(near(dst.l[2].wt.w.v[2], 2.6, 1e-5));
	CHECK(near(dst.l[2].wt.w.v[3], -2, 1e-5));
	CHECK_EQ(net_forward(&src, ds.x, 20, ys), 0);
	CHECK_EQ(net_forward(&dst, ds.x, 20, yd), 0);
	for (int k = 0; k < 40; k++)
		bad += !near(ys[k], yd[k], 1e-5);
	CHECK_EQ(bad, 0);
	net_free(&src);
	net_free(&dst);
	dataset_free(&ds);
}

/*
 * The samples come from the whole data set: fc1 passes its two inputs
 * through, fc2 adds them; image 0 is (1, 0), the 19 others (0, 1). Over
 * all images channel 0 matters least and goes; image 0 alone would say
 * the opposite.
 */
static void test_thinet_all_images(void)
{
	static const float eye[4] = { 1, 0, 0, 1 }, sum[2] = { 1, 1 };
	struct net src, dst;
	struct dataset ds;
	struct sp_opts o;
	struct dcc_error err;

	CHECK_EQ(net_build(&src, "in=2,fc2,relu,fc1", &err), 0);
	memcpy(src.l[0].wt.w.v, eye, sizeof(eye));
	memcpy(src.l[2].wt.w.v, sum, sizeof(sum));
	src.l[0].wt.b.v[1] = 0.5f;	/* names the rows in dst */
	CHECK_EQ(make_data(&ds, 20, 2, 1), 0);
	for (int k = 0; k < 20; k++) {
		ds.x[2 * k] = k == 0;
		ds.x[2 * k + 1] = k != 0;
	}
	sp_opts_default(&o);
	o.samples = 200;
	CHECK_EQ(sp_thinet(&src, &ds, &o, &dst, &err), 0);
	CHECK_EQ(dst.l[0].out.c, 1);
	CHECK(dst.l[0].wt.b.v[0] == 0.5f);	/* channel 1 stayed */
	net_free(&src);
	net_free(&dst);
	dataset_free(&ds);
}

/* One layer of a small network: its s_in from s_out against expected values. */
static int backprop_misses(const char *spec, uint32_t i, const float *w,
			   size_t nw, const double *s_out, const double *want)
{
	struct net n;
	struct dcc_error err;
	double got[64];
	int bad = 0;

	if (net_build(&n, spec, &err))
		return 1000;
	if (w)
		memcpy(n.l[i].wt.w.v, w, nw * sizeof(float));
	nisp_backprop(&n.l[i], s_out, got);
	for (size_t k = 0; k < shape_size(n.l[i].in); k++) {
		if (!near(got[k], want[k], 1e-12))
			DIAG("%s layer %u input %zu: %g, want %g", spec, i, k, got[k], want[k]);
		bad += !near(got[k], want[k], 1e-12);
	}
	net_free(&n);
	return bad;
}

/*
 * Each kind's step, worked by hand.
 * fc: |W|^T s with W = [1 -2 0; 0.5 0 -1], s = (1, 3): (2.5, 2, 3).
 * conv (in 2x2x2, 2 filters of 2x2, padding 1, out 3x3): filter 0 has
 * |W| = [1 2; 3 4] on channel 0 and [0.5 0; 0 0] on channel 1, its
 * scores v(oy, ox) = 1 + 3 oy + ox; input (y, x) is read by tap (r, s)
 * of output (y + 1 - r, x + 1 - s), so channel 0 gets
 *   (0,0): 1 v(1,1) + 2 v(1,0) + 3 v(0,1) + 4 v(0,0) = 5 + 8 + 6 + 4 = 23
 *   (0,1): 6 + 10 + 9 + 8 = 33, (1,0): 8 + 14 + 15 + 16 = 53,
 *   (1,1): 9 + 16 + 18 + 20 = 63
 * and channel 1 0.5 v(y+1, x+1) = 2.5, 3, 4, 4.5. Filter 1 is all ones
 * with score 1 at output (2,2) only, which reads input (1,1) with tap
 * (0,0) (its other taps fall in the padding): +1 on both channels.
 * max/avg pool 2 on 4x4: each window's inputs get its score (1 each,
 * the bound of a max; 1/4, an average's weights); overlapping 2/s1 on
 * 3x3 sums the windows: corners 1, edges 2, centre 4.
 */
static void test_nisp_layers(void)
{
	static const float wfc[] = { 1, -2, 0, 0.5f, 0, -1 };
	static const double sfc[] = { 1, 3 }, wantfc[] = { 2.5, 2, 3 };
	static const float wconv[16] = {
		1, -2, 3, -4, 0.5f, 0, 0, 0,		/* filter 0: channel 0, 1 */
		1, 1, 1, 1, 1, 1, 1, 1,			/* filter 1 */
	};
	static const double sconv[18] = {
		1, 2, 3, 4, 5, 6, 7, 8, 9,
		0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	static const double wantconv[8] = { 23, 33, 53, 64, 2.5, 3, 4, 5.5 };
	static const double spool[4] = { 1, 2, 3, 4 };
	static const double wantmax[16] = {
		1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4,
	};
	static const double ones[4] = { 1, 1, 1, 1 };
	static const double wantover[9] = { 1, 2, 1, 2, 4, 2, 1, 2, 1 };
	double wantavg[16], srelu[5] = { 1, 0, 2, 0.5, 3 };

	for (int k = 0; k < 16; k++)
		wantavg[k] = wantmax[k] / 4;
	CHECK_EQ(backprop_misses("in=3,fc2", 0, wfc, 6, sfc, wantfc), 0);
	CHECK_EQ(backprop_misses("in=2x2x2,conv2x2x2/p1,flatten,fc2", 0, wconv, 16,
				 sconv, wantconv), 0);
	CHECK_EQ(backprop_misses("in=1x4x4,maxpool2,flatten,fc2", 0, NULL, 0, spool,
				 wantmax), 0);
	CHECK_EQ(backprop_misses("in=1x4x4,avgpool2,flatten,fc2", 0, NULL, 0, spool,
				 wantavg), 0);
	CHECK_EQ(backprop_misses("in=1x3x3,maxpool2/s1,flatten,fc2", 0, NULL, 0, ones,
				 wantover), 0);
	/* relu, bn, flatten pass the scores as they are */
	CHECK_EQ(backprop_misses("in=5,relu,fc2", 0, NULL, 0, srelu, srelu), 0);
	CHECK_EQ(backprop_misses("in=5,bn,fc2", 0, NULL, 0, srelu, srelu), 0);
	CHECK_EQ(backprop_misses("in=5x1x1,flatten,fc2", 0, NULL, 0, srelu, srelu), 0);
}

/*
 * The whole walk, fc: in=2,fc3,relu,fc2,relu,fc2 with FRL scores (1, 2):
 * fc2 (the second layer) scores (1, 2); fc1 |W2|^T (1, 2) with
 * W2 = [1 -2 0.5; -3 0 1]: (1 + 6, 2 + 0, 0.5 + 2) = (7, 2, 2.5).
 */
static void test_nisp_walk_fc(void)
{
	static const float w2[6] = { 1, -2, 0.5f, -3, 0, 1 };
	const double frl[2] = { 1, 2 };
	double s0[3], s2[2], *chan[NET_LAYERS_MAX] = { NULL };
	struct net n;
	struct dcc_error err;

	CHECK_EQ(net_build(&n, "in=2,fc3,relu,fc2,relu,fc2", &err), 0);
	net_init_weights(&n, 1);
	memcpy(n.l[2].wt.w.v, w2, sizeof(w2));
	CHECK_EQ(nisp_last_weight_layer(&n), 4);
	chan[0] = s0;
	chan[2] = s2;
	CHECK_EQ(nisp_channel_scores(&n, frl, chan), 0);
	CHECK(s2[0] == 1 && s2[1] == 2);
	CHECK(near(s0[0], 7, 1e-12) && near(s0[1], 2, 1e-12) && near(s0[2], 2.5, 1e-12));
	net_free(&n);
}

/*
 * The whole walk, conv:
 * in=1x5x5,conv2x2x2,relu,conv2x2x2,relu,maxpool2,flatten,fc3,relu,fc2
 * (conv1 2x4x4, conv2 2x3x3, pool 2x1x1 from conv2's top-left 2x2).
 * FRL scores (1, 2, 3); fc3 keeps them; |Wfc3|^T (1, 2, 3) with Wfc3 =
 * [1 0; -1 2; 0.5 -0.5] is t = (4.5, 5.5), which the pool hands to each
 * of the 4 positions of its window: conv2's channels score 4 t = (18,
 * 22). conv2's filters are m_kc times ones (m = [1 2; 0.5 1]); each of
 * the 4 scored outputs reads 4 taps, all inside: conv1's channel c
 * scores 16 sum_k m_kc t_k = 16 (4.5 + 2.75, 9 + 5.5) = (116, 232).
 */
static void test_nisp_walk_conv(void)
{
	static const float wfc[6] = { 1, 0, -1, 2, 0.5f, -0.5f };
	static const float m[2][2] = { { 1, 2 }, { 0.5f, 1 } };
	const double frl[3] = { 1, 2, 3 };
	double s0[2], s2[2], s6[3], *chan[NET_LAYERS_MAX] = { NULL };
	struct net n;
	struct dcc_error err;

	CHECK_EQ(net_build(&n, "in=1x5x5,conv2x2x2,relu,conv2x2x2,relu,maxpool2,flatten,fc3,relu,fc2",
			   &err), 0);
	net_init_weights(&n, 2);
	memcpy(n.l[6].wt.w.v, wfc, sizeof(wfc));
	for (int k = 0; k < 2; k++)
		for (int c = 0; c < 2; c++)
			for (int t = 0; t < 4; t++)
				n.l[2].wt.w.v[(k * 2 + c) * 4 + t] = (t & 1 ? -1 : 1) * m[k][c];
	chan[0] = s0;
	chan[2] = s2;
	chan[6] = s6;
	CHECK_EQ(nisp_channel_scores(&n, frl, chan), 0);
	DIAG("conv1 %g %g, conv2 %g %g, fc1 %g %g %g", s0[0], s0[1], s2[0], s2[1],
	     s6[0], s6[1], s6[2]);
	CHECK(s6[0] == 1 && s6[1] == 2 && s6[2] == 3);
	CHECK(near(s2[0], 18, 1e-12) && near(s2[1], 22, 1e-12));
	CHECK(near(s0[0], 116, 1e-12) && near(s0[1], 232, 1e-12));
	net_free(&n);
}

/*
 * Inf-FS on 8 samples of five features built from orthogonal +-1
 * columns: f0 = h1, f1 = f2 = h2 (a duplicate), f3 = h3, f4 = 0.5
 * (constant). sd normalized: 1, 1, 1, 1, 0; |rho| = 1 between f1 and
 * f2 and on the diagonal, 0 elsewhere, undefined for f4 (1 - |rho|
 * taken as 0). With alpha 0.5 that is, by hand,
 *   A = [.5  1  1  1 .5;  1 .5 .5  1 .5;  1 .5 .5  1 .5;
 *         1  1  1 .5 .5; .5 .5 .5 .5  0]
 * and the scores are the rows of sum_{l>=1} (0.9 A / rho(A))^l, summed
 * here as the series. f0 = f3 > f1 = f2 > f4.
 */
static void test_inffs(void)
{
	static const double a[5][5] = {
		{ .5, 1, 1, 1, .5 }, { 1, .5, .5, 1, .5 }, { 1, .5, .5, 1, .5 },
		{ 1, 1, 1, .5, .5 }, { .5, .5, .5, .5, 0 },
	};
	double f[5][8], score[5], v[5], t[5], want[5] = { 0 }, rho = 0, r;

	for (int s = 0; s < 8; s++) {
		f[0][s] = s & 1 ? -1 : 1;
		f[1][s] = f[2][s] = s & 2 ? -1 : 1;
		f[3][s] = s & 4 ? -1 : 1;
		f[4][s] = 0.5;
	}
	/* rho(A) by power iteration, then the series, all in the test */
	for (int i = 0; i < 5; i++)
		v[i] = 1;
	for (int it = 0; it < 500; it++) {
		double norm = 0;

		for (int i = 0; i < 5; i++) {
			t[i] = 0;
			for (int j = 0; j < 5; j++)
				t[i] += a[i][j] * v[j];
			norm = fmax(norm, t[i]);
		}
		rho = norm;
		for (int i = 0; i < 5; i++)
			v[i] = t[i] / norm;
	}
	r = 0.9 / rho;
	for (int i = 0; i < 5; i++)
		v[i] = 1;
	for (int l = 1; l < 600; l++) {
		for (int i = 0; i < 5; i++) {
			t[i] = 0;
			for (int j = 0; j < 5; j++)
				t[i] += r * a[i][j] * v[j];
		}
		for (int i = 0; i < 5; i++)
			want[i] += v[i] = t[i];
	}
	CHECK_EQ(nisp_inffs(&f[0][0], 8, 5, 0.5, score), 0);
	DIAG("rho %.6f; scores %.6f %.6f %.6f %.6f %.6f (want %.6f %.6f %.6f %.6f %.6f)",
	     rho, score[0], score[1], score[2], score[3], score[4],
	     want[0], want[1], want[2], want[3], want[4]);
	for (int i = 0; i < 5; i++)
		CHECK(near(score[i], want[i], 1e-6));
	CHECK(score[0] > score[1] && score[3] > score[2]);
	CHECK(score[1] > score[4] && score[2] > score[4]);
	/* fewer than 2 samples, or nothing varying: no ranking */
	CHECK_EQ(nisp_inffs(&f[0][0], 1, 5, 0.5, score), -2);
	CHECK_EQ(nisp_inffs(&f[4][0], 8, 1, 0.5, score), -2);
}

/*
 * NISP end to end: fc1's unit 1 is dead (zero weights, negative bias),
 * so its response is constant 0 and ranks last; at level 1/3 (keep 2 of
 * 3) the plan drops exactly it.
 */
static void test_nisp_plan(void)
{
	struct net n;
	struct dataset ds;
	struct channel_plan p;
	struct sp_opts o;
	struct dcc_error err;

	static const float w[3][4] = {
		{ 1, -0.5f, 0.3f, 0.2f }, { 0, 0, 0, 0 }, { -0.2f, 0.4f, 1, -0.3f },
	};

	CHECK_EQ(net_build(&n, "in=4,fc3,relu,fc2", &err), 0);
	net_init_weights(&n, 6);
	memcpy(n.l[0].wt.w.v, w, sizeof(w));
	n.l[0].wt.b.v[1] = -1;
	CHECK_EQ(make_data(&ds, 50, 4, 7), 0);
	sp_opts_default(&o);
	o.samples = 200;
	o.level = 1.0 / 3;
	CHECK_EQ(plan_init(&p, &n), 0);
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), 0);
	CHECK(p.keep[0][0] && !p.keep[0][1] && p.keep[0][2]);
	plan_free(&p);
	dataset_free(&ds);
	net_free(&n);
}

/* What both methods refuse, with a message that says why. */
static void test_bad_input(void)
{
	struct net n, dst, wide;
	struct dataset ds, small;
	struct channel_plan p;
	struct sp_opts o;
	struct dcc_error err;

	sp_opts_default(&o);
	CHECK_EQ(make_data(&ds, 10, 4, 1), 0);
	CHECK_EQ(make_data(&small, 10, 3, 1), 0);
	/* no prunable layer: the only weight layer gives the classes */
	CHECK_EQ(net_build(&n, "in=4,fc3", &err), 0);
	CHECK_EQ(plan_init(&p, &n), 0);
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "no layer whose channels can be removed");
	err.msg[0] = 0;
	CHECK_EQ(sp_thinet(&n, &ds, &o, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "no layer whose channels can be removed");
	plan_free(&p);
	net_free(&n);

	CHECK_EQ(net_build(&n, "in=4,fc3,relu,fc2", &err), 0);
	net_init_weights(&n, 1);
	CHECK_EQ(plan_init(&p, &n), 0);
	/* no samples */
	o.samples = 0;
	err.msg[0] = 0;
	CHECK_EQ(sp_thinet(&n, &ds, &o, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "--samples at least 1");
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "--samples at least 2");
	o.samples = 1;	/* one image has no spread */
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "--samples at least 2");
	/* images of the wrong size */
	o.samples = 100;
	err.msg[0] = 0;
	CHECK_EQ(sp_thinet(&n, &small, &o, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "the images have 3 values");
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &small, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "the images have 3 values");
	/* a level that is no fraction */
	o.level = 1.5;
	err.msg[0] = 0;
	CHECK_EQ(sp_thinet(&n, &ds, &o, &dst, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "level 1.5");
	o.level = 0.5;
	/* every response the same: nothing to rank */
	memset(n.l[0].wt.w.v, 0, n.l[0].wt.w.n * sizeof(float));
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "do not vary");
	plan_free(&p);
	/* a plan without the layer's entry */
	memset(&p, 0, sizeof(p));
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&n, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "plan_init");
	net_free(&n);
	/* a final response layer too wide for Inf-FS's matrix */
	CHECK_EQ(net_build(&wide, "in=1x28x28,conv4x3x3,relu,flatten,fc10", &err), 0);
	dataset_free(&ds);
	CHECK_EQ(make_data(&ds, 3, 784, 2), 0);
	CHECK_EQ(plan_init(&p, &wide), 0);
	err.msg[0] = 0;
	CHECK_EQ(sp_nisp_plan(&wide, &ds, &o, &p, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "2704 units");
	plan_free(&p);
	net_free(&wide);
	dataset_free(&ds);
	dataset_free(&small);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_thinet_greedy),
	TAP_TEST(test_thinet_scales),
	TAP_TEST(test_thinet_draw),
	TAP_TEST(test_thinet_contributions),
	TAP_TEST(test_thinet_shapes),
	TAP_TEST(test_thinet_exact),
	TAP_TEST(test_thinet_all_images),
	TAP_TEST(test_nisp_layers),
	TAP_TEST(test_nisp_walk_fc),
	TAP_TEST(test_nisp_walk_conv),
	TAP_TEST(test_inffs),
	TAP_TEST(test_nisp_plan),
	TAP_TEST(test_bad_input),
};

TAP_MAIN(tests)
