/* SPDX-License-Identifier: MIT */
/*
 * Low-bit weights trained from the dense model (Documentation/accel/
 * dcaccel/dcc-lowbit.rst): each method in a file of its own (lb_*.c)
 * projects latent fp32 weights onto its few values after every step, the
 * straight-through estimator trains the latent weights, and the result is
 * a codebook the device's FC and CONV ops run as they are.
 */
#ifndef DCC_LOWBIT_H
#define DCC_LOWBIT_H

#include "net.h"
#include "train.h"

enum lowbit_method {
	LOWBIT_NONE, LOWBIT_HQ, LOWBIT_SBNN,
	/* bit-plane methods (lowbit_planes.c): activations quantized too */
	LOWBIT_BWN, LOWBIT_XNOR, LOWBIT_QNN, LOWBIT_LQ,
	/* each fc layer rebuilt as two: a small basis, sparse powers of two */
	LOWBIT_SMARTDEAL,
};
#define LOWBIT_LAST	LOWBIT_SMARTDEAL
#define LOWBIT_NAMES	"hq (ternary, hyperspherical), sbnn (sparse binary), " \
			"bwn (binary weights), xnor (XNOR-Net), qnn (k-bit), lq (LQ-Nets) " \
			"or smartdeal (SmartDeal)"

struct lowbit_opts {
	enum lowbit_method method;
	double keep[NET_LAYERS_MAX / 2];	/* non-zero weights, per layer */
	uint32_t nkeep;
	uint32_t steps;		/* steps of the sparsity schedule */
	uint32_t epochs;	/* training epochs after each step */
	uint32_t final_epochs;	/* after the last step */
	float lr;
	float reg;		/* hq: weight of the cosine-distance term */
	/*
	 * Bit-plane methods: each weight layer's weight planes and the planes
	 * of the activations it reads (the last value for the rest); 0 for
	 * the method's defaults (lowbit_planes.c).
	 */
	uint32_t wbits[NET_LAYERS_MAX / 2], nwbits;
	uint32_t abits[NET_LAYERS_MAX / 2], nabits;
	/* smartdeal: inputs per block of its basis, and C's index bits */
	uint32_t sd_block, sd_bits;
};

/* The bit-plane methods (lowbit_planes.c), by name. */
static inline bool lowbit_is_planes(enum lowbit_method m)
{
	return m == LOWBIT_BWN || m == LOWBIT_XNOR || m == LOWBIT_QNN ||
	       m == LOWBIT_LQ;
}

void lowbit_opts_default(struct lowbit_opts *o);
/* LOWBIT_NONE for a name that is none of them. */
enum lowbit_method lowbit_method_parse(const char *name);
const char *lowbit_method_name(enum lowbit_method m);

/*
 * Train every weight layer of n to the method's values, in place. On
 * return each has widx and cb (the values, cb.v[0] == 0) and bits, as
 * weight sharing leaves them, and no latent weights. 0 or -1 with err.
 */
int lowbit_train(struct net *n, const struct lowbit_opts *lo,
		 const struct train_opts *t, const struct dataset *train,
		 struct dcc_error *err);

/* What the methods share (lowbit.c). */

/* Weight layer i's target (the last for the rest). */
double lowbit_keep(const struct lowbit_opts *lo, uint32_t weight_layer);
/*
 * Latent weights (a copy of w) and empty indices on every weight layer,
 * with the method's hooks; the caller projects first. 0 or -1 (OOM).
 */
int lowbit_attach(struct net *n, void (*project)(struct weights *wt),
		  void (*regularize)(struct weights *wt), float reg);
/* The same for one weight layer. 0 or -1 (OOM). */
int lowbit_attach_layer(struct weights *wt, void (*project)(struct weights *wt),
			void (*regularize)(struct weights *wt), float reg);
/* The last projection stays; the latent weights and hooks go. */
void lowbit_detach(struct net *n);
/* Project every weight layer again (after a change of keep or mask). */
void lowbit_project_all(struct net *n);
/*
 * The k-th largest of v[0..n-1] (k from 1), by selection in scratch (n
 * floats): the threshold that keeps k values.
 */
