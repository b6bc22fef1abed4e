// SPDX-License-Identifier: MIT
/*
 * NISP, neuron importance score propagation (Yu et al., CVPR 2018): the
 * units of the final response layer (the input of the last weight
 * layer) are ranked by Inf-FS (Roffo, Melzi, Cristani, ICCV 2015) on
 * their responses to sampled images, and their scores go back through
 * the network as a bound on how much each earlier unit can move them,
 * s_in = |W|^T s_out for a weight layer; a channel's score is the sum of
 * its positions', and each prunable layer keeps its best channels.
 * dcc-sp-nisp.rst gives the rule of each layer kind.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "sp_datadriven.h"

#define NISP_POWER_ITERS 10000	/* bound on the spectral radius's iterations */

uint32_t nisp_last_weight_layer(const struct net *n)
{
	for (uint32_t i = n->count; i-- > 0;)
		if (layer_has_weights(&n->l[i]))
			return i;
	return n->count;
}

/*
 * An upper bound of the spectral radius of a nonnegative n x n matrix:
 * for any x > 0, min_i (A x)_i / x_i <= rho(A) <= max_i (A x)_i / x_i
 * (Collatz-Wielandt), with x from power iteration on A + I (the shift
 * keeps x positive and avoids the oscillation of periodic matrices).
 * An upper bound keeps r rho(A) <= 0.9 for certain.
 */
static double spectral_radius(const double *a, uint32_t n, double *x, double *y)
{
	double hi = INFINITY;

	for (uint32_t i = 0; i < n; i++)
		x[i] = 1;
	for (uint32_t it = 0; it < NISP_POWER_ITERS; it++) {
		double lo = INFINITY, top = 0, most = 0;

		cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, a,
			    (int)n, x, 1, 0.0, y, 1);
		for (uint32_t i = 0; i < n; i++) {
			double q = y[i] / x[i];

			lo = q < lo ? q : lo;
			top = q > top ? q : top;
		}
		hi = top < hi ? top : hi;
		if (hi - lo <= 1e-9 * hi)
			break;
		for (uint32_t i = 0; i < n; i++) {
			x[i] += y[i];
			most = x[i] > most ? x[i] : most;
		}
		for (uint32_t i = 0; i < n; i++)
			x[i] /= most;
	}
	return hi;
}

/* Does feature f (samples values) never change? */
static bool constant(const double *f, uint32_t samples)
{
	for (uint32_t s = 1; s < samples; s++)
		if (f[s] != f[0])
			return false;
	return true;
}

int nisp_inffs(const double *f, uint32_t samples, uint32_t features,
	       double alpha, double *score)
{
	const uint32_t nf = features;
	double *z = malloc((size_t)nf * samples * sizeof(double));
	double *a = malloc((size_t)nf * nf * sizeof(double));
	double *sd = malloc(nf * sizeof(double)), *var = malloc(nf * sizeof(double));
	double *tmp = malloc(nf * sizeof(double));
	uint8_t *flat = malloc(nf);
	double lo = INFINITY, hi = 0, rho, r;
	int ret = -1;

	if (!z || !a || !sd || !var || !tmp || !flat)
		goto out;
	ret = -2;
	if (samples < 2 || nf == 0)
		goto out;
	/* centred responses and their spread */
	for (uint32_t i = 0; i < nf; i++) {
		const double *fi = f + (size_t)i * samples;
		double *zi = z + (size_t)i * samples, mean = 0, sq = 0;

		for (uint32_t s = 0; s < samples; s++)
			mean += fi[s];
		mean /= samples;
		for (uint32_t s = 0; s < samples; s++) {
			zi[s] = fi[s] - mean;
			sq += zi[s] * zi[s];
		}
		/* exactly constant: no rounding leftovers posing as a spread */
		flat[i] = constant(fi, samples);
		var[i] = flat[i] ? 0 : sq;
		sd[i] = sqrt(var[i] / samples);
		lo = sd[i] < lo ? sd[i] : lo;
		hi = sd[i] > hi ? sd[i] : hi;
	}
	/* sigma in [0, 1] as Roffo's code has it: (sd - min) / (max - min) */
	for (uint32_t i = 0; i < nf; i++)
		sd[i] = hi > lo ? (sd[i] - lo) / (hi - lo) : 0;
	/* the covariances (times samples), upper triangle */
	cblas_dsyrk(CblasRowMajor, CblasUpper, CblasNoTrans, (int)nf, (int)samples,
		    1.0, z, (int)samples, 0.0, a, (int)nf);
	for (uint32_t i = 0; i < nf; i++)
		for (uint32_t j = i; j < nf; j++) {
			double dist = 0, pc;

			/*
			 * 1 - |Pearson|; with a constant feature the
			 * correlation is undefined and counts as 0
			 * uncorrelation (Roffo's NaN -> 0): it adds nothing.
			 */
			if (!flat[i] && !flat[j]) {
				pc = a[(size_t)i * nf + j] / sqrt(var[i] * var[j]);
				pc = fabs(pc) > 1 ? 1 : fabs(pc);
				dist = 1 - pc;
			}
			a[(size_t)i * nf + j] = a[(size_t)j * nf + i] =
				alpha * (sd[i] > sd[j] ? sd[i] : sd[j]) +
				(1 - alpha) * dist;
		}
	rho = spectral_radius(a, nf, tmp, score);
	if (!(rho > 0) || !isfinite(rho))
		goto out;	/* nothing varies: nothing to rank by */
	/*
	 * The energy of all paths of every length, S = sum_{l >= 1} r^l A^l
	 * = (I - r A)^-1 - I, r = 0.9 / rho(A) so that it converges; I - r A
	 * is symmetric with eigenvalues in [0.1, 1.9], so Cholesky solves
	 * it, and score = S 1 = (I - r A)^-1 1 - 1 needs one solve.
	 */
	r = 0.9 / rho;
	for (size_t k = 0; k < (size_t)nf * nf; k++)
		a[k] *= -r;
	for (uint32_t i = 0; i < nf; i++) {
		a[(size_t)i * nf + i] += 1;
		score[i] = 1;
	}
	ret = -1;
	if (sp_spd_solve(a, nf, score))
		goto out;
	for (uint32_t i = 0; i < nf; i++)
		score[i] -= 1;
	ret = 0;
out:
	free(z);
	free(a);
	free(sd);
	free(var);
	free(tmp);
	free(flat);
	return ret;
}

