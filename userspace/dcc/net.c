// SPDX-License-Identifier: MIT
/* The network: built from a description, initialised, run forward. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcaccel/dcaccel_eie.h"
#include "dcaccel/dcaccel_hw.h"
#include "net.h"

/* Largest fc side, as dcc always allowed; and weights of one layer. */
#define FC_DIM_MAX	(1u << 20)
#define LAYER_WEIGHTS_MAX (1u << 26)

static const struct {
	const char *name, *spec;
} builtin[] = {
	{ "lenet5", "in=1x28x28,conv20x5x5,relu,maxpool2,conv50x5x5,relu,maxpool2,flatten,fc500,relu,fc10" },
	{ "lenet300", "in=784,fc300,relu,fc100,relu,fc10" },
	/* a VGG-style network for 28x28 inputs, wide enough for filter pruning */
	{ "vgg6", "in=1x28x28,conv16x3x3/p1,relu,conv16x3x3/p1,relu,maxpool2,"
		  "conv32x3x3/p1,relu,conv32x3x3/p1,relu,maxpool2,"
		  "conv64x3x3/p1,relu,conv64x3x3/p1,relu,maxpool2,flatten,fc128,relu,fc10" },
};

uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

float rng_uniform(uint64_t *s)
{
	return (float)((rng_next(s) >> 40) + 0.5) / (float)(1ull << 24);
}

const struct layer_ops *layer_ops_of(enum layer_kind kind)
{
	switch (kind) {
	case LAYER_FC: return &layer_fc_ops;
	case LAYER_CONV: return &layer_conv_ops;
	case LAYER_POOL: return &layer_pool_ops;
	case LAYER_RELU: return &layer_relu_ops;
	case LAYER_FLATTEN: return &layer_flatten_ops;
	case LAYER_BN: return &layer_bn_ops;
	case LAYER_QUANT: return &layer_quant_ops;
	}
	return NULL;
}

static int alloc_param(struct param *p, size_t n)
{
	p->n = n;
	p->v = calloc(n ? n : 1, sizeof(float));
	p->g = calloc(n ? n : 1, sizeof(float));
	return p->v && p->g ? 0 : -1;
}

static int alloc_weights(struct weights *wt, uint32_t rows, uint32_t cols)
{
	wt->rows = rows;
	wt->cols = cols;
	if (alloc_param(&wt->w, (size_t)rows * cols) || alloc_param(&wt->b, rows) ||
	    alloc_param(&wt->cb, CODEBOOK_MAX))
		return -1;
	wt->cb.n = 0;	/* no codebook until quantized */
	return 0;
}

/* gamma 1, beta 0, running mean 0 and variance 1: the identity at first. */
static int alloc_bn(struct batchnorm *bn, uint32_t channels)
{
	if (alloc_param(&bn->gamma, channels) || alloc_param(&bn->beta, channels))
		return -1;
	bn->mean = calloc(channels, sizeof(float));
	bn->var = malloc(channels * sizeof(float));
	if (!bn->mean || !bn->var)
		return -1;
	for (uint32_t c = 0; c < channels; c++)
		bn->gamma.v[c] = bn->var[c] = 1.0f;
	return 0;
}

/*
 * Uniform levels over [0, 1] (1/0 planes) or [-1, 1] (+1/-1 planes)
 * until a method or the file sets the basis.
 */
static void init_quant(struct actq *q)
{
	const float unit = 1.0f / (float)((1u << q->bits) - 1);

	for (uint32_t j = 0; j < q->bits; j++)
		q->basis[j] = (float)(1u << j) * unit;
	quant_set_levels(q);
}

/* "12" -> 12 within [lo, hi]; advances *p. */
static int number(const char **p, uint32_t lo, uint32_t hi, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (**p < '0' || **p > '9')
		return -1;
	v = strtoul(*p, &end, 10);
	if (v < lo || v > hi)
		return -1;
	*p = end;
	*out = (uint32_t)v;
	return 0;
}

