// SPDX-License-Identifier: MIT
/*
 * Mini-batch training: forward, softmax cross-entropy, backward with
 * OpenBLAS GEMMs, then an SGD-with-momentum or Adam step. Pruned layers
 * keep their mask (masked gradient, so a pruned weight stays exactly 0);
 * quantized layers train their centroids with the weight gradients summed
 * per cluster, and every weight is set back to its centroid after a step.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>

#include "mlp.h"

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

struct adam_k {
	float lr, b1, b2, c1, c2;
};

/* One optimizer step of parameter p with gradient g and state m, v. */
static inline void step(float *p, float g, float *m, float *v,
			const struct train_opts *o, const struct adam_k *k,
			float lr)
{
	if (o->adam) {
		*m = k->b1 * *m + (1 - k->b1) * g;
		*v = k->b2 * *v + (1 - k->b2) * g * g;
		*p -= lr * (*m / k->c1) / (sqrtf(*v / k->c2) + 1e-8f);
	} else {
		*m = o->momentum * *m + g;
		*p -= lr * *m;
	}
}

static void update_layer(struct fc *l, const float *dw, const float *db,
			 const struct train_opts *o, const struct adam_k *k,
			 float lr)
{
	size_t nw = (size_t)l->in * l->out;

	for (uint32_t r = 0; r < l->out; r++)
		step(&l->b[r], db[r], &l->mb[r], &l->vb[r], o, k, lr);
	if (l->widx) {
		double g[MLP_CODEBOOK_MAX] = { 0 };

		for (size_t i = 0; i < nw; i++)
			g[l->widx[i]] += dw[i];
		for (uint32_t c = 1; c < l->ncent; c++)
			step(&l->centroid[c], (float)g[c], &l->mc[c], &l->vc[c],
			     o, k, o->centroid_lr);
		for (size_t i = 0; i < nw; i++)
			l->w[i] = l->centroid[l->widx[i]];
		return;
	}
	for (size_t i = 0; i < nw; i++) {
		if (l->mask && !l->mask[i])
			continue;
		step(&l->w[i], dw[i] + o->weight_decay * l->w[i], &l->mw[i],
		     &l->vw[i], o, k, lr);
	}
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

double mlp_train(struct mlp *m, const struct dataset *ds,
		 const struct train_opts *o, struct dcc_error *err)
{
	const uint32_t B = o->batch, classes = m->l[m->nlayers - 1].out;
	float *act[MLP_LAYERS_MAX + 1] = { 0 }, *delta[2] = { 0 };
	float *dw = NULL, *db = NULL, *xb = NULL;
	uint32_t *order = NULL, widest = ds->dim;
	uint64_t s = o->seed ^ 0x5eedull;
	size_t max_w = 0;
	double loss = -1;
	float lr = o->lr;
	struct adam_k k = { 0, 0.9f, 0.999f, 1, 1 };

	if (ds->dim != m->l[0].in || classes < 10) {
		dcc_fail(err, "data of %u pixels does not fit a model of %u inputs and %u outputs",
			 ds->dim, m->l[0].in, classes);
		return -1;
	}
	for (uint32_t i = 0; i < m->nlayers; i++) {
		if (m->l[i].out > widest)
			widest = m->l[i].out;
		if ((size_t)m->l[i].in * m->l[i].out > max_w)
			max_w = (size_t)m->l[i].in * m->l[i].out;
		act[i + 1] = malloc((size_t)B * m->l[i].out * sizeof(float));
		if (!act[i + 1])
			goto oom;
	}
	delta[0] = malloc((size_t)B * widest * sizeof(float));
	delta[1] = malloc((size_t)B * widest * sizeof(float));
	dw = malloc(max_w * sizeof(float));
	db = malloc(widest * sizeof(float));
	xb = malloc((size_t)B * ds->dim * sizeof(float));
	order = malloc(ds->count * sizeof(*order));
	if (!delta[0] || !delta[1] || !dw || !db || !xb || !order)
		goto oom;
	for (uint32_t i = 0; i < ds->count; i++)
		order[i] = i;

	for (uint32_t epoch = 0; epoch < o->epochs; epoch++) {
		double sum_loss = 0;
		uint32_t right = 0, seen = 0;

		for (uint32_t i = ds->count; i > 1; i--) {
			uint32_t j = (uint32_t)(rng_next(&s) % i), t = order[i - 1];

			order[i - 1] = order[j];
			order[j] = t;
		}
		/* full batches only (a set smaller than one batch is one batch);
		 * the shuffle changes which few images wait for the next epoch */
		for (uint32_t at = 0; at + B <= ds->count || (at < ds->count && at == 0);
		     at += B) {
			uint32_t n = ds->count - at < B ? ds->count - at : B;
			float *logits = act[m->nlayers];

			for (uint32_t r = 0; r < n; r++)
				memcpy(xb + (size_t)r * ds->dim,
				       ds->x + (size_t)order[at + r] * ds->dim,
				       ds->dim * sizeof(float));
			act[0] = xb;
			for (uint32_t i = 0; i < m->nlayers; i++) {
				struct fc *l = &m->l[i];

				for (uint32_t r = 0; r < n; r++)
					memcpy(act[i + 1] + (size_t)r * l->out, l->b,
					       l->out * sizeof(float));
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
					    (int)n, (int)l->out, (int)l->in, 1.0f,
					    act[i], (int)l->in, l->w, (int)l->in,
					    1.0f, act[i + 1], (int)l->out);
				if (i + 1 < m->nlayers)
					for (size_t q = 0; q < (size_t)n * l->out; q++)
						if (act[i + 1][q] < 0)
							act[i + 1][q] = 0;
			}
			/* softmax cross-entropy; delta = (p - onehot) / n */
			float *d = delta[0];
			for (uint32_t r = 0; r < n; r++) {
				const float *z = logits + (size_t)r * classes;
				float *dz = d + (size_t)r * classes, mx = z[0], sum = 0;
				uint32_t y = ds->y[order[at + r]], best = 0;

				for (uint32_t c = 1; c < classes; c++) {
					if (z[c] > mx)
						mx = z[c];
					if (z[c] > z[best])
						best = c;
				}
				for (uint32_t c = 0; c < classes; c++)
					sum += dz[c] = expf(z[c] - mx);
				sum_loss += -(z[y] - mx - logf(sum));
				for (uint32_t c = 0; c < classes; c++)
					dz[c] = (dz[c] / sum - (c == y)) / (float)n;
				right += best == y;
			}
			seen += n;
			m->adam_step++;
			k.c1 = 1 - powf(k.b1, (float)m->adam_step);
			k.c2 = 1 - powf(k.b2, (float)m->adam_step);
			for (uint32_t i = m->nlayers; i-- > 0;) {
				struct fc *l = &m->l[i];
				float *dn = delta[(m->nlayers - 1 - i) & 1];
				float *dprev = delta[(m->nlayers - i) & 1];

				cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans,
					    (int)l->out, (int)l->in, (int)n, 1.0f,
					    dn, (int)l->out, act[i], (int)l->in,
					    0.0f, dw, (int)l->in);
				for (uint32_t c = 0; c < l->out; c++)
					db[c] = 0;
				for (uint32_t r = 0; r < n; r++)
					for (uint32_t c = 0; c < l->out; c++)
						db[c] += dn[(size_t)r * l->out + c];
				if (i > 0) {
					cblas_sgemm(CblasRowMajor, CblasNoTrans,
						    CblasNoTrans, (int)n, (int)l->in,
						    (int)l->out, 1.0f, dn, (int)l->out,
						    l->w, (int)l->in, 0.0f, dprev,
						    (int)l->in);
					for (size_t q = 0; q < (size_t)n * l->in; q++)
						if (act[i][q] <= 0)
							dprev[q] = 0;
				}
				update_layer(l, dw, db, o, &k, lr);
			}
			if ((at / B) % 16 == 0)
				progress(o, epoch, at + n, ds->count,
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
	for (uint32_t i = 1; i <= m->nlayers; i++)
		free(act[i]);
	free(delta[0]);
	free(delta[1]);
	free(dw);
	free(db);
	free(xb);
	free(order);
	return loss;
}
