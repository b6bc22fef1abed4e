// SPDX-License-Identifier: MIT
/* Networks to and from .safetensors and .npy, with every shape checked. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"
#include "weights.h"

static void set_tensor(struct tensor *t, const struct layer *l,
		       const char *what, enum tensor_type type, bool matrix,
		       uint64_t len, float *f, uint8_t *u8)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "%s.%s", l->name, what);
	t->type = type;
	t->count = len;
	t->f = f;
	t->u8 = u8;
	if (!matrix) {
		t->ndim = 1;
		t->shape[0] = len;
		return;
	}
	t->shape[0] = l->wt.rows;
	if (l->kind == LAYER_CONV) {
		t->ndim = 4;
		t->shape[1] = l->in.c;
		t->shape[2] = l->win.kh;
		t->shape[3] = l->win.kw;
	} else {
		t->ndim = 2;
		t->shape[1] = l->wt.cols;
	}
}

/* A bn's four vectors, named bnN.gamma, .beta, .running_mean, .running_var. */
static const char *const bn_tensor[] = { "gamma", "beta", "running_mean", "running_var" };

static float *bn_vector(const struct batchnorm *bn, unsigned int k)
{
	float *v[] = { bn->gamma.v, bn->beta.v, bn->mean, bn->var };

	return v[k];
}

int net_save(const struct net *n, const char *path, struct dcc_error *err)
{
	struct tensor t[NET_LAYERS_MAX * 6];
	struct tensor_set ts = { 0, t, "" };
	uint8_t planes_signed[NET_LAYERS_MAX];

	/* the description, so that a network structured pruning changed loads as itself */
	snprintf(ts.net, sizeof(ts.net), "%s", n->spec);
	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *l = &n->l[i];
		const struct weights *wt = &l->wt;

		if (l->kind == LAYER_BN)
			for (unsigned int k = 0; k < 4; k++)
				set_tensor(&t[ts.count++], l, bn_tensor[k], TENSOR_F32, false,
					   l->in.c, bn_vector(&l->bn, k), NULL);
		if (l->kind == LAYER_QUANT)
			set_tensor(&t[ts.count++], l, "basis", TENSOR_F32, false,
				   l->q.bits, (float *)l->q.basis, NULL);
		if (!layer_has_weights(l))
			continue;
		set_tensor(&t[ts.count++], l, "weight", TENSOR_F32, true, wt->w.n, wt->w.v, NULL);
		set_tensor(&t[ts.count++], l, "bias", TENSOR_F32, false, wt->b.n, wt->b.v, NULL);
		if (wt->mask)
			set_tensor(&t[ts.count++], l, "mask", TENSOR_U8, true, wt->w.n, NULL, wt->mask);
		if (wt->widx)
			set_tensor(&t[ts.count++], l, "index", TENSOR_U8, true, wt->w.n, NULL, wt->widx);
		if (wt->widx && wt->planes) {
			set_tensor(&t[ts.count], l, "planes_basis", TENSOR_F32, false,
				   (uint64_t)wt->rows * wt->planes, wt->basis, NULL);
			t[ts.count].ndim = 2;
			t[ts.count].shape[0] = wt->rows;
			t[ts.count++].shape[1] = wt->planes;
			planes_signed[i] = wt->planes_signed;
			set_tensor(&t[ts.count++], l, "planes_signed", TENSOR_U8, false, 1,
				   NULL, &planes_signed[i]);
		} else if (wt->widx) {
			set_tensor(&t[ts.count++], l, "codebook", TENSOR_F32, false, wt->cb.n, wt->cb.v, NULL);
		}
	}
	return safetensors_save(path, &ts, err);
}

/* "fc10" after "fc9": compare digit runs by value. */
static int natural_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			unsigned long x = strtoul(a, (char **)&a, 10);
			unsigned long y = strtoul(b, (char **)&b, 10);

			if (x != y)
				return x < y ? -1 : 1;
			continue;
		}
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		a++;
		b++;
	}
	return (unsigned char)*a - (unsigned char)*b;
}

