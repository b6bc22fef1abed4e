/* SPDX-License-Identifier: MIT */
/*
 * A network: a chain of layers of several kinds (fc, conv, pool, relu,
 * flatten), each kind's forward and backward in its own layer_*.c, on
 * batches of CHW maps in fp32. The weight-bearing kinds (fc, conv) hold
 * their compression state (mask, codebook) in struct weights; the
 * optimizer (optim.c) and the compression passes (prune.c, kmeans.c,
 * fixedpoint.c) work on the network from outside.
 */
#ifndef DCC_NET_H
#define DCC_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dcc_error.h"
#include "idx.h"

#define NET_LAYERS_MAX	32
#define NET_SPEC_MAX	512
#define CODEBOOK_MAX	256

enum layer_kind {
	LAYER_FC, LAYER_CONV, LAYER_POOL, LAYER_RELU, LAYER_FLATTEN, LAYER_BN,
	LAYER_QUANT,
};
#define LAYER_KINDS	7

/* A map of c channels of h x w (a flat vector is c x 1 x 1). */
struct shape {
	uint32_t c, h, w;
};

static inline size_t shape_size(struct shape s)
{
	return (size_t)s.c * s.h * s.w;
}

/* A trainable array and its gradient (same length). */
struct param {
	float *v, *g;
	size_t n;
};

/*
 * The weights of an fc or conv layer as a rows x cols matrix (fc: out x
 * in; conv: K x C*R*S, PyTorch's [K][C][R][S] read row-major), its bias,
 * and what compression made of it.
 */
struct weights {
	uint32_t rows, cols;
	struct param w, b;
	uint8_t *mask;		/* rows x cols, 1 = kept; NULL while dense */
	/* weight sharing: w[k] == cb.v[widx[k]], cb.v[0] == 0 */
	uint8_t *widx;		/* NULL until quantized */
	uint8_t bits;
	struct param cb;	/* the centroids, trained once shared */
	/*
	 * Low-bit training (lowbit.c): the optimizer trains these latent fp32
	 * weights; after each step `project` sets w, widx and cb from them,
	 * and w's gradient passes to them unchanged (straight-through).
	 */
	struct param latent;
	void (*project)(struct weights *wt);
	/* adds the method's own term to latent.g, or NULL */
	void (*regularize)(struct weights *wt);
	double keep;		/* the fraction of weights project keeps */
	float reg;		/* the regularizer's weight */
	float alpha;		/* the scale project chose last */
	/*
	 * Bit-plane weights (lowbit_planes.c): widx holds each weight's code
	 * of `planes` bits (bit u in plane u), and the weight is the row's
	 * basis dotted with the code's bits, read as +1/-1 when planes_signed
	 * and as 1/0 otherwise (hardware.rst, "Bit-plane layers"). planes 0:
	 * not a bit-plane layer; then cb holds the values.
	 */
	uint8_t planes;
	bool planes_signed;
	float *basis;		/* rows x planes, bw[r][u] at r planes + u */
};

/*
 * An activation quantizer (layer_quant.c): each value becomes the nearest
 * of 2^bits levels, the sums of the basis over a code's bits (read as
 * +1/-1 when is_signed, else 1/0), as the device's QUANT op and the next
 * bit-plane layer compute it. The gradient passes straight through
 * inside [level[0], level[last]] and is 0 outside (the clipped
 * straight-through estimator).
 */
#define QUANT_BITS_MAX	8
#define QUANT_LEVELS_MAX (1u << QUANT_BITS_MAX)

/*
 * The value of a k-bit code under a basis: bit j adds basis[j] when set,
 * and subtracts it when clear in a +1/-1 plane (hardware.rst).
 */
static inline float planes_value(const float *basis, uint32_t k,
				 bool is_signed, uint32_t code)
{
	float v = 0;

	for (uint32_t j = 0; j < k; j++)
		v += (code >> j & 1) ? basis[j] : is_signed ? -basis[j] : 0;
	return v;
}

struct actq {
	uint8_t bits;
	bool is_signed;
	float basis[QUANT_BITS_MAX];
	/* from the basis (quant_set_levels): ascending levels, their codes,
	 * and the midpoints between neighbours, where the level changes */
	float level[QUANT_LEVELS_MAX];
	uint8_t code[QUANT_LEVELS_MAX];
	float thr[QUANT_LEVELS_MAX - 1];
	/*
	 * While training, the method's own update of the basis from a batch's
	 * inputs (x, n values), before they are quantized; NULL: fixed.
	 */
	void (*update)(struct actq *q, const float *x, size_t n);
	float momentum;		/* the update's moving average, its own use */
	double stat[2];		/* and its running statistics */
};

/* A sliding window (hardware.rst, "Feature maps and windows"). */
struct window {
	uint8_t kh, kw, sh, sw, ph, pw;
};

enum pool_mode { POOL_MAX_MODE = 0, POOL_AVG_MODE = 1 };

/*
 * Batch normalization over each channel of a CHW map (or each unit of a
 * vector): y = gamma (x - mean) / sqrt(var + eps) + beta, with the batch's
 * mean and variance while training and the running ones otherwise.
 * Network slimming trains gamma under an L1 penalty; the device never
 * sees a bn layer: it is folded into the conv or fc before it
 * (net_fold_bn, layer_bn.c).
 */
#define BN_EPS		1e-5f
#define BN_MOMENTUM	0.1f	/* running = (1 - m) running + m batch */