/* The window's ranges and fit (the device's, dcaccel_hw.h). */
static int check_window(const struct layer *l, uint32_t i, struct dcc_error *err)
{
	const struct window *w = &l->win;

	if (l->in.h > DCACCEL_MAP_DIM_MAX || l->in.w > DCACCEL_MAP_DIM_MAX)
		return dcc_fail(err, "layer %u (%s): a %ux%u map is past the device's %u x %u",
				i + 1, l->name, l->in.h, l->in.w,
				DCACCEL_MAP_DIM_MAX, DCACCEL_MAP_DIM_MAX);
	if (w->kh < 1 || w->kw < 1 || w->kh > DCACCEL_KERNEL_MAX ||
	    w->kw > DCACCEL_KERNEL_MAX)
		return dcc_fail(err, "layer %u (%s): kernel %ux%u, the device takes 1..%u",
				i + 1, l->name, w->kh, w->kw, DCACCEL_KERNEL_MAX);
	if (w->sh < 1 || w->sw < 1 || w->sh > DCACCEL_STRIDE_MAX ||
	    w->sw > DCACCEL_STRIDE_MAX)
		return dcc_fail(err, "layer %u (%s): stride %u, the device takes 1..%u",
				i + 1, l->name, w->sh, DCACCEL_STRIDE_MAX);
	if (w->ph >= w->kh || w->pw >= w->kw)
		return dcc_fail(err, "layer %u (%s): padding %u must be below the kernel %u",
				i + 1, l->name, w->ph, w->kh);
	if (l->in.h + 2u * w->ph < w->kh || l->in.w + 2u * w->pw < w->kw)
		return dcc_fail(err, "layer %u (%s): a %ux%u kernel does not fit the %ux%u input map",
				i + 1, l->name, w->kh, w->kw, l->in.h, l->in.w);
	return 0;
}

/* Window options "/sN" and "/pN" after a conv or pool. */
static int window_opts(const char **p, struct window *w)
{
	uint32_t v;

	while (**p == '/') {
		char o = (*p)[1];

		*p += 2;
		if ((o != 's' && o != 'p') || number(p, 0, 255, &v))
			return -1;
		if (o == 's')
			w->sh = w->sw = (uint8_t)v;
		else
			w->ph = w->pw = (uint8_t)v;
	}
	return 0;
}

/* One layer from its token; sets kind, window, and l->out.c for fc/conv. */
static int parse_layer(const char *tok, struct layer *l)
{
	const char *p = tok;
	uint32_t k, r, s;

	if (!strcmp(tok, "relu")) {
		l->kind = LAYER_RELU;
		return 0;
	}
	if (!strcmp(tok, "flatten")) {
		l->kind = LAYER_FLATTEN;
		return 0;
	}
	if (!strcmp(tok, "bn")) {
		l->kind = LAYER_BN;
		return 0;
	}
	if (!strncmp(tok, "quant", 5)) {
		p += 5;
		l->kind = LAYER_QUANT;
		if (number(&p, 1, QUANT_BITS_MAX, &k))
			return -1;
		l->q.bits = (uint8_t)k;
		l->q.is_signed = *p == 's';
		return *p && strcmp(p, "s") ? -1 : 0;
	}
	if (!strncmp(tok, "fc", 2)) {
		p += 2;
		l->kind = LAYER_FC;
		if (number(&p, 1, FC_DIM_MAX, &l->out.c) || *p)
			return -1;
		return 0;
	}
	if (!strncmp(tok, "conv", 4)) {
		p += 4;
		l->kind = LAYER_CONV;
		if (number(&p, 1, DCACCEL_EIE_DIM_MAX, &k) || *p++ != 'x' ||
		    number(&p, 1, 255, &r) || *p++ != 'x' || number(&p, 1, 255, &s))
			return -1;
		l->out.c = k;
		l->win = (struct window){ (uint8_t)r, (uint8_t)s, 1, 1, 0, 0 };
		return window_opts(&p, &l->win) || *p ? -1 : 0;
	}
	if (!strncmp(tok, "maxpool", 7) || !strncmp(tok, "avgpool", 7)) {
		l->kind = LAYER_POOL;
		l->pool_mode = tok[0] == 'm' ? POOL_MAX_MODE : POOL_AVG_MODE;
		p += 7;
		if (number(&p, 1, 255, &r))
			return -1;
		l->win = (struct window){ (uint8_t)r, (uint8_t)r, (uint8_t)r, (uint8_t)r, 0, 0 };
		return window_opts(&p, &l->win) || *p ? -1 : 0;
	}
	return -1;
}

