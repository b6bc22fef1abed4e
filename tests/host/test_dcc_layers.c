// SPDX-License-Identifier: MIT
/*
 * Each layer kind's forward and backward: conv and pooling forward
 * against direct loops, and every backward against central differences
 * of L = sum(y * r) for a random r (input and parameter gradients).
 * Descriptions past the device's limits are refused with a message.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "dcc_synthetic.h"
#include "../../userspace/dcc/net.h"

/* L = sum(y * r) of layer l on x (count images). */
static double loss(struct layer *l, const float *x, const float *r,
		   uint32_t count)
{
	size_t ny = count * shape_size(l->out);
	float *y = malloc(ny * sizeof(float));
	double sum = 0;

	layer_ops_of(l->kind)->forward(l, x, y, count, false);
	for (size_t k = 0; k < ny; k++)
		sum += (double)y[k] * r[k];
	free(y);
	return sum;
}

/* |a - b| within tol of max(1, |a|, |b|); counts the misses. */
static int near(double a, double b, double tol)
{
	double scale = fmax(1.0, fmax(fabs(a), fabs(b)));

	return fabs(a - b) <= tol * scale;
}

/* Input-gradient mismatches of layer l at x (count images), step h. */
static int input_grad_misses(struct layer *l, float *x, uint32_t count,
			     double h, uint64_t *s)
{
	const size_t nx = count * shape_size(l->in), ny = count * shape_size(l->out);
	float *y = malloc(ny * sizeof(float)), *r = malloc(ny * sizeof(float));
	float *dx = malloc(nx * sizeof(float));
	int bad = 0;

	synth_fill(r, ny, s, -1, 1);
	layer_ops_of(l->kind)->forward(l, x, y, count, true);
	layer_ops_of(l->kind)->backward(l, x, y, r, dx, count);
	for (size_t k = 0; k < nx; k++) {
		float keep = x[k];
		double up, down;

		x[k] = keep + (float)h;
		up = loss(l, x, r, count);
		x[k] = keep - (float)h;
		down = loss(l, x, r, count);
		x[k] = keep;
		bad += !near(dx[k], (up - down) / (2 * h), 2e-2);
	}
	free(y);
	free(r);
	free(dx);
	return bad;
}

/*
 * Check the analytic gradients of layer n->l[i] (input of `count`
 * images) against central differences with step h.
 */
static void grad_check(struct net *n, uint32_t i, uint32_t count, float lo,
		       float hi, uint64_t seed)
{
	struct layer *l = &n->l[i];
	const size_t nx = count * shape_size(l->in), ny = count * shape_size(l->out);
	float *x = malloc(nx * sizeof(float)), *y = malloc(ny * sizeof(float));
	float *r = malloc(ny * sizeof(float)), *dx = malloc(nx * sizeof(float));
	const double h = 1e-2;
	uint64_t s = seed;
	int bad;

	synth_fill(x, nx, &s, lo, hi);
	bad = input_grad_misses(l, x, count, h, &s);
	synth_fill(r, ny, &s, -1, 1);
	CHECK_EQ(layer_ops_of(l->kind)->forward(l, x, y, count, true), 0);
	layer_ops_of(l->kind)->backward(l, x, y, r, dx, count);
	if (layer_has_weights(l)) {
		struct param *p[2] = { &l->wt.w, &l->wt.b };

		for (int q = 0; q < 2; q++)
			for (size_t k = 0; k < p[q]->n; k += 1 + p[q]->n / 61) {
				float keep = p[q]->v[k];
				double up, down;

				p[q]->v[k] = keep + (float)h;
				up = loss(l, x, r, count);
				p[q]->v[k] = keep - (float)h;
				down = loss(l, x, r, count);
				p[q]->v[k] = keep;
				bad += !near(p[q]->g[k], (up - down) / (2 * h), 2e-2);
			}
	}
	DIAG("%s: %d gradient mismatches", l->name, bad);
	CHECK_EQ(bad, 0);
	free(x);
	free(y);
	free(r);
	free(dx);
}

static void test_fc_gradients(void)
{
	struct net n;
	struct dcc_error err;

	CHECK_EQ(net_build(&n, "in=7,fc5,relu,fc10", &err), 0);
	net_init_weights(&n, 3);
	grad_check(&n, 0, 3, -1, 1, 1);
	grad_check(&n, 2, 2, -1, 1, 2);
	net_free(&n);
}

static void test_conv_gradients(void)
{
	struct net n;
	struct dcc_error err;

	/* stride, padding, several channels, non-square kernel via stride */
	CHECK_EQ(net_build(&n, "in=3x9x8,conv4x3x3/s2/p1,conv5x2x2,flatten,fc10", &err), 0);
	net_init_weights(&n, 5);
	for (size_t k = 0; k < n.l[0].wt.b.n; k++)
		n.l[0].wt.b.v[k] = 0.1f * (float)k;
	grad_check(&n, 0, 2, -1, 1, 3);
	grad_check(&n, 1, 3, -1, 1, 4);
	net_free(&n);
}

/*
 * Pooling and ReLU: max pooling and ReLU on grids of values 0.1 apart
 * and none near 0, so that a step of 0.02 changes no winner or sign.
 */
