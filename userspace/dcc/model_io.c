// SPDX-License-Identifier: MIT
/* Models to and from .safetensors and .npy, with every shape checked. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model_io.h"

static void set_tensor(struct tensor *t, const char *name, uint32_t i,
		       enum tensor_type type, uint64_t d0, uint64_t d1,
		       float *f, uint8_t *u8)
{
	memset(t, 0, sizeof(*t));
	snprintf(t->name, sizeof(t->name), "fc%u.%s", i, name);
	t->type = type;
	t->ndim = d1 ? 2 : 1;
	t->shape[0] = d0;
	t->shape[1] = d1;
	t->count = d0 * (d1 ? d1 : 1);
	t->f = f;
	t->u8 = u8;
}

int mlp_save(const struct mlp *m, const char *path, struct dcc_error *err)
{
	struct tensor t[MLP_LAYERS_MAX * 5];
	float cb[MLP_LAYERS_MAX][MLP_CODEBOOK_MAX];
	struct tensor_set ts = { 0, t };

	for (uint32_t i = 0; i < m->nlayers; i++) {
		const struct fc *l = &m->l[i];

		set_tensor(&t[ts.count++], "weight", i, TENSOR_F32, l->out, l->in, l->w, NULL);
		set_tensor(&t[ts.count++], "bias", i, TENSOR_F32, l->out, 0, l->b, NULL);
		if (l->mask)
			set_tensor(&t[ts.count++], "mask", i, TENSOR_U8, l->out, l->in, NULL, l->mask);
		if (l->widx) {
			memcpy(cb[i], l->centroid, sizeof(cb[i]));
			set_tensor(&t[ts.count++], "index", i, TENSOR_U8, l->out, l->in, NULL, l->widx);
			set_tensor(&t[ts.count++], "codebook", i, TENSOR_F32, l->ncent, 0, cb[i], NULL);
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

int mlp_from_tensors(const struct tensor_set *ts, struct mlp *m,
		     struct dcc_error *err)
{
	const struct tensor *w[MLP_LAYERS_MAX + 1];
	uint32_t n = 0, sizes[MLP_LAYERS_MAX + 1];

	memset(m, 0, sizeof(*m));
	for (uint32_t i = 0; i < ts->count; i++) {
		const char *name = ts->t[i].name;
		size_t len = strlen(name);

		if (len < 7 || strcmp(name + len - 7, ".weight"))
			continue;
		if (n == MLP_LAYERS_MAX)
			return dcc_fail(err, "more than %u weight tensors", MLP_LAYERS_MAX);
		w[n++] = &ts->t[i];
	}
	if (n == 0)
		return dcc_fail(err, "no tensor named *.weight: not a model of fully connected layers");
	qsort(w, n, sizeof(w[0]), cmp_tensor_ptr);
	for (uint32_t i = 0; i < n; i++) {
		if (w[i]->ndim != 2 || w[i]->type != TENSOR_F32)
			return dcc_fail(err, "%s: wrong shape: a fully connected weight is a 2-D float [out, in] tensor",
					w[i]->name);
		if (i && w[i]->shape[1] != w[i - 1]->shape[0])
			return dcc_fail(err, "%s: wrong shape: takes %llu inputs but %s gives %llu outputs",
					w[i]->name, (unsigned long long)w[i]->shape[1],
					w[i - 1]->name, (unsigned long long)w[i - 1]->shape[0]);
		if (i == 0)
			sizes[0] = (uint32_t)w[i]->shape[1];
		sizes[i + 1] = (uint32_t)w[i]->shape[0];
		if (w[i]->shape[0] > (1u << 20) || w[i]->shape[1] > (1u << 20))
			return dcc_fail(err, "%s: layer too large", w[i]->name);
	}
	if (mlp_alloc(m, sizes, n, err))
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct fc *l = &m->l[i];
		const struct tensor *b = sibling(ts, w[i], "bias");
		const struct tensor *mk = sibling(ts, w[i], "mask");
		const struct tensor *ix = sibling(ts, w[i], "index");
		const struct tensor *cb = sibling(ts, w[i], "codebook");
		size_t nw = (size_t)l->in * l->out;
		uint32_t in = l->in, out = l->out;

		memcpy(l->w, w[i]->f, nw * sizeof(float));
		if (!b || b->type != TENSOR_F32 || b->ndim != 1 || b->shape[0] != l->out) {
			mlp_free(m);
			return dcc_fail(err, "%s: wrong shape or missing: need a float bias of %u values",
					w[i]->name, out);
		}
		memcpy(l->b, b->f, l->out * sizeof(float));
		if (mk) {
			if (mk->type != TENSOR_U8 || mk->count != nw) {
				mlp_free(m);
				return dcc_fail(err, "%s: wrong shape: mask must be U8 [%u, %u]",
						mk->name, out, in);
			}
			l->mask = malloc(nw);
			if (!l->mask)
				goto oom;
			for (size_t k = 0; k < nw; k++) {
				l->mask[k] = mk->u8[k] != 0;
				if (!l->mask[k])
					l->w[k] = 0;
			}
		}
		if (ix || cb) {
			unsigned int bits = 0;

			if (!ix || !cb || ix->type != TENSOR_U8 || ix->count != nw ||
			    cb->type != TENSOR_F32 || cb->ndim != 1) {
				mlp_free(m);
				return dcc_fail(err, "layer %u: index (U8 [%u, %u]) and codebook (F32 [2^bits]) must come together",
						i, out, in);
			}
			while ((1ull << bits) < cb->count)
				bits++;
			if ((1ull << bits) != cb->count || bits < 1 || bits > 8 ||
			    cb->f[0] != 0.0f) {
				mlp_free(m);
				return dcc_fail(err, "%s: a codebook has 2^bits entries (bits 1..8), entry 0 the zero weight",
						cb->name);
			}
			l->widx = malloc(nw);
			if (!l->widx)
				goto oom;
			l->bits = (uint8_t)bits;
			l->ncent = (uint32_t)cb->count;
			memcpy(l->centroid, cb->f, cb->count * sizeof(float));
			for (size_t k = 0; k < nw; k++) {
				if (ix->u8[k] >= l->ncent) {
					uint32_t ncent = l->ncent;

					mlp_free(m);
					return dcc_fail(err, "%s: index %u at %zu is past the %u-entry codebook",
							ix->name, ix->u8[k], k, ncent);
				}
				l->widx[k] = ix->u8[k];
				l->w[k] = l->centroid[l->widx[k]];
			}
		}
	}
	return 0;
oom:
	mlp_free(m);
	return dcc_fail(err, "out of memory");
}

int mlp_load(const char *path, struct mlp *m, struct dcc_error *err)
{
	struct tensor_set ts;
	int ret;

	memset(m, 0, sizeof(*m));
	if (safetensors_load(path, &ts, err))
		return -1;
	ret = mlp_from_tensors(&ts, m, err);
	if (ret) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		dcc_fail(err, "%s: %.280s", path, why);
	}
	tensor_set_free(&ts);
	return ret;
}

int mlp_import_npy(char *const *paths, unsigned int n, bool transpose,
		   struct mlp *m, struct dcc_error *err)
{
	struct tensor t[2 * MLP_LAYERS_MAX];
	struct tensor_set ts = { 0, t };
	int ret = -1;

	memset(m, 0, sizeof(*m));
	if (n == 0 || n % 2 || n > 2 * MLP_LAYERS_MAX)
		return dcc_fail(err, "give .npy files in pairs: W1 b1 W2 b2 ... (at most %u layers)",
				MLP_LAYERS_MAX);
	for (unsigned int i = 0; i < n; i++) {
		struct tensor *x = &t[ts.count];

		if (npy_load(paths[i], x, err))
			goto out;
		ts.count++;
		snprintf(x->name, sizeof(x->name), "fc%u.%s", i / 2,
			 i % 2 ? "bias" : "weight");
		if (x->type != TENSOR_F32) {
			dcc_fail(err, "%s: wrong dtype: weights and biases are floats", paths[i]);
			goto out;
		}
		if (i % 2 == 0 && x->ndim != 2) {
			dcc_fail(err, "%s: wrong shape: a weight is 2-D, this has %u dimensions",
				 paths[i], x->ndim);
			goto out;
		}
		if (i % 2 == 0 && transpose) {
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
	ret = mlp_from_tensors(&ts, m, err);
out:
	for (uint32_t i = 0; i < ts.count; i++)
		tensor_free(&t[i]);
	return ret;
}
