// SPDX-License-Identifier: MIT
/*
 * ThiNet (Luo, Wu, Lin, ICCV 2017): the channels of a layer are chosen
 * by what the next weight layer needs of them. At sampled outputs y of
 * the next layer (bias aside), y = sum_c x_hat_c with x_hat_c what input
 * channel c adds; the channels removed are those whose x_hat sum stays
 * smallest (the paper's greedy, Algorithm 1), and the kept channels'
 * weights in the next layer are then rescaled by least squares so that
 * they give back y as closely as they can. Every layer is planned on the
 * trained network's own activations (dcc-sp-thinet.rst says why).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sp_datadriven.h"

/* ridge of the least squares, relative to the mean of the Gram diagonal */
#define THINET_RIDGE	1e-9

void thinet_draw(const struct net *n, uint32_t j, uint32_t images,
		 uint32_t samples, uint64_t *seed, struct thinet_point *pts)
{
	const struct layer *l = &n->l[j];

	for (uint32_t s = 0; s < samples; s++) {
		struct thinet_point *p = &pts[s];

		p->image = (uint32_t)(rng_next(seed) % images);
		p->unit = (uint32_t)(rng_next(seed) % l->wt.rows);
		p->y = p->x = 0;
		if (l->kind == LAYER_CONV) {
			p->y = (uint32_t)(rng_next(seed) % l->out.h);
			p->x = (uint32_t)(rng_next(seed) % l->out.w);
		}
	}
}

/*
 * x_hat of each of the `channels` input channels of layer l at point p,
 * its input map a, into x[c * samples + s].
 */
static void point_contributions(const struct layer *l, uint32_t channels,
				const struct thinet_point *p, const float *a,
				double *x, uint32_t samples, uint32_t s)
{
	const float *w = l->wt.w.v + (size_t)p->unit * l->wt.cols;

	for (uint32_t c = 0; c < channels; c++) {
		double sum = 0;

		if (l->kind == LAYER_CONV) {
			for (uint32_t r = 0; r < l->win.kh; r++) {
				long iy = (long)p->y * l->win.sh - l->win.ph + r;

				if (iy < 0 || iy >= (long)l->in.h)
					continue;	/* the padding reads zeros */
				for (uint32_t t = 0; t < l->win.kw; t++) {
					long ix = (long)p->x * l->win.sw - l->win.pw + t;

					if (ix < 0 || ix >= (long)l->in.w)
						continue;
					sum += (double)w[((size_t)c * l->win.kh + r) * l->win.kw + t] *
					       a[((size_t)c * l->in.h + (size_t)iy) * l->in.w + (size_t)ix];
				}
			}
		} else {
			/* after a flatten, channel c is h*w columns in CHW order */
			uint32_t per = l->wt.cols / channels;

			for (uint32_t q = 0; q < per; q++)
				sum += (double)w[(size_t)c * per + q] * a[(size_t)c * per + q];
		}
		x[(size_t)c * samples + s] = sum;
	}
}

/* The sampled points, and where their contributions go. */
struct contributions {
	const struct layer *next;	/* layer j */
	uint32_t channels, samples;
	const struct thinet_point *pts;
	double *x;
};

static uint32_t point_image(void *ctx, uint32_t k)
{
	const struct contributions *c = ctx;

	return c->pts[k].image;
}

static void take_point(void *ctx, uint32_t k, const float *act)
{
	struct contributions *c = ctx;

	point_contributions(c->next, c->channels, &c->pts[k], act, c->x,
			    c->samples, k);
}

int thinet_contributions(const struct net *n, uint32_t i,
			 const struct dataset *data,
			 const struct thinet_point *pts, uint32_t samples,
			 double *x)
{
	const uint32_t j = next_weight_layer(n, i);
	struct contributions c = {
		.next = &n->l[j], .channels = n->l[i].out.c,
		.samples = samples, .pts = pts, .x = x,
	};
	const struct net_sampling s = {
		.image = point_image, .take = take_point, .ctx = &c,
	};

	return net_forward_samples(n, j, data, samples, &s);
}