/* The input shape "in=CxHxW" or "in=N". */
static int parse_input(const char *tok, struct shape *in)
{
	const char *p = tok + 3;

	if (strncmp(tok, "in=", 3) || number(&p, 1, DCACCEL_EIE_DIM_MAX, &in->c))
		return -1;
	in->h = in->w = 1;
	if (*p == 'x' && (p++, number(&p, 1, DCACCEL_MAP_DIM_MAX, &in->h) ||
			  *p++ != 'x' || number(&p, 1, DCACCEL_MAP_DIM_MAX, &in->w)))
		return -1;
	return *p || shape_size(*in) > DCACCEL_EIE_DIM_MAX ? -1 : 0;
}

/* Shapes, names and buffers of layer i, whose input is `in`. */
static int place_layer(struct net *n, uint32_t i, struct shape in,
		       unsigned int counts[LAYER_KINDS], struct dcc_error *err)
{
	static const char *const stem[] = {
		"fc", "conv", "pool", "relu", "flatten", "bn", "quant",
	};
	struct layer *l = &n->l[i];
	uint64_t nw;

	l->in = in;
	snprintf(l->name, sizeof(l->name), "%s%u", stem[l->kind], ++counts[l->kind]);
	switch (l->kind) {
	case LAYER_FC:
		l->out.h = l->out.w = 1;
		nw = (uint64_t)l->out.c * shape_size(in);
		if (shape_size(in) > FC_DIM_MAX || nw > LAYER_WEIGHTS_MAX)
			return dcc_fail(err, "layer %u (%s): %u x %zu weights, at most %u a side and %u in all",
					i + 1, l->name, l->out.c, shape_size(in),
					FC_DIM_MAX, LAYER_WEIGHTS_MAX);
		return alloc_weights(&l->wt, l->out.c, (uint32_t)shape_size(in)) ?
		       dcc_fail(err, "out of memory") : 0;
	case LAYER_CONV:
	case LAYER_POOL:
		if (check_window(l, i, err))
			return -1;
		l->out.h = (in.h + 2u * l->win.ph - l->win.kh) / l->win.sh + 1;
		l->out.w = (in.w + 2u * l->win.pw - l->win.kw) / l->win.sw + 1;
		if (l->kind == LAYER_POOL) {
			l->out.c = in.c;
			return 0;
		}
		nw = (uint64_t)in.c * l->win.kh * l->win.kw;
		if (nw > DCACCEL_EIE_DIM_MAX || nw * l->out.c > LAYER_WEIGHTS_MAX)
			return dcc_fail(err, "layer %u (%s): %u filters of %u x %u x %u: C*R*S at most %u, weights at most %u",
					i + 1, l->name, l->out.c, in.c, l->win.kh,
					l->win.kw, DCACCEL_EIE_DIM_MAX, LAYER_WEIGHTS_MAX);
		if (shape_size(l->out) > DCACCEL_CONV_OUTPUTS_MAX)
			return dcc_fail(err, "layer %u (%s): %u x %u x %u outputs, the device takes at most %u",
					i + 1, l->name, l->out.c, l->out.h, l->out.w,
					DCACCEL_CONV_OUTPUTS_MAX);
		return alloc_weights(&l->wt, l->out.c, (uint32_t)nw) ?
		       dcc_fail(err, "out of memory") : 0;
	case LAYER_RELU:
		l->out = in;
		return 0;
	case LAYER_FLATTEN:
		l->out = (struct shape){ (uint32_t)shape_size(in), 1, 1 };
		return 0;
	case LAYER_BN:
		l->out = in;
		return alloc_bn(&l->bn, in.c) ? dcc_fail(err, "out of memory") : 0;
	case LAYER_QUANT:
		l->out = in;
		init_quant(&l->q);
		return 0;
	}
	return -1;
}