static int cmp_tensor_ptr(const void *x, const void *y)
{
	return natural_cmp((*(const struct tensor *const *)x)->name,
			   (*(const struct tensor *const *)y)->name);
}

static const struct tensor *sibling(const struct tensor_set *ts,
				    const struct tensor *w, const char *suffix)
{
	char name[TENSOR_NAME_MAX + 16];
	size_t stem = strlen(w->name) - strlen(".weight");

	snprintf(name, sizeof(name), "%.*s.%s", (int)stem, w->name, suffix);
	return tensor_find(ts, name);
}

/* The *.weight tensors in natural name order; their count or -1. */
static int weight_tensors(const struct tensor_set *ts,
			  const struct tensor **w, struct dcc_error *err)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < ts->count; i++) {
		const char *name = ts->t[i].name;
		size_t len = strlen(name);

		if (len < 7 || strcmp(name + len - 7, ".weight"))
			continue;
		if (n == NET_LAYERS_MAX)
			return dcc_fail(err, "more than %u weight tensors", NET_LAYERS_MAX);
		w[n++] = &ts->t[i];
	}
	if (n == 0)
		return dcc_fail(err, "no tensor named *.weight: not a model");
	qsort(w, n, sizeof(w[0]), cmp_tensor_ptr);
	return (int)n;
}

/* Without a description: fc layers whose 2-D weights chain. */
static int infer_mlp(const struct tensor *const *w, uint32_t n, struct net *net,
		     struct dcc_error *err)
{
	uint32_t sizes[NET_LAYERS_MAX + 1];

	for (uint32_t i = 0; i < n; i++) {
		if (w[i]->ndim == 4)
			return dcc_fail(err, "%s: a convolution's weight: give --net to say where it goes (the pooling and the input map are not in the file)",
					w[i]->name);
		if (w[i]->ndim != 2 || w[i]->type != TENSOR_F32)
			return dcc_fail(err, "%s: wrong shape: a fully connected weight is a 2-D float [out, in] tensor",
					w[i]->name);
		if (i && w[i]->shape[1] != w[i - 1]->shape[0])
			return dcc_fail(err, "%s: wrong shape: takes %llu inputs but %s gives %llu outputs",
					w[i]->name, (unsigned long long)w[i]->shape[1],
					w[i - 1]->name, (unsigned long long)w[i - 1]->shape[0]);
		if (w[i]->shape[0] > (1u << 20) || w[i]->shape[1] > (1u << 20))
			return dcc_fail(err, "%s: layer too large", w[i]->name);
		if (i == 0)
			sizes[0] = (uint32_t)w[i]->shape[1];
		sizes[i + 1] = (uint32_t)w[i]->shape[0];
	}
	return net_build_mlp(net, sizes, n, err);
}

/* Does tensor t have layer l's weight shape (PyTorch's layout)? */
static bool weight_shape_ok(const struct tensor *t, const struct layer *l)
{
	if (t->type != TENSOR_F32)
		return false;
	if (l->kind == LAYER_CONV)
		return t->ndim == 4 && t->shape[0] == l->wt.rows &&
		       t->shape[1] == l->in.c && t->shape[2] == l->win.kh &&
		       t->shape[3] == l->win.kw;
	return t->ndim == 2 && t->shape[0] == l->wt.rows && t->shape[1] == l->wt.cols;
}

static void shape_text(const struct layer *l, char *buf, size_t len)
{
	if (l->kind == LAYER_CONV)
		snprintf(buf, len, "[%u, %u, %u, %u]", l->wt.rows, l->in.c,
			 l->win.kh, l->win.kw);
	else
		snprintf(buf, len, "[%u, %u]", l->wt.rows, l->wt.cols);
}

/*
 * Bit-plane weights: codes (the index tensor, U8) of K bits each, a basis
 * of [rows, K] floats and whether the bits read as +1/-1.
 */