struct batchnorm {
	struct param gamma, beta;	/* channels each */
	float *mean, *var;		/* running statistics, channels each */
	/* what backward needs of the last training forward */
	float *xhat;			/* batch x map: normalized inputs */
	float *inv_std;			/* channels: 1 / sqrt(batch var + eps) */
	uint32_t batch_cap;
};

struct layer {
	enum layer_kind kind;
	char name[16];		/* conv1, fc2, pool1... as in the reports */
	struct shape in, out;
	struct weights wt;	/* fc, conv */
	struct window win;	/* conv, pool */
	uint8_t pool_mode;	/* pool */
	struct batchnorm bn;	/* bn */
	struct actq q;		/* quant */
	/* what backward needs of the last training forward (batch-sized) */
	float *cols;		/* conv: im2col patches */
	float *tmp;		/* conv: outputs / gradients in patch order */
	uint32_t *arg;		/* max pool: input index of each output */
	uint32_t batch_cap;	/* images the buffers above hold */
};

struct net {
	uint32_t count;
	struct layer l[NET_LAYERS_MAX];
	struct shape in;
	char spec[NET_SPEC_MAX];
};

/*
 * Build a network from a description (net-spec in the docs): a built-in
 * name (lenet5, lenet300, vgg6) or comma-separated layers after the input
 * shape "in=CxHxW": convKxRxS[/sS][/pP], maxpoolR[/sS], avgpoolR[/sS],
 * fcN, relu, flatten, bn, quantK (K-bit activations, 1/0 planes) or
 * quantKs (+1/-1 planes). Weights are zero (bn: gamma 1, beta 0, running
 * mean 0, variance 1); net_init_weights() draws them.
 */
int net_build(struct net *n, const char *spec, struct dcc_error *err);
/* The description of n's layers as net_build() reads it (built-ins expanded). */
void net_describe(const struct net *n, char *buf, size_t len);
void net_init_weights(struct net *n, uint64_t seed);
void net_free(struct net *n);

/* A network of fc + relu layers with the given sizes (sizes[0] inputs). */
int net_build_mlp(struct net *n, const uint32_t *sizes, uint32_t count,
		  struct dcc_error *err);

static inline bool layer_has_weights(const struct layer *l)
{
	return l->kind == LAYER_FC || l->kind == LAYER_CONV;
}

uint32_t net_inputs(const struct net *n);
uint32_t net_classes(const struct net *n);
uint64_t net_weights(const struct net *n);	/* fc and conv weights */
uint64_t net_params(const struct net *n);	/* and their biases */

/*
 * dst built anew (fresh buffers, weights as net_build leaves them) from the
 * layers of `shape` as they stand: a shallow copy of a network with layers
 * added, removed or given other channel counts. 0 or -1 with err.
 */
int net_rebuild(const struct net *shape, struct net *dst,
		struct dcc_error *err);

/*
 * Forward `count` inputs through layers [0, upto) into out (count x the
 * size of layer upto-1's output); upto = n->count gives the logits.
 * 0 or -1 on OOM.
 */
int net_forward_upto(const struct net *n, uint32_t upto, const float *x,
		     uint32_t count, float *out);
int net_forward(const struct net *n, const float *x, uint32_t count,
		float *out);

/*
 * Forward `samples` images of a data set, chosen one by one, through layers
 * [0, upto) (upto >= 1) in chunks, and hand each image's result to the caller: what
 * the data-driven pruning methods (ThiNet, NISP) look at.
 */
struct net_sampling {
	/* the data set index of sample k */
	uint32_t (*image)(void *ctx, uint32_t k);
	/* sample k's output of layer upto-1 (shape_size of it floats) */
	void (*take)(void *ctx, uint32_t k, const float *act);
	void *ctx;
};
int net_forward_samples(const struct net *n, uint32_t upto,
			const struct dataset *data, uint32_t samples,
			const struct net_sampling *s);	/* 0 or -1 (OOM, upto 0) */

/* Top-1 accuracy in percent over a data set (-1 on OOM). */
double net_accuracy(const struct net *n, const struct dataset *ds);

/* Each kind's forward and backward (layer_*.c). */
struct layer_ops {
	/* train: keep what backward needs (batch of `count`). 0 or -1 (OOM). */
	int (*forward)(struct layer *l, const float *x, float *y,
		       uint32_t count, bool train);
	/*
	 * After a training forward: the parameter gradients (written, not
	 * added) and, when dx is not NULL, the input gradient.
	 */
	void (*backward)(struct layer *l, const float *x, const float *y,
			 const float *dy, float *dx, uint32_t count);
};

const struct layer_ops *layer_ops_of(enum layer_kind kind);
extern const struct layer_ops layer_fc_ops, layer_conv_ops, layer_pool_ops,
	layer_relu_ops, layer_flatten_ops, layer_bn_ops, layer_quant_ops;

/*
 * The levels, codes and thresholds of a quantizer from its bits, kind and
 * basis: the 2^bits sums sorted (ties by code), thresholds the midpoints.
 */
void quant_set_levels(struct actq *q);
/* The index into q->level of x's level: thresholds t with x >= t. */
uint32_t quant_level_of(const struct actq *q, float x);

/* Multiply-accumulates of one inference forward (fc and conv layers). */
uint64_t net_macs(const struct net *n);
/*
 * Activation values one inference writes to memory: the input and the
 * outputs of the fc, conv and pool layers (relu and bn run in place,
 * flatten is a view).
 */
uint64_t net_activations(const struct net *n);

/* splitmix64: the only randomness, so runs repeat with --seed */
uint64_t rng_next(uint64_t *s);
float rng_uniform(uint64_t *s);

#endif /* DCC_NET_H */
