/* SPDX-License-Identifier: MIT */
/*
 * The steps of the data-driven structured pruning methods, ThiNet
 * (sp_thinet.c) and NISP (sp_nisp.c), apart so that the tests can hold
 * each one to a hand-computed answer. Matrices of samples are stored a
 * channel (or feature) at a time: x[c * samples + s].
 */
#ifndef DCC_SP_DATADRIVEN_H
#define DCC_SP_DATADRIVEN_H

#include "structure.h"

/* ThiNet (sp_thinet.c, Documentation/accel/dcaccel/dcc-sp-thinet.rst) */

/* One sampled output of the next weight layer: an image and a unit of it. */
struct thinet_point {
	uint32_t image;		/* index in the data set */
	uint32_t unit;		/* output channel (conv) or neuron (fc) */
	uint32_t y, x;		/* the output position (conv; fc: 0, 0) */
};

/* `samples` random points of weight layer j's outputs over `images` images. */
void thinet_draw(const struct net *n, uint32_t j, uint32_t images,
		 uint32_t samples, uint64_t *seed, struct thinet_point *pts);

/*
 * x_hat of every channel of prunable layer i at each point of layer j =
 * next_weight_layer(i): what input channel c adds to that output,
 * without the bias, into x (channels x samples). 0 or -1 (OOM).
 */
int thinet_contributions(const struct net *n, uint32_t i,
			 const struct dataset *data,
			 const struct thinet_point *pts, uint32_t samples,
			 double *x);

/*
 * The paper's greedy: remove channels one at a time, each time the one
 * that keeps sum_s (sum_{t removed} x[t][s])^2 smallest (ties: the
 * lower index), until `keep` stay. keep[c] = 1 for the kept channels;
 * order (channels - keep entries, may be NULL) the removed ones in the
 * order they went. 0 or -1 (OOM).
 */
int thinet_greedy(const double *x, uint32_t samples, uint32_t channels,
		  uint32_t keep, uint8_t *kept, uint32_t *order);

/*
 * The kept channels' scales w minimizing sum_s (y_s - sum_{c kept} w_c
 * x[c][s])^2, y_s = sum over every channel of x[c][s], with a tiny ridge
 * toward w = 1 (the weights as they are); w of a removed channel is 0.
 * 0, or -1 when out of memory or the system cannot be solved.
 */
int thinet_scales(const double *x, uint32_t samples, uint32_t channels,
		  const uint8_t *kept, double *w);

/*
 * Solve A z = b for a symmetric positive definite n x n A (row-major; its
 * lower triangle is read and overwritten by the Cholesky factor); b
 * becomes z. -1 when A is not positive definite (or not finite).
 */
int sp_spd_solve(double *a, uint32_t n, double *b);

/* NISP (sp_nisp.c, Documentation/accel/dcaccel/dcc-sp-nisp.rst) */

#define NISP_ALPHA	0.5	/* Inf-FS: weight of the spread against the correlation */
#define NISP_FRL_MAX	2048	/* units of the final response layer Inf-FS ranks */

/*
 * Inf-FS (Roffo et al.) over `features` features seen in `samples`
 * samples (f: features x samples): score[i] = sum_j S_ij, S = (I - r
 * A)^-1 - I. 0, or -1 when out of memory, when fewer than 2 samples,
 * or when nothing varies (A = 0).
 */
int nisp_inffs(const double *f, uint32_t samples, uint32_t features,
	       double alpha, double *score);

/*
 * One layer's step of the propagation: the scores of its inputs
 * (shape_size(l->in)) from those of its outputs (shape_size(l->out)).
 */
void nisp_backprop(const struct layer *l, const double *s_out, double *s_in);

/*
 * The channel scores of every prunable layer (chan[i]: l[i].out.c
 * values, given by the caller; NULL for the others) from the scores of
 * the final response layer (the input of the last weight layer).
 * 0 or -1 (OOM).
 */
int nisp_channel_scores(const struct net *n, const double *frl,
			double *chan[NET_LAYERS_MAX]);

/* The last weight layer's index (the final response layer is its input). */
uint32_t nisp_last_weight_layer(const struct net *n);

#endif /* DCC_SP_DATADRIVEN_H */