static int load_planes(const struct tensor_set *ts, const struct tensor *w,
		       const struct tensor *ix, struct layer *l,
		       struct dcc_error *err)
{
	struct weights *wt = &l->wt;
	const struct tensor *bs = sibling(ts, w, "planes_basis");
	const struct tensor *sg = sibling(ts, w, "planes_signed");
	size_t nw = wt->w.n;

	if (sibling(ts, w, "codebook"))
		return dcc_fail(err, "%s: bit-plane weights (planes_basis) have no codebook",
				l->name);
	if (!ix || ix->type != TENSOR_U8 || ix->count != nw)
		return dcc_fail(err, "%s: bit-plane weights need their codes: index, U8, %zu values",
				l->name, nw);
	if (bs->type != TENSOR_F32 || bs->ndim != 2 || bs->shape[0] != wt->rows ||
	    bs->shape[1] < 1 || bs->shape[1] > QUANT_BITS_MAX)
		return dcc_fail(err, "%s: wrong shape: planes_basis is F32 [%u, K], K 1 to %u",
				bs->name, wt->rows, QUANT_BITS_MAX);
	if (!sg || sg->type != TENSOR_U8 || sg->count != 1 || sg->u8[0] > 1)
		return dcc_fail(err, "%s: planes_signed (U8, one value, 0 or 1) is missing or wrong",
				l->name);
	wt->planes = (uint8_t)bs->shape[1];
	wt->planes_signed = sg->u8[0];
	wt->bits = wt->planes;
	wt->widx = malloc(nw);
	wt->basis = malloc(bs->count * sizeof(float));
	if (!wt->widx || !wt->basis)
		return dcc_fail(err, "out of memory");
	memcpy(wt->basis, bs->f, bs->count * sizeof(float));
	for (size_t k = 0; k < nw; k++) {
		if (ix->u8[k] >> wt->planes)
			return dcc_fail(err, "%s: code %u at %zu has more than %u bits",
					ix->name, ix->u8[k], k, wt->planes);
		wt->widx[k] = ix->u8[k];
	}
	weights_planes_sync(wt);
	return 0;
}

/* A quantizer's basis, bits of them. */
static int load_quant(const struct tensor_set *ts, struct layer *l,
		      struct dcc_error *err)
{
	char name[TENSOR_NAME_MAX];
	const struct tensor *t;

	snprintf(name, sizeof(name), "%s.basis", l->name);
	t = tensor_find(ts, name);
	if (!t || t->type != TENSOR_F32 || t->ndim != 1 || t->count != l->q.bits)
		return dcc_fail(err, "%s: missing or wrong shape: need %u floats",
				name, l->q.bits);
	memcpy(l->q.basis, t->f, l->q.bits * sizeof(float));
	quant_set_levels(&l->q);
	return 0;
}

/* Mask, index and codebook of a weight layer, when the file has them. */
static int load_compression(const struct tensor_set *ts, const struct tensor *w,
			    struct layer *l, struct dcc_error *err)
{
	struct weights *wt = &l->wt;
	const struct tensor *mk = sibling(ts, w, "mask");
	const struct tensor *ix = sibling(ts, w, "index");
	const struct tensor *cb = sibling(ts, w, "codebook");
	size_t nw = wt->w.n;
	unsigned int bits = 0;