int net_build(struct net *n, const char *spec, struct dcc_error *err)
{
	char buf[NET_SPEC_MAX], *save = NULL, *tok;
	unsigned int counts[LAYER_KINDS] = { 0 };
	struct shape cur;

	memset(n, 0, sizeof(*n));
	for (size_t b = 0; b < sizeof(builtin) / sizeof(builtin[0]); b++)
		if (!strcmp(spec, builtin[b].name))
			spec = builtin[b].spec;
	if (strlen(spec) >= sizeof(buf))
		return dcc_fail(err, "network description of %zu characters, at most %zu",
				strlen(spec), sizeof(buf) - 1);
	strcpy(n->spec, spec);
	strcpy(buf, spec);
	tok = strtok_r(buf, ",", &save);
	if (!tok || parse_input(tok, &n->in))
		return dcc_fail(err, "network '%s': expected the input shape first, in=CxHxW or in=N (dcc --help, --net)",
				spec);
	cur = n->in;
	while ((tok = strtok_r(NULL, ",", &save))) {
		struct layer *l = &n->l[n->count];

		if (n->count == NET_LAYERS_MAX) {
			net_free(n);
			return dcc_fail(err, "network '%s': more than %u layers", spec,
					NET_LAYERS_MAX);
		}
		if (parse_layer(tok, l)) {
			net_free(n);
			return dcc_fail(err, "network layer %u: '%s' is not convKxRxS[/sN][/pN], maxpoolR[/sN], avgpoolR[/sN], fcN, relu, flatten, bn, quantK or quantKs (in range)",
					n->count + 1, tok);
		}
		n->count++;
		if (place_layer(n, n->count - 1, cur, counts, err)) {
			net_free(n);
			return -1;
		}
		cur = l->out;
	}
	if (n->count == 0 || n->l[n->count - 1].kind != LAYER_FC) {
		net_free(n);
		return dcc_fail(err, "network '%s': the last layer must be fc (the class scores)", spec);
	}
	return 0;
}

int net_build_mlp(struct net *n, const uint32_t *sizes, uint32_t count,
		  struct dcc_error *err)
{
	char spec[NET_SPEC_MAX];
	size_t at;

	if (count == 0 || count > NET_LAYERS_MAX / 2)
		return dcc_fail(err, "a model has 1..%u fc layers, got %u",
				NET_LAYERS_MAX / 2, count);
	at = (size_t)snprintf(spec, sizeof(spec), "in=%u", sizes[0]);
	for (uint32_t i = 1; i <= count; i++)
		at += (size_t)snprintf(spec + at, sizeof(spec) - at, ",fc%u%s",
				       sizes[i], i < count ? ",relu" : "");
	return net_build(n, spec, err);
}

/* He initialisation (normal, sd sqrt(2 / fan-in)) from one seed. */
void net_init_weights(struct net *n, uint64_t seed)
{
	uint64_t s = seed;

	for (uint32_t i = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;
		float sd;

		if (!layer_has_weights(&n->l[i]))
			continue;
		sd = sqrtf(2.0f / (float)wt->cols);
		for (size_t k = 0; k < wt->w.n; k++) {
			float u1 = rng_uniform(&s), u2 = rng_uniform(&s);

			wt->w.v[k] = sd * sqrtf(-2.0f * logf(u1)) *
				     cosf(6.2831853f * u2);
		}
		memset(wt->b.v, 0, wt->b.n * sizeof(float));
	}
}