int thinet_greedy(const double *x, uint32_t samples, uint32_t channels,
		  uint32_t keep, uint8_t *kept, uint32_t *order)
{
	/* the sum of the removed channels' x_hat at each sample */
	double *removed = calloc(samples ? samples : 1, sizeof(double));

	if (!removed)
		return -1;
	if (keep < 1)
		keep = 1;
	memset(kept, 1, channels);
	for (uint32_t m = 0; m + keep < channels; m++) {
		uint32_t best = channels;
		double best_cost = 0;

		for (uint32_t c = 0; c < channels; c++) {
			const double *xc = x + (size_t)c * samples;
			double cost = 0;

			if (!kept[c])
				continue;
			for (uint32_t s = 0; s < samples; s++)
				cost += (removed[s] + xc[s]) * (removed[s] + xc[s]);
			if (best == channels || cost < best_cost) {
				best = c;
				best_cost = cost;
			}
		}
		kept[best] = 0;
		if (order)
			order[m] = best;
		for (uint32_t s = 0; s < samples; s++)
			removed[s] += x[(size_t)best * samples + s];
	}
	free(removed);
	return 0;
}

int sp_spd_solve(double *a, uint32_t n, double *b)
{
	for (uint32_t j = 0; j < n; j++) {
		double *lj = a + (size_t)j * n, d = lj[j];

		for (uint32_t k = 0; k < j; k++)
			d -= lj[k] * lj[k];
		if (!(d > 0) || !isfinite(d))
			return -1;
		lj[j] = sqrt(d);
		for (uint32_t i = j + 1; i < n; i++) {
			double *li = a + (size_t)i * n, v = li[j];

			for (uint32_t k = 0; k < j; k++)
				v -= li[k] * lj[k];
			li[j] = v / lj[j];
		}
	}
	for (uint32_t i = 0; i < n; i++) {	/* L z = b */
		const double *li = a + (size_t)i * n;

		for (uint32_t k = 0; k < i; k++)
			b[i] -= li[k] * b[k];
		b[i] /= li[i];
	}
	for (uint32_t i = n; i-- > 0;) {	/* L^T z' = z */
		for (uint32_t k = i + 1; k < n; k++)
			b[i] -= a[(size_t)k * n + i] * b[k];
		b[i] /= a[(size_t)i * n + i];
	}
	return 0;
}

static double dot(const double *u, const double *v, uint32_t len)
{
	double s = 0;

	for (uint32_t k = 0; k < len; k++)
		s += u[k] * v[k];
	return s;
}

int thinet_scales(const double *x, uint32_t samples, uint32_t channels,
		  const uint8_t *kept, double *w)
{
	uint32_t m = 0, *idx = malloc(channels * sizeof(uint32_t));
	double *y = calloc(samples ? samples : 1, sizeof(double)), *a = NULL, *b = NULL;
	double trace = 0, ridge;
	int ret = -1;

	if (!idx || !y)
		goto out;
	for (uint32_t c = 0; c < channels; c++) {
		w[c] = 0;
		if (kept[c])
			idx[m++] = c;
		for (uint32_t s = 0; s < samples; s++)
			y[s] += x[(size_t)c * samples + s];
	}
	a = malloc((size_t)m * m * sizeof(double));
	b = malloc((m ? m : 1) * sizeof(double));
	if (!a || !b)
		goto out;
	/* the normal equations (X^T X) w = X^T y over the kept channels */
	for (uint32_t p = 0; p < m; p++) {
		const double *xp = x + (size_t)idx[p] * samples;

		for (uint32_t q = 0; q <= p; q++)
			a[(size_t)p * m + q] = dot(xp, x + (size_t)idx[q] * samples, samples);
		b[p] = dot(xp, y, samples);
		trace += a[(size_t)p * m + p];
	}
	/*
	 * The ridge, lambda |w - 1|^2: too small to move a well-posed
	 * answer, it makes the system solvable when the samples do not span
	 * the kept channels (fewer samples than channels, a channel that is
	 * 0 on every sample), and such a channel keeps its weights (w = 1).
	 */
	ridge = m && trace > 0 ? THINET_RIDGE * trace / m : 1;
	for (uint32_t p = 0; p < m; p++) {
		a[(size_t)p * m + p] += ridge;
		b[p] += ridge;
	}
	if (sp_spd_solve(a, m, b))
		goto out;
	for (uint32_t p = 0; p < m; p++)
		w[idx[p]] = b[p];
	ret = 0;
out:
	free(idx);
	free(y);
	free(a);
	free(b);
	return ret;
}