	if (mk) {
		if (mk->type != TENSOR_U8 || mk->count != nw)
			return dcc_fail(err, "%s: wrong shape: mask must be U8 with %zu values",
					mk->name, nw);
		wt->mask = malloc(nw);
		if (!wt->mask)
			return dcc_fail(err, "out of memory");
		for (size_t k = 0; k < nw; k++) {
			wt->mask[k] = mk->u8[k] != 0;
			if (!wt->mask[k])
				wt->w.v[k] = 0;
		}
	}
	if (!ix && !cb && !sibling(ts, w, "planes_basis"))
		return 0;
	if (sibling(ts, w, "planes_basis"))
		return load_planes(ts, w, ix, l, err);
	if (!ix || !cb || ix->type != TENSOR_U8 || ix->count != nw ||
	    cb->type != TENSOR_F32 || cb->ndim != 1)
		return dcc_fail(err, "%s: index (U8, %zu values) and codebook (F32, 2 to 256 values) must come together",
				l->name, nw);
	while ((1ull << bits) < cb->count)
		bits++;
	/* 2^bits values from k-means; fewer from a low-bit method (ternary: 3) */
	if (cb->count < 2 || bits > 8 || cb->f[0] != 0.0f)
		return dcc_fail(err, "%s: a codebook has 2 to 256 entries, entry 0 the zero weight",
				cb->name);
	wt->widx = malloc(nw);
	if (!wt->widx)
		return dcc_fail(err, "out of memory");
	wt->bits = (uint8_t)bits;
	wt->cb.n = cb->count;
	memcpy(wt->cb.v, cb->f, cb->count * sizeof(float));
	for (size_t k = 0; k < nw; k++) {
		if (ix->u8[k] >= wt->cb.n)
			return dcc_fail(err, "%s: index %u at %zu is past the %zu-entry codebook",
					ix->name, ix->u8[k], k, wt->cb.n);
		wt->widx[k] = ix->u8[k];
		wt->w.v[k] = wt->cb.v[wt->widx[k]];
	}
	return 0;
}

/* Weights and bias of layer l from weight tensor w. */
static int load_layer(const struct tensor_set *ts, const struct tensor *w,
		      struct layer *l, struct dcc_error *err)
{
	const struct tensor *b = sibling(ts, w, "bias");
	char want[64];

	shape_text(l, want, sizeof(want));
	if (!weight_shape_ok(w, l))
		return dcc_fail(err, "%s: wrong shape: layer %s takes a float weight of %s (PyTorch's layout)",
				w->name, l->name, want);
	memcpy(l->wt.w.v, w->f, l->wt.w.n * sizeof(float));
	if (!b || b->type != TENSOR_F32 || b->ndim != 1 || b->shape[0] != l->wt.rows)
		return dcc_fail(err, "%s: wrong shape or missing: need a float bias of %u values",
				w->name, l->wt.rows);
	memcpy(l->wt.b.v, b->f, l->wt.rows * sizeof(float));
	return load_compression(ts, w, l, err);
}

/* A bn layer's vectors from tensors named after it. */
static int load_bn(const struct tensor_set *ts, struct layer *l,
		   struct dcc_error *err)
{
	for (unsigned int k = 0; k < 4; k++) {
		char name[TENSOR_NAME_MAX];
		const struct tensor *t;

		snprintf(name, sizeof(name), "%s.%s", l->name, bn_tensor[k]);
		t = tensor_find(ts, name);
		if (!t || t->type != TENSOR_F32 || t->ndim != 1 || t->count != l->in.c)
			return dcc_fail(err, "%s: missing or wrong shape: need %u floats",
					name, l->in.c);
		memcpy(bn_vector(&l->bn, k), t->f, l->in.c * sizeof(float));
	}
	return 0;
}

/*
 * The network a file holds: the description dcc saved in it, else --net,
 * else fc layers inferred from the weights. A --net that differs from the
 * saved description is refused rather than either silently winning.
 */
static int build_for_file(const struct tensor_set *ts, const char *spec,
			  const struct tensor *const *w, uint32_t count,
			  struct net *n, struct dcc_error *err)
{
	char want[NET_SPEC_MAX], have[NET_SPEC_MAX];
	struct net given;

	if (!ts->net[0])
		return spec ? net_build(n, spec, err) : infer_mlp(w, count, n, err);
	if (net_build(n, ts->net, err))
		return -1;
	if (!spec)
		return 0;
	if (net_build(&given, spec, err)) {
		net_free(n);
		return -1;
	}
	net_describe(&given, want, sizeof(want));
	net_describe(n, have, sizeof(have));
	if (strcmp(want, have)) {
		dcc_fail(err, "the file holds network '%.200s', --net says '%.200s' (leave --net out to use the file's)",
			 have, want);
		net_free(&given);
		net_free(n);
		return -1;
	}
	net_free(&given);
	return 0;
}