static void free_param(struct param *p)
{
	free(p->v);
	free(p->g);
}

void net_free(struct net *n)
{
	for (uint32_t i = 0; i < n->count; i++) {
		struct layer *l = &n->l[i];

		free_param(&l->wt.w);
		free_param(&l->wt.b);
		free_param(&l->wt.cb);
		free_param(&l->wt.latent);
		free(l->wt.mask);
		free(l->wt.widx);
		free(l->wt.basis);
		free(l->cols);
		free(l->tmp);
		free(l->arg);
		free_param(&l->bn.gamma);
		free_param(&l->bn.beta);
		free(l->bn.mean);
		free(l->bn.var);
		free(l->bn.xhat);
		free(l->bn.inv_std);
	}
	memset(n, 0, sizeof(*n));
}

/* One layer's token, as parse_layer() reads it. */
static int layer_token(const struct layer *l, char *buf, size_t len)
{
	const struct window *w = &l->win;
	int at = 0;

	switch (l->kind) {
	case LAYER_FC:
		return snprintf(buf, len, "fc%u", l->out.c);
	case LAYER_CONV:
		at = snprintf(buf, len, "conv%ux%ux%u", l->out.c, w->kh, w->kw);
		if (w->sh != 1)
			at += snprintf(buf + at, len - (size_t)at, "/s%u", w->sh);
		if (w->ph)
			at += snprintf(buf + at, len - (size_t)at, "/p%u", w->ph);
		return at;
	case LAYER_POOL:
		at = snprintf(buf, len, "%spool%u", l->pool_mode == POOL_MAX_MODE ?
			      "max" : "avg", w->kh);
		if (w->sh != w->kh)
			at += snprintf(buf + at, len - (size_t)at, "/s%u", w->sh);
		if (w->ph)
			at += snprintf(buf + at, len - (size_t)at, "/p%u", w->ph);
		return at;
	case LAYER_RELU:
		return snprintf(buf, len, "relu");
	case LAYER_FLATTEN:
		return snprintf(buf, len, "flatten");
	case LAYER_BN:
		return snprintf(buf, len, "bn");
	case LAYER_QUANT:
		return snprintf(buf, len, "quant%u%s", l->q.bits, l->q.is_signed ? "s" : "");
	}
	return 0;
}

void net_describe(const struct net *n, char *buf, size_t len)
{
	size_t at;

	if (n->in.h == 1 && n->in.w == 1)
		at = (size_t)snprintf(buf, len, "in=%u", n->in.c);
	else
		at = (size_t)snprintf(buf, len, "in=%ux%ux%u", n->in.c, n->in.h, n->in.w);
	for (uint32_t i = 0; i < n->count && at + 1 < len; i++) {
		buf[at++] = ',';
		at += (size_t)layer_token(&n->l[i], buf + at, len - at);
	}
}

uint64_t net_macs(const struct net *n)
{
	uint64_t m = 0;

	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *l = &n->l[i];

		if (layer_has_weights(l))
			m += (uint64_t)l->wt.rows * l->wt.cols * l->out.h * l->out.w;
	}
	return m;
}

uint64_t net_activations(const struct net *n)
{
	uint64_t a = shape_size(n->in);

	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]) || n->l[i].kind == LAYER_POOL)
			a += shape_size(n->l[i].out);
	return a;
}

uint32_t net_inputs(const struct net *n)
{
	return (uint32_t)shape_size(n->in);
}

uint32_t net_classes(const struct net *n)
{
	return n->count ? n->l[n->count - 1].out.c : 0;
}

uint64_t net_weights(const struct net *n)
{
	uint64_t w = 0;

	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]))
			w += n->l[i].wt.w.n;
	return w;
}