float lowbit_kth_largest(const float *v, size_t n, size_t k, float *scratch);
/* How many of n values a fraction keep keeps: ceil(keep n), at least 1. */
size_t lowbit_count(double keep, size_t n);
/*
 * chosen[i] = 1 for exactly k of v[0..n-1] (k <= n), the largest, ties
 * going to the lower index; 0 for the others. scratch holds n floats.
 * 0, or -1 when k > n.
 */
int lowbit_top_k(const float *v, size_t n, size_t k, float *scratch,
		 uint8_t *chosen);
/*
 * The sparsity schedule (Zhu and Gupta's cubic): at step s of steps the
 * kept fraction goes from `from` to `to` as to + (from - to) (1 - s/steps)^3.
 */
double lowbit_schedule(double from, double to, uint32_t s, uint32_t steps);
/*
 * What a weight layer's outputs (before its relu) look like over the
 * first images of a set: each channel's mean, and the variance of a
 * channel about its mean, averaged over the channels. SBNN takes them
 * over LOWBIT_CALIB_IMAGES.
 */
#define LOWBIT_CALIB_IMAGES	1000
struct lowbit_stats {
	float *mean[NET_LAYERS_MAX];	/* out.c values; NULL: no weights */
	double var[NET_LAYERS_MAX];
};
/* s filled (allocated) over the first `count` images of ds; 0 or -1 (OOM). */
int lowbit_layer_stats(const struct net *n, const struct dataset *ds,
		       uint32_t count, struct lowbit_stats *s);
/*
 * Layer by layer from the input, each weight layer's outputs brought back
 * to `target`'s over the first `count` images: its weights (latent,
 * values and codebook) scaled so that its outputs' variance is the
 * target's, then its biases moved so that each channel's mean is. The
 * roles batch normalization's variance and mean play in the papers'
 * networks. Each layer's statistics are of its outputs on the inputs the
 * layers before it give once moved: one forward through the network,
 * and one more of each weight layer. 0 or -1 (OOM).
 */
int lowbit_standardize(struct net *n, const struct dataset *ds, uint32_t count,
		       const struct lowbit_stats *target);
void lowbit_stats_free(struct lowbit_stats *s);

/* One training run of `epochs` at the method's rate; 0 or -1 with err. */
int lowbit_run(struct net *n, const struct lowbit_opts *lo,
	       const struct train_opts *t, uint32_t epochs, const char *stage,
	       const struct dataset *train, struct dcc_error *err);

/* The methods (lb_hq.c, lb_sbnn.c, lb_smartdeal.c). */
int lowbit_hq(struct net *n, const struct lowbit_opts *lo,
	      const struct train_opts *t, const struct dataset *train,
	      struct dcc_error *err);
int lowbit_sbnn(struct net *n, const struct lowbit_opts *lo,
		const struct train_opts *t, const struct dataset *train,
		struct dcc_error *err);
int lowbit_smartdeal(struct net *n, const struct lowbit_opts *lo,
		     const struct train_opts *t, const struct dataset *train,
		     struct dcc_error *err);

/*
 * The bit-plane methods (lowbit_planes.c and lb_bwn_xnor.c, lb_qnn.c,
 * lb_lqnet.c): a quantizer inserted before every weight layer, weights
 * as planes with a basis per row, both trained from the dense model.
 */
struct planes_method {
	enum lowbit_method id;
	uint8_t wbits, abits;	/* the low-bit layers' planes */
	/*
	 * The most planes its own projection and quantizer fit take (BWN's
	 * scale is one plane's, XNOR-Net's sign one bit's); wider layers get
	 * the uniform ones.
	 */
	uint8_t own_wbits, own_abits;
	bool sign_acts;		/* 1-bit activations are signs (the ReLU goes) */
	/* a weight layer's projection at the method's wbits */
	void (*project)(struct weights *wt);
	/* the quantizer's basis on calibration inputs, and its update */
	void (*calibrate)(struct actq *q, const float *x, size_t n);
	void (*update)(struct actq *q, const float *x, size_t n);
};
#define LOWBIT_PLANES_EPOCHS	15	/* their --lowbit-final when not given */
extern const struct planes_method lowbit_bwn_method, lowbit_xnor_method,
	lowbit_qnn_method, lowbit_lq_method;

