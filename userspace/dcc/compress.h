/* SPDX-License-Identifier: MIT */
/* The compression stages on an fp32 MLP: pruning and weight sharing. */
#ifndef DCC_COMPRESS_H
#define DCC_COMPRESS_H

#include "mlp.h"

/*
 * Prune layer l: drop every weight with |w| < quality x stddev(w of the
 * layer, as it is now), and keep the mask for retraining (weights already
 * pruned stay pruned). Returns the density (kept / all).
 */
double prune_layer(struct fc *l, double quality);
double layer_density(const struct fc *l);

/*
 * 1-D k-means over values[0..n-1] with k clusters, centroids linearly
 * initialised over [min, max] (the paper's best choice). Writes centroids
 * (k) and assign (n, 0..k-1). Returns the iterations run.
 */
unsigned int kmeans_1d(const float *values, size_t n, unsigned int k,
		       unsigned int max_iter, float *centroids,
		       uint8_t *assign);

/*
 * Weight sharing for layer l with `bits`-bit indices: index 0 is the zero
 * weight, the kept weights are clustered into 2^bits - 1 centroids, and
 * every weight becomes its centroid. Returns 0 or -1 (bits out of 1..8).
 */
int quantize_layer(struct fc *l, unsigned int bits);

#endif /* DCC_COMPRESS_H */