/* dst's layer l reads only the kept channels: channel c's columns times w[c]. */
static int rescale(struct layer *l, const uint8_t *kept, uint32_t channels,
		   const double *w)
{
	uint32_t in_kept = 0, per, *from = malloc(channels * sizeof(uint32_t));

	if (!from)
		return -1;
	for (uint32_t c = 0; c < channels; c++)
		if (kept[c])
			from[in_kept++] = c;
	per = l->kind == LAYER_CONV ? (uint32_t)l->win.kh * l->win.kw :
	      l->wt.cols / in_kept;
	for (uint32_t r = 0; r < l->wt.rows; r++)
		for (uint32_t col = 0; col < l->wt.cols; col++)
			l->wt.w.v[(size_t)r * l->wt.cols + col] *= (float)w[from[col / per]];
	free(from);
	return 0;
}

/* Layer i's plan and its next layer's scales (NULL when none go). */
static int plan_layer(const struct net *src, uint32_t i,
		      const struct dataset *data, const struct sp_opts *o,
		      uint64_t *seed, uint8_t *kept, double **scales,
		      struct dcc_error *err)
{
	const uint32_t channels = src->l[i].out.c, j = next_weight_layer(src, i);
	const uint32_t keep = channels_to_keep(channels, o->level);
	struct thinet_point *pts = NULL;
	double *x = NULL, *w = NULL;
	int ret = -1;

	*scales = NULL;
	if (keep >= channels)
		return 0;
	pts = malloc(o->samples * sizeof(*pts));
	x = malloc((size_t)channels * o->samples * sizeof(double));
	w = malloc(channels * sizeof(double));
	if (!pts || !x || !w) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	thinet_draw(src, j, data->count, o->samples, seed, pts);
	if (thinet_contributions(src, i, data, pts, o->samples, x) ||
	    thinet_greedy(x, o->samples, channels, keep, kept, NULL)) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	if (thinet_scales(x, o->samples, channels, kept, w)) {
		dcc_fail(err, "%s: ThiNet's least squares for %s's inputs has no solution (out of memory, or activations not finite)",
			 src->l[i].name, src->l[j].name);
		goto out;
	}
	*scales = w;
	w = NULL;
	ret = 0;
out:
	free(pts);
	free(x);
	free(w);
	return ret;
}

int sp_thinet(const struct net *src, const struct dataset *data,
	      const struct sp_opts *o, struct net *dst, struct dcc_error *err)
{
	double *scales[NET_LAYERS_MAX] = { NULL };
	struct channel_plan p;
	uint64_t seed = o->seed;
	bool any = false;
	int ret = -1;

	if (o->samples == 0 || !data || data->count == 0)
		return dcc_fail(err, "ThiNet samples the next layer's outputs on training images: it needs images and --samples at least 1");
	if (data->dim != net_inputs(src))
		return dcc_fail(err, "ThiNet: the images have %u values, network '%s' takes %u",
				data->dim, src->spec, net_inputs(src));
	if (!(o->level >= 0 && o->level <= 1))
		return dcc_fail(err, "ThiNet: level %g is not a fraction of the channels (0..1)",
				o->level);
	for (uint32_t i = 0; i < src->count; i++)
		any |= layer_prunable(src, i);
	if (!any)
		return dcc_fail(err, "network '%s' has no layer whose channels can be removed",
				src->spec);
	if (plan_init(&p, src))
		return dcc_fail(err, "out of memory");
	for (uint32_t i = 0; i < src->count; i++)
		if (layer_prunable(src, i) &&
		    plan_layer(src, i, data, o, &seed, p.keep[i], &scales[i], err))
			goto out;
	if (net_keep_channels(src, &p, dst, err))
		goto out;
	for (uint32_t i = 0; i < src->count; i++)
		if (scales[i] && rescale(&dst->l[next_weight_layer(src, i)],
					 p.keep[i], src->l[i].out.c, scales[i])) {
			net_free(dst);
			dcc_fail(err, "out of memory");
			goto out;
		}
	ret = 0;
out:
	for (uint32_t i = 0; i < NET_LAYERS_MAX; i++)
		free(scales[i]);
	plan_free(&p);
	return ret;
}
