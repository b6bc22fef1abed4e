/* SPDX-License-Identifier: MIT */
/*
 * A stack of fully connected layers (ReLU between them, softmax
 * cross-entropy on top) in fp32, trained with mini-batch SGD with momentum
 * or Adam through OpenBLAS. A layer can carry a pruning mask, held during
 * retraining, and a weight-sharing codebook, whose centroids are what is
 * trained once it is there.
 */
#ifndef DCC_MLP_H
#define DCC_MLP_H

#include <stdbool.h>
#include <stdint.h>

#include "dcc_error.h"
#include "idx.h"

#define MLP_LAYERS_MAX	16
#define MLP_CODEBOOK_MAX 256

struct fc {
	uint32_t in, out;
	float *w;		/* out x in, row-major (PyTorch's layout) */
	float *b;		/* out */
	uint8_t *mask;		/* out x in, 1 = kept; NULL while dense */
	/* weight sharing: w[k] == centroid[widx[k]], centroid[0] == 0 */
	uint8_t *widx;		/* NULL until quantized */
	uint32_t ncent;		/* centroids, index 0 included */
	uint8_t bits;
	float centroid[MLP_CODEBOOK_MAX];
	/* optimizer state */
	float *mw, *vw, *mb, *vb;
	float mc[MLP_CODEBOOK_MAX], vc[MLP_CODEBOOK_MAX];
};

struct mlp {
	uint32_t nlayers;
	struct fc l[MLP_LAYERS_MAX];
	uint64_t adam_step;
};

struct train_opts {
	uint32_t epochs, batch;
	float lr, lr_decay;	/* lr *= lr_decay after each epoch */
	float momentum;
	float weight_decay;
	float centroid_lr;	/* for codebook fine-tuning */
	bool adam;
	uint64_t seed;
	bool progress;		/* show progress on stderr: */
	bool progress_tty;	/* a bar redrawn with \r, else a line per epoch */
	const char *stage;	/* shown in the progress bar */
};

void train_opts_default(struct train_opts *o);

/* sizes[0] inputs, sizes[n] outputs; He-initialised from seed. */
int mlp_init(struct mlp *m, const uint32_t *sizes, uint32_t n, uint64_t seed,
	     struct dcc_error *err);
/* A model with the given shapes and zero weights (for importers). */
int mlp_alloc(struct mlp *m, const uint32_t *sizes, uint32_t n,
	      struct dcc_error *err);
void mlp_free(struct mlp *m);

/* Logits for `count` inputs (count x sizes[0]) -> out (count x classes). */
void mlp_forward(const struct mlp *m, const float *x, uint32_t count,
		 float *out);

/* Top-1 accuracy in percent over a data set. */
double mlp_accuracy(const struct mlp *m, const struct dataset *ds);

/* Train in place; returns the last epoch's mean loss (or -1 on OOM). */
double mlp_train(struct mlp *m, const struct dataset *ds,
		 const struct train_opts *o, struct dcc_error *err);

uint64_t mlp_weights(const struct mlp *m);
uint64_t mlp_params(const struct mlp *m);

/* splitmix64: the only randomness, so runs repeat with --seed */
uint64_t rng_next(uint64_t *s);
float rng_uniform(uint64_t *s);

#endif /* DCC_MLP_H */