int lowbit_planes(struct net *n, const struct planes_method *m,
		  const struct lowbit_opts *lo, const struct train_opts *t,
		  const struct dataset *train, struct dcc_error *err);

/* What they share. */
/*
 * Each weight's code: its nearest level under its row's basis, and its
 * value, into widx and w.
 */
void lowbit_planes_assign(struct weights *wt);
/*
 * Uniform levels: the basis s 2^j of k planes whose levels best fit
 * x[0..n-1] in squared error, s over a grid up to the levels reaching
 * max |x| (for +1/-1 planes, odd multiples of s; 1/0 planes, 0 .. 2^k-1).
 */
void lowbit_uniform_fit(const float *x, size_t n, uint32_t k, bool is_signed,
			float *basis);
/* The uniform projection with fixed bases (QNN; every method's 8-bit layers). */
void lowbit_uniform_project(struct weights *wt);
/*
 * The least-squares basis for codes c of values x (one QEM step of
 * LQ-Nets): 0, or -1 when the codes leave it singular (basis kept).
 */
int lowbit_ls_basis(const float *x, const uint8_t *codes, size_t n,
		    uint32_t k, bool is_signed, float *basis);

/* Their parts, for the tests. */
/* W, widx, cb = {0, +a, -a}: a = mean |u| of the kept non-zero weights. */
void lowbit_hq_project(struct weights *wt);
/* Adds reg x the gradient of sum over rows of 1 - cos(u_r, sign(u_r) m_r). */
void lowbit_hq_regularize(struct weights *wt);
/* Mask the largest `keep` of all weights by |u| (pruned stay). 0 or -1. */
int lowbit_hq_prune(struct weights *wt, double keep);
/* W, widx, cb = {0, +a}: the wt->keep largest u are a, their mean. */
void lowbit_sbnn_project(struct weights *wt);

/*
 * SmartDeal (lb_smartdeal.c). Its limits: a block of r inputs has r * r
 * basis values, which with the zero fit the device's 8 index bits up to
 * r = 15; a power of two is exact in an int16 codebook from 2^-15 (the
 * finest fraction bits) to 2^14, whatever the layer's fraction bits, as
 * long as the window spans at most 15 exponents: 5 index bits.
 */
#define LOWBIT_SD_BLOCK_MIN	2
#define LOWBIT_SD_BLOCK_MAX	15
#define LOWBIT_SD_BITS_MIN	2
#define LOWBIT_SD_BITS_MAX	5
/* The largest block of 2 to want inputs that divides cols; 0 if none. */
uint32_t lowbit_sd_block(uint32_t cols, uint32_t want);
/*
 * The basis of a rows x cols matrix w in blocks of r inputs: the r x r
 * basis (row p the p-th principal direction of the rows' blocks, by
 * falling variance) and c, rows x cols, such that each block of w is its
 * block of c times the basis. 0, or -1 when r is not 1 to 15 or does not
 * divide cols.
 */
int lowbit_sd_basis(const float *w, uint32_t rows, uint32_t cols, uint32_t r,
		    float *basis, float *c);
/*
 * Every fc layer of n as a block-diagonal fc (the basis, shared weights
 * of its r * r values, masked off the blocks, no bias) and the fc of the
 * coefficients (the layer's bias and ReLU), r = lowbit_sd_block(its
 * inputs, block): the network computes what it did. 0 or -1 with err (a
 * layer no block divides, a conv, bn or quant layer).
 */
int lowbit_sd_decompose(struct net *n, uint32_t block, struct dcc_error *err);
/* C while pruning: per row the ceil(keep cols) largest |u| as they are. */
void lowbit_sd_prune(struct weights *wt);
/*
 * C's projection: per row the ceil(keep cols) largest |u| kept, each
 * the nearest power of two in log domain, its sign kept, within the
 * window of exponents wt->bits index bits hold below the nearest to the
 * layer's largest |u|: W, widx, cb = {0, +2^e, -2^e, ...}.
 */
void lowbit_sd_project(struct weights *wt);

#endif /* DCC_LOWBIT_H */