static void test_pool_relu_flatten_gradients(void)
{
	struct net n;
	struct dcc_error err;
	uint64_t s = 9;
	size_t nx;
	float *x;

	CHECK_EQ(net_build(&n, "in=2x7x7,maxpool2,avgpool3/s2/p1,relu,flatten,fc10", &err), 0);
	grad_check(&n, 1, 2, -1, 1, 6);	/* avgpool: linear */
	grad_check(&n, 3, 2, -1, 1, 7);	/* flatten */
	nx = 2 * shape_size(n.l[0].in);
	x = malloc(nx * sizeof(float));
	for (size_t k = 0; k < nx; k++)
		x[k] = 0.1f * (float)((k * 37) % nx) - 5.05f;
	CHECK_EQ(input_grad_misses(&n.l[0], x, 2, 0.02, &s), 0);
	nx = 2 * shape_size(n.l[2].in);
	for (size_t k = 0; k < nx; k++)
		x[k] = 0.1f * (float)((k * 7) % nx) - 0.95f;
	CHECK_EQ(input_grad_misses(&n.l[2], x, 2, 0.02, &s), 0);
	free(x);
	net_free(&n);
}

/* Conv and pooling forward against the definition, loop by loop. */
static void test_conv_pool_forward(void)
{
	struct net n;
	struct dcc_error err;
	uint64_t s = 11;
	float x[2 * 6 * 7], y[3 * 3 * 4], p[3 * 1 * 2];
	struct layer *c, *q;
	int bad = 0;

	CHECK_EQ(net_build(&n, "in=2x6x7,conv3x3x2/s2/p1,maxpool2/s2,flatten,fc10", &err), 0);
	c = &n.l[0];
	q = &n.l[1];
	CHECK(c->out.c == 3 && c->out.h == 3 && c->out.w == 4);
	CHECK(q->out.c == 3 && q->out.h == 1 && q->out.w == 2);
	net_init_weights(&n, 1);
	synth_fill(c->wt.b.v, 3, &s, -1, 1);
	synth_fill(x, sizeof(x) / sizeof(x[0]), &s, -1, 1);
	c = &n.l[0];
	layer_ops_of(c->kind)->forward(c, x, y, 1, false);
	for (uint32_t k = 0; k < 3; k++)
		for (int oy = 0; oy < 3; oy++)
			for (int ox = 0; ox < 4; ox++) {
				double sum = c->wt.b.v[k];

				for (int ch = 0; ch < 2; ch++)
					for (int r = 0; r < 3; r++)
						for (int t = 0; t < 2; t++) {
							int iy = oy * 2 - 1 + r, ix = ox * 2 - 1 + t;

							if (iy >= 0 && iy < 6 && ix >= 0 && ix < 7)
								sum += c->wt.w.v[((k * 2 + ch) * 3 + r) * 2 + t] *
								       x[(ch * 6 + iy) * 7 + ix];
						}
				bad += fabs(sum - y[(k * 3 + oy) * 4 + ox]) > 1e-5;
			}
	CHECK_EQ(bad, 0);
	layer_ops_of(q->kind)->forward(q, y, p, 1, false);
	for (uint32_t k = 0; k < 3; k++)
		for (int ox = 0; ox < 2; ox++) {
			float m = -1e30f;

			for (int r = 0; r < 2; r++)
				for (int t = 0; t < 2; t++)
					m = fmaxf(m, y[(k * 3 + r) * 4 + ox * 2 + t]);
			CHECK(p[k * 2 + ox] == m);
		}
	net_free(&n);
}

static void test_descriptions(void)
{
	static const struct {
		const char *spec, *msg;
	} bad[] = {
		{ "in=1x28x28,conv20x12x12,flatten,fc10", "kernel 12x12, the device takes 1..11" },
		{ "in=1x28x28,conv20x5x5/s9,flatten,fc10", "stride 9" },
		{ "in=1x28x28,conv20x5x5/p5,flatten,fc10", "padding 5 must be below" },
		{ "in=1x4x4,conv2x5x5,flatten,fc10", "does not fit the 4x4 input map" },
		{ "in=1x4097x2,fc10", "expected the input shape first" },
		{ "in=1x28x28,conv20x5x5,relu", "the last layer must be fc" },
		{ "in=1x28x28,conv20x5y5,fc10", "'conv20x5y5' is not" },
		{ "in=16x512x512,conv64x1x1,flatten,fc10", "outputs, the device takes at most" },
		{ "lenet6", "expected the input shape first" },
	};
	struct net n;
	struct dcc_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		CHECK_EQ(net_build(&n, bad[i].spec, &err), -1);
		CHECK_STR_CONTAINS(err.msg, bad[i].msg);
	}
	CHECK_EQ(net_build(&n, "lenet5", &err), 0);
	CHECK_EQ(net_weights(&n), 430500);	/* the paper's 431K */
	CHECK_EQ(net_params(&n), 430500 + 20 + 50 + 500 + 10);
	CHECK_EQ(n.l[7].in.c, 800);		/* 50 x 4 x 4 into fc1 */
	net_free(&n);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_fc_gradients),
	TAP_TEST(test_conv_gradients),
	TAP_TEST(test_pool_relu_flatten_gradients),
	TAP_TEST(test_conv_pool_forward),
	TAP_TEST(test_descriptions),
};

TAP_MAIN(tests)
