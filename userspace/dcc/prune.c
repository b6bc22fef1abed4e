// SPDX-License-Identifier: MIT
/* Magnitude pruning with a per-layer threshold (Han et al., NeurIPS 2015). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"

double layer_density(const struct fc *l)
{
	size_t nw = (size_t)l->in * l->out, kept = 0;

	for (size_t i = 0; i < nw; i++)
		kept += l->w[i] != 0.0f && (!l->mask || l->mask[i]);
	return (double)kept / nw;
}

double prune_layer(struct fc *l, double quality)
{
	size_t nw = (size_t)l->in * l->out, kept = 0;
	double sum = 0, sq = 0, sd, thr;

	if (!l->mask) {
		l->mask = malloc(nw);
		if (!l->mask)
			return -1;
		memset(l->mask, 1, nw);
	}
	/* the std of the surviving weights: iterating prunes further */
	for (size_t i = 0; i < nw; i++) {
		if (!l->mask[i])
			continue;
		sum += l->w[i];
		sq += (double)l->w[i] * l->w[i];
		kept++;
	}
	if (!kept)
		return 0;
	sd = sqrt(fmax(sq / kept - (sum / kept) * (sum / kept), 0));
	thr = quality * sd;
	kept = 0;
	for (size_t i = 0; i < nw; i++) {
		if (fabs(l->w[i]) < thr)
			l->mask[i] = 0;
		if (!l->mask[i]) {
			l->w[i] = 0;
			l->mw[i] = l->vw[i] = 0;
		}
		kept += l->mask[i];
	}
	return (double)kept / nw;
}
