// SPDX-License-Identifier: MIT
/* Magnitude pruning with a per-layer threshold (Han et al., NeurIPS 2015). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "compress.h"

double prune_weights(struct weights *wt, double quality)
{
	size_t nw = wt->w.n, kept = 0;
	double sum = 0, sq = 0, sd, thr;

	if (!wt->mask) {
		wt->mask = malloc(nw ? nw : 1);
		if (!wt->mask)
			return -1;
		memset(wt->mask, 1, nw);
	}
	/* the std of the surviving weights: iterating prunes further */
	for (size_t i = 0; i < nw; i++) {
		if (!wt->mask[i])
			continue;
		sum += wt->w.v[i];
		sq += (double)wt->w.v[i] * wt->w.v[i];
		kept++;
	}
	if (!kept)
		return 0;
	sd = sqrt(fmax(sq / kept - (sum / kept) * (sum / kept), 0));
	thr = quality * sd;
	kept = 0;
	for (size_t i = 0; i < nw; i++) {
		if (fabs(wt->w.v[i]) < thr)
			wt->mask[i] = 0;
		if (!wt->mask[i])
			wt->w.v[i] = 0;
		kept += wt->mask[i];
	}
	return (double)kept / nw;
}

int pass_prune(struct net *n, const double *quality, uint32_t nquality,
	       double scale, struct dcc_error *err)
{
	for (uint32_t i = 0, k = 0; i < n->count; i++) {
		double q;

		if (!layer_has_weights(&n->l[i]))
			continue;
		if (n->l[i].wt.planes)
			return dcc_fail(err, "%s: its weights are bit planes (a bit-plane method made them): nothing to %s; encode them as they are",
					n->l[i].name, "prune");
		q = quality[k < nquality ? k : nquality - 1];
		k++;
		if (prune_weights(&n->l[i].wt, q * scale) < 0)
			return dcc_fail(err, "out of memory");
	}
	return 0;
}