void nisp_backprop(const struct layer *l, const double *s_out, double *s_in)
{
	const size_t nin = shape_size(l->in);
	const struct window *w = &l->win;

	if (l->kind != LAYER_FC && l->kind != LAYER_CONV && l->kind != LAYER_POOL) {
		/* relu, bn: identity (dcc-sp-nisp.rst); flatten: the same order */
		memcpy(s_in, s_out, nin * sizeof(double));
		return;
	}
	memset(s_in, 0, nin * sizeof(double));
	if (l->kind == LAYER_FC) {
		for (uint32_t k = 0; k < l->wt.rows; k++) {
			const float *wk = l->wt.w.v + (size_t)k * l->wt.cols;

			for (uint32_t c = 0; c < l->wt.cols; c++)
				s_in[c] += fabs((double)wk[c]) * s_out[k];
		}
		return;
	}
	/*
	 * conv: every tap that reads (c, iy, ix) for an output (k, oy, ox)
	 * adds |W[k][c][r][s]| s_out; pool: the same with the window's own
	 * weights, 1 / (R S) for avg and 1 for max (|max_i x_i - max_i x'_i|
	 * <= sum_i |x_i - x'_i|). Taps in the padding read no input.
	 */
	for (uint32_t k = 0; k < l->out.c; k++)
		for (uint32_t oy = 0; oy < l->out.h; oy++)
			for (uint32_t ox = 0; ox < l->out.w; ox++) {
				double v = s_out[((size_t)k * l->out.h + oy) * l->out.w + ox];
				uint32_t c0 = l->kind == LAYER_POOL ? k : 0;
				uint32_t c1 = l->kind == LAYER_POOL ? k + 1 : l->in.c;

				if (v == 0)
					continue;
				for (uint32_t c = c0; c < c1; c++)
					for (uint32_t r = 0; r < w->kh; r++) {
						long iy = (long)oy * w->sh - w->ph + r;

						if (iy < 0 || iy >= (long)l->in.h)
							continue;
						for (uint32_t t = 0; t < w->kw; t++) {
							long ix = (long)ox * w->sw - w->pw + t;
							double g;

							if (ix < 0 || ix >= (long)l->in.w)
								continue;
							if (l->kind == LAYER_CONV)
								g = fabs((double)l->wt.w.v[(size_t)k * l->wt.cols +
									 ((size_t)c * w->kh + r) * w->kw + t]);
							else if (l->pool_mode == POOL_AVG_MODE)
								g = 1.0 / ((double)w->kh * w->kw);
							else
								g = 1;
							s_in[((size_t)c * l->in.h + (size_t)iy) * l->in.w +
							     (size_t)ix] += g * v;
						}
					}
			}
}

int nisp_channel_scores(const struct net *n, const double *frl,
			double *chan[NET_LAYERS_MAX])
{
	const uint32_t last = nisp_last_weight_layer(n);
	uint32_t first = last;
	size_t widest = 0;
	double *cur, *next;

	for (uint32_t m = 0; m < last; m++) {
		if (layer_prunable(n, m) && first == last)
			first = m;
		if (shape_size(n->l[m].out) > widest)
			widest = shape_size(n->l[m].out);
		if (shape_size(n->l[m].in) > widest)
			widest = shape_size(n->l[m].in);
	}
	if (first == last)
		return 0;	/* nothing to score */
	cur = malloc(widest * sizeof(double));
	next = malloc(widest * sizeof(double));
	if (!cur || !next) {
		free(cur);
		free(next);
		return -1;
	}
	memcpy(cur, frl, shape_size(n->l[last].in) * sizeof(double));
	for (uint32_t m = last; m-- > first;) {
		const struct layer *l = &n->l[m];

		if (layer_prunable(n, m) && chan[m]) {
			const size_t hw = (size_t)l->out.h * l->out.w;

			for (uint32_t c = 0; c < l->out.c; c++) {
				chan[m][c] = 0;
				for (size_t q = 0; q < hw; q++)
					chan[m][c] += cur[c * hw + q];
			}
		}
		if (m > first) {
			double *t = cur;

			nisp_backprop(l, cur, next);
			cur = next;
			next = t;
		}
	}
	free(cur);
	free(next);
	return 0;
}