int net_from_tensors(const struct tensor_set *ts, const char *spec,
		     struct net *n, struct dcc_error *err)
{
	const struct tensor *w[NET_LAYERS_MAX];
	int count;
	uint32_t k = 0;

	memset(n, 0, sizeof(*n));
	count = weight_tensors(ts, w, err);
	if (count < 0)
		return -1;
	if (build_for_file(ts, spec, w, (uint32_t)count, n, err))
		return -1;
	for (uint32_t i = 0; i < n->count; i++) {
		if (n->l[i].kind == LAYER_BN && load_bn(ts, &n->l[i], err))
			goto fail;
		if (n->l[i].kind == LAYER_QUANT && load_quant(ts, &n->l[i], err))
			goto fail;
		if (!layer_has_weights(&n->l[i]))
			continue;
		if (k == (uint32_t)count) {
			dcc_fail(err, "the file has %d weight tensors, network '%s' more weight layers",
				 count, n->spec);
			goto fail;
		}
		if (load_layer(ts, w[k++], &n->l[i], err))
			goto fail;
	}
	if (k != (uint32_t)count) {
		dcc_fail(err, "the file has %d weight tensors, network '%s' only %u weight layers",
			 count, n->spec, k);
		goto fail;
	}
	return 0;
fail:
	net_free(n);
	return -1;
}

int net_load(const char *path, const char *spec, struct net *n,
	     struct dcc_error *err)
{
	struct tensor_set ts;
	int ret;

	memset(n, 0, sizeof(*n));
	if (safetensors_load(path, &ts, err))
		return -1;
	ret = net_from_tensors(&ts, spec, n, err);
	if (ret) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		dcc_fail(err, "%s: %.280s", path, why);
	}
	tensor_set_free(&ts);
	return ret;
}

int net_import_npy(char *const *paths, unsigned int n, bool transpose,
		   const char *spec, struct net *net, struct dcc_error *err)
{
	struct tensor t[2 * NET_LAYERS_MAX];
	struct tensor_set ts = { 0, t, "" };
	int ret = -1;

	memset(net, 0, sizeof(*net));
	if (n == 0 || n % 2 || n > 2 * NET_LAYERS_MAX)
		return dcc_fail(err, "give .npy files in pairs: W1 b1 W2 b2 ... (at most %u layers)",
				NET_LAYERS_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct tensor *x = &t[ts.count];

		if (npy_load(paths[i], x, err))
			goto out;
		ts.count++;
		snprintf(x->name, sizeof(x->name), "layer%u.%s", i / 2,
			 i % 2 ? "bias" : "weight");
		if (x->type != TENSOR_F32) {
			dcc_fail(err, "%s: wrong dtype: weights and biases are floats", paths[i]);
			goto out;
		}
		if (i % 2 == 0 && x->ndim != 2 && x->ndim != 4) {
			dcc_fail(err, "%s: wrong shape: a weight is 2-D (fc) or 4-D (conv), this has %u dimensions",
				 paths[i], x->ndim);
			goto out;
		}
		if (i % 2 == 0 && transpose && x->ndim == 2) {
			float *f = malloc(x->count * sizeof(float));
			uint64_t r = x->shape[0], c = x->shape[1];

			if (!f) {
				dcc_fail(err, "out of memory");
				goto out;
			}
			for (uint64_t a = 0; a < r; a++)
				for (uint64_t b = 0; b < c; b++)
					f[b * r + a] = x->f[a * c + b];
			free(x->f);
			x->f = f;
			x->shape[0] = c;
			x->shape[1] = r;
		}
	}
	ret = net_from_tensors(&ts, spec, net, err);
out:
	for (uint32_t i = 0; i < ts.count; i++)
		tensor_free(&t[i]);
	return ret;
}
