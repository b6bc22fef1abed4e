// SPDX-License-Identifier: MIT
/*
 * The training loop: shuffled mini-batches, every layer's forward keeping
 * what its backward needs, softmax cross-entropy on the logits, the
 * layers' backward from the top, then one optimizer step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"
#include "train.h"
#include "weights.h"

void train_opts_default(struct train_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->epochs = 15;
	o->batch = 128;
	o->lr = 0.05f;
	o->lr_decay = 0.85f;
	o->momentum = 0.9f;
	o->weight_decay = 5e-5f;
	o->centroid_lr = 1e-4f;
	o->seed = 1;
	o->stage = "train";
}

/*
 * On a terminal a bar redrawn in place; elsewhere (a log, a pipe) whole
 * lines only, one per epoch, so that the log reads line by line.
 */
static void progress(const struct train_opts *o, uint32_t epoch,
		     uint32_t done, uint32_t total, double loss, double acc,
		     bool end)
{
	const int width = 30;
	int fill = (int)((double)done / total * width);

	if (!o->progress)
		return;
	if (!o->progress_tty) {
		if (end)
			fprintf(stderr, "%s epoch %u/%u: loss %.4f train acc %.2f%%\n",
				o->stage, epoch + 1, o->epochs, loss, acc);
		return;
	}
	fprintf(stderr, "\r%-10s epoch %2u/%-2u [", o->stage, epoch + 1, o->epochs);
	for (int i = 0; i < width; i++)
		fputc(i < fill ? '#' : '.', stderr);
	fprintf(stderr, "] loss %.4f train acc %5.2f%%", loss, acc);
	if (end)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Softmax cross-entropy: d = (p - onehot) / count; adds loss, hits. */
static void softmax_xent(const float *logits, const uint8_t *y,
			 const uint32_t *order, uint32_t count, uint32_t classes,
			 float *d, double *loss, uint32_t *right)
{
	for (uint32_t r = 0; r < count; r++) {
		const float *z = logits + (size_t)r * classes;
		float *dz = d + (size_t)r * classes, mx = z[0], sum = 0;
		uint32_t label = y[order[r]], best = 0;

		for (uint32_t c = 1; c < classes; c++) {
			if (z[c] > mx)
				mx = z[c];
			if (z[c] > z[best])
				best = c;
		}
		for (uint32_t c = 0; c < classes; c++)
			sum += dz[c] = expf(z[c] - mx);
		*loss += -(z[label] - mx - logf(sum));
		for (uint32_t c = 0; c < classes; c++)
			dz[c] = (dz[c] / sum - (c == label)) / (float)count;
		*right += best == label;
	}
}

struct buffers {
	float *act[NET_LAYERS_MAX + 1];	/* act[0]: the batch's inputs */
	float *delta[2];
	uint32_t *order;
};

static int alloc_buffers(const struct net *n, const struct dataset *ds,
			 uint32_t B, struct buffers *b)
{
	size_t widest = ds->dim;

	memset(b, 0, sizeof(*b));
	for (uint32_t i = 0; i <= n->count; i++) {
		size_t sz = i ? shape_size(n->l[i - 1].out) : ds->dim;

		if (sz > widest)
			widest = sz;
		b->act[i] = malloc((size_t)B * sz * sizeof(float));
		if (!b->act[i])
			return -1;
	}
	b->delta[0] = malloc((size_t)B * widest * sizeof(float));
	b->delta[1] = malloc((size_t)B * widest * sizeof(float));
	b->order = malloc((ds->count ? ds->count : 1) * sizeof(*b->order));
	return b->delta[0] && b->delta[1] && b->order ? 0 : -1;
}

static void free_buffers(struct buffers *b)
{
	for (uint32_t i = 0; i <= NET_LAYERS_MAX; i++)
		free(b->act[i]);
	free(b->delta[0]);
	free(b->delta[1]);
	free(b->order);
}

/* What each weight layer and each bn trains goes on the optimizer's list. */
static int fill_optim(struct net *n, const struct train_opts *o,
		      struct optim *opt)
{
	for (uint32_t i = 0; i < n->count; i++) {
		struct weights *wt = &n->l[i].wt;

		if (n->l[i].kind == LAYER_BN) {
			if (optim_add(opt, &n->l[i].bn.gamma, 0) ||
			    optim_add(opt, &n->l[i].bn.beta, 0))
				return -1;
			continue;
		}
		if (!layer_has_weights(&n->l[i]))
			continue;
		if (optim_add(opt, weights_trained(wt), wt->widx && !wt->latent.v ? o->centroid_lr : 0) ||
		    optim_add(opt, &wt->b, 0))
			return -1;
	}
	return 0;
}

/*
 * A bn's gamma and beta take no weight decay (it would shrink every
 * channel alike); under network slimming's L1 penalty lambda sum |gamma|
 * gamma's gradient gains the subgradient lambda sign(gamma), 0 at 0.
 */
static void bn_grad(struct batchnorm *bn, float l1)
{
	if (l1 == 0)
		return;
	for (size_t c = 0; c < bn->gamma.n; c++)
		bn->gamma.g[c] += bn->gamma.v[c] > 0 ? l1 : bn->gamma.v[c] < 0 ? -l1 : 0;
}

/* One batch forward and back; the gradients land in the layers. */
static int batch_step(struct net *n, struct buffers *b, const uint8_t *y,
		      const uint32_t *order, uint32_t count, double *loss,
		      uint32_t *right)
{
	for (uint32_t i = 0; i < n->count; i++)
		if (layer_ops_of(n->l[i].kind)->forward(&n->l[i], b->act[i],
							b->act[i + 1], count, true))
			return -1;
	softmax_xent(b->act[n->count], y, order, count, net_classes(n),
		     b->delta[0], loss, right);
	for (uint32_t i = n->count, k = 0; i-- > 0; k ^= 1) {
		struct layer *l = &n->l[i];

		layer_ops_of(l->kind)->backward(l, b->act[i], b->act[i + 1],
						b->delta[k], i ? b->delta[k ^ 1] : NULL,
						count);
	}
	return 0;
}

double net_train(struct net *n, const struct dataset *ds,
		 const struct train_opts *o, struct dcc_error *err)
{
	const uint32_t B = o->batch;
	struct buffers b;
	struct optim opt;
	uint64_t s = o->seed ^ 0x5eedull;
	double loss = -1;
	float lr = o->lr;

	if (ds->dim != net_inputs(n) || net_classes(n) < 10 || ds->count == 0) {
		dcc_fail(err, "data of %u images of %u pixels does not fit a model of %u inputs and %u outputs",
			 ds->count, ds->dim, net_inputs(n), net_classes(n));
		return -1;
	}
	optim_init(&opt, o->adam, o->momentum);
	if (alloc_buffers(n, ds, B, &b) || fill_optim(n, o, &opt))
		goto oom;
	for (uint32_t i = 0; i < ds->count; i++)
		b.order[i] = i;
	for (uint32_t epoch = 0; epoch < o->epochs; epoch++) {
		double sum_loss = 0;
		uint32_t right = 0, seen = 0;

		for (uint32_t i = ds->count; i > 1; i--) {
			uint32_t j = (uint32_t)(rng_next(&s) % i), t = b.order[i - 1];

			b.order[i - 1] = b.order[j];
			b.order[j] = t;
		}
		/* full batches only (a set smaller than one batch is one batch);
		 * the shuffle changes which few images wait for the next epoch */
		for (uint32_t at = 0; at + B <= ds->count || (at < ds->count && at == 0);
		     at += B) {
			uint32_t cnt = ds->count - at < B ? ds->count - at : B;

			for (uint32_t r = 0; r < cnt; r++)
				memcpy(b.act[0] + (size_t)r * ds->dim,
				       ds->x + (size_t)b.order[at + r] * ds->dim,
				       ds->dim * sizeof(float));
			if (batch_step(n, &b, ds->y, b.order + at, cnt, &sum_loss, &right))
				goto oom;
			seen += cnt;
			for (uint32_t i = 0; i < n->count; i++)
				if (layer_has_weights(&n->l[i]))
					weights_grad(&n->l[i].wt, o->weight_decay);
				else if (n->l[i].kind == LAYER_BN)
					bn_grad(&n->l[i].bn, o->bn_l1);
			optim_step(&opt, lr);
			for (uint32_t i = 0; i < n->count; i++)
				if (layer_has_weights(&n->l[i]))
					weights_sync(&n->l[i].wt);
			if ((at / B) % 16 == 0)
				progress(o, epoch, at + cnt, ds->count,
					 sum_loss / seen, 100.0 * right / seen, false);
		}
		loss = sum_loss / (seen ? seen : 1);
		progress(o, epoch, ds->count, ds->count, loss,
			 100.0 * right / (seen ? seen : 1), true);
		lr *= o->lr_decay;
	}
	goto out;
oom:
	dcc_fail(err, "out of memory while training");
	loss = -1;
out:
	optim_free(&opt);
	free_buffers(&b);
	return loss;
}