uint64_t net_params(const struct net *n)
{
	uint64_t p = net_weights(n);

	for (uint32_t i = 0; i < n->count; i++)
		if (layer_has_weights(&n->l[i]))
			p += n->l[i].wt.b.n;
	return p;
}

int net_rebuild(const struct net *shape, struct net *dst,
		struct dcc_error *err)
{
	char spec[2 * NET_SPEC_MAX];	/* too long for net_build: refused, not cut */

	net_describe(shape, spec, sizeof(spec));
	return net_build(dst, spec, err);
}

int net_forward_upto(const struct net *n, uint32_t upto, const float *x,
		     uint32_t count, float *out)
{
	size_t widest = 0;
	float *a, *b;
	int ret = 0;

	for (uint32_t i = 0; i < upto; i++)
		if (shape_size(n->l[i].out) > widest)
			widest = shape_size(n->l[i].out);
	a = malloc(count * widest * sizeof(float));
	b = malloc(count * widest * sizeof(float));
	for (uint32_t i = 0; a && b && i < upto && !ret; i++) {
		/* an inference forward writes nothing of the layer */
		struct layer *l = (struct layer *)&n->l[i];
		float *y = i + 1 == upto ? out : (i & 1 ? b : a);

		ret = layer_ops_of(l->kind)->forward(l, i ? (i & 1 ? a : b) : x, y,
						     count, false);
	}
	if (!a || !b)
		ret = -1;
	free(a);
	free(b);
	return ret;
}

int net_forward(const struct net *n, const float *x, uint32_t count, float *out)
{
	return net_forward_upto(n, n->count, x, count, out);
}

#define SAMPLE_CHUNK	64	/* images forwarded at once */

int net_forward_samples(const struct net *n, uint32_t upto,
			const struct dataset *data, uint32_t samples,
			const struct net_sampling *s)
{
	const size_t units = upto ? shape_size(n->l[upto - 1].out) : 0;
	float *img = malloc((size_t)SAMPLE_CHUNK * data->dim * sizeof(float));
	float *act = malloc((size_t)SAMPLE_CHUNK * (units ? units : 1) * sizeof(float));
	int ret = img && act && upto ? 0 : -1;

	for (uint32_t at = 0; !ret && at < samples; at += SAMPLE_CHUNK) {
		uint32_t cnt = samples - at < SAMPLE_CHUNK ? samples - at : SAMPLE_CHUNK;

		for (uint32_t k = 0; k < cnt; k++)
			memcpy(img + (size_t)k * data->dim,
			       data->x + (size_t)s->image(s->ctx, at + k) * data->dim,
			       data->dim * sizeof(float));
		ret = net_forward_upto(n, upto, img, cnt, act);
		for (uint32_t k = 0; !ret && k < cnt; k++)
			s->take(s->ctx, at + k, act + (size_t)k * units);
	}
	free(img);
	free(act);
	return ret;
}

double net_accuracy(const struct net *n, const struct dataset *ds)
{
	const uint32_t chunk = 500, classes = net_classes(n);
	float *logits = malloc((size_t)chunk * classes * sizeof(float));
	uint32_t right = 0;

	if (!logits || ds->count == 0 || ds->dim != net_inputs(n)) {
		free(logits);
		return -1;
	}
	for (uint32_t at = 0; at < ds->count; at += chunk) {
		uint32_t cnt = ds->count - at < chunk ? ds->count - at : chunk;

		if (net_forward(n, ds->x + (size_t)at * ds->dim, cnt, logits)) {
			free(logits);
			return -1;
		}
		for (uint32_t r = 0; r < cnt; r++) {
			const float *z = logits + (size_t)r * classes;
			uint32_t best = 0;

			for (uint32_t c = 1; c < classes; c++)
				if (z[c] > z[best])
					best = c;
			right += best == ds->y[at + r];
		}
	}
	free(logits);
	return 100.0 * right / ds->count;
}