/* The images drawn from the seed, and where their responses go. */
struct responses {
	const struct dataset *data;
	uint64_t seed;
	uint32_t samples;
	size_t units;
	double *f;		/* units x samples */
};

static uint32_t draw_image(void *ctx, uint32_t k)
{
	struct responses *r = ctx;

	(void)k;	/* drawn in order: sample k is the k-th draw */
	return (uint32_t)(rng_next(&r->seed) % r->data->count);
}

static void take_response(void *ctx, uint32_t k, const float *act)
{
	struct responses *r = ctx;

	for (size_t u = 0; u < r->units; u++)
		r->f[u * r->samples + k] = act[u];
}

/* The final responses of `samples` random images, f[unit * samples + s]. */
static int final_responses(const struct net *n, const struct dataset *data,
			   uint32_t samples, uint64_t seed, double *f)
{
	const uint32_t last = nisp_last_weight_layer(n);
	struct responses r = {
		.data = data, .seed = seed, .samples = samples,
		.units = shape_size(n->l[last].in), .f = f,
	};
	const struct net_sampling s = {
		.image = draw_image, .take = take_response, .ctx = &r,
	};

	return net_forward_samples(n, last, data, samples, &s);
}

int sp_nisp_plan(const struct net *n, const struct dataset *data,
		 const struct sp_opts *o, struct channel_plan *p,
		 struct dcc_error *err)
{
	double *chan[NET_LAYERS_MAX] = { NULL }, *f = NULL, *frl = NULL;
	uint32_t last = nisp_last_weight_layer(n), units;
	bool any = false;
	int ret = -1, r;

	if (o->samples < 2 || !data || data->count == 0)
		return dcc_fail(err, "NISP ranks the final responses by their spread over images: it needs images and --samples at least 2");
	if (data->dim != net_inputs(n))
		return dcc_fail(err, "NISP: the images have %u values, network '%s' takes %u",
				data->dim, n->spec, net_inputs(n));
	if (!(o->level >= 0 && o->level <= 1))
		return dcc_fail(err, "NISP: level %g is not a fraction of the channels (0..1)",
				o->level);
	for (uint32_t i = 0; i < n->count; i++) {
		if (!layer_prunable(n, i))
			continue;
		any = true;
		if (!p->keep[i])
			return dcc_fail(err, "NISP: the plan has no entry for %s (plan_init() first)",
					n->l[i].name);
	}
	if (!any || last == n->count)
		return dcc_fail(err, "network '%s' has no layer whose channels can be removed",
				n->spec);
	units = (uint32_t)shape_size(n->l[last].in);
	if (units > NISP_FRL_MAX)
		return dcc_fail(err, "NISP: %s's input has %u units, Inf-FS ranks at most %u (its matrix is units x units)",
				n->l[last].name, units, NISP_FRL_MAX);
	f = malloc((size_t)units * o->samples * sizeof(double));
	frl = malloc(units * sizeof(double));
	if (!f || !frl || final_responses(n, data, o->samples, o->seed, f)) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	r = nisp_inffs(f, o->samples, units, NISP_ALPHA, frl);
	if (r == -2) {
		dcc_fail(err, "NISP: %s's inputs do not vary over %u images: nothing to rank them by",
			 n->l[last].name, o->samples);
		goto out;
	} else if (r) {
		dcc_fail(err, "NISP: Inf-FS failed on %s's inputs (out of memory, or responses not finite)",
			 n->l[last].name);
		goto out;
	}
	for (uint32_t i = 0; i < n->count; i++) {
		if (!layer_prunable(n, i))
			continue;
		chan[i] = malloc(n->l[i].out.c * sizeof(double));
		if (!chan[i]) {
			dcc_fail(err, "out of memory");
			goto out;
		}
	}
	if (nisp_channel_scores(n, frl, chan)) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < n->count; i++)
		if (chan[i] && plan_keep_top(p, i, chan[i], n->l[i].out.c,
					     channels_to_keep(n->l[i].out.c, o->level))) {
			dcc_fail(err, "out of memory");
			goto out;
		}
	ret = 0;
out:
	for (uint32_t i = 0; i < NET_LAYERS_MAX; i++)
		free(chan[i]);
	free(f);
	free(frl);
	return ret;
}
