/* SPDX-License-Identifier: MIT */
/* Training under compression: masks held, shared weights kept shared. */
#ifndef DCC_WEIGHTS_H
#define DCC_WEIGHTS_H

#include "net.h"

/* Turn w.g into the gradient of what is trained (weights or centroids). */
void weights_grad(struct weights *wt, float weight_decay);
/* After a step: shared weights take their centroids' values again. */
void weights_sync(struct weights *wt);
/* The parameter the optimizer trains: the weights, or the centroids. */
struct param *weights_trained(struct weights *wt);
/* Bit-plane weights: the value of code c in row r under the row's basis. */
float weights_plane_value(const struct weights *wt, uint32_t r, uint32_t c);
/* Bit-plane weights: every weight the value of its code. */
void weights_planes_sync(struct weights *wt);
/* Kept (non-zero, unmasked) weights over all. */
double weights_density(const struct weights *wt);

#endif /* DCC_WEIGHTS_H */
