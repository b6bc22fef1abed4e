/* SPDX-License-Identifier: MIT */
/*
 * The compression passes over a network (Documentation/accel/dcaccel/
 * dcc-passes.rst has their formulas): magnitude pruning (prune.c) and
 * k-means weight sharing (kmeans.c), each on every fc and conv layer, one
 * value per weight layer in order (the last for the rest).
 */
#ifndef DCC_COMPRESS_H
#define DCC_COMPRESS_H

#include "net.h"
#include "train.h"
#include "weights.h"

/*
 * Prune: drop every weight with |w| < quality x stddev(kept weights of
 * the layer), and keep the mask for retraining (weights already pruned
 * stay pruned). Returns the density (kept / all), -1 on OOM.
 */
double prune_weights(struct weights *wt, double quality);
/* Every weight layer i at quality[i] x scale. 0 or -1 with err. */
int pass_prune(struct net *n, const double *quality, uint32_t nquality,
	       double scale, struct dcc_error *err);

/*
 * 1-D k-means over values[0..n-1] with k clusters, centroids linearly
 * initialised over [min, max] (the paper's best choice). Writes centroids
 * (k) and assign (n, 0..k-1). Returns the iterations run.
 */
unsigned int kmeans_1d(const float *values, size_t n, unsigned int k,
		       unsigned int max_iter, float *centroids,
		       uint8_t *assign);

/*
 * Weight sharing with `bits`-bit indices: index 0 is the zero weight, the
 * kept weights are clustered into 2^bits - 1 centroids, and every weight
 * becomes its centroid. Returns 0 or -1 (bits out of 1..8, OOM).
 */
int quantize_weights(struct weights *wt, unsigned int bits);
/* Every weight layer i with bits[i]. 0 or -1 with err. */
int pass_quantize(struct net *n, const unsigned int *bits, uint32_t nbits,
		  struct dcc_error *err);

#endif /* DCC_COMPRESS_H */
