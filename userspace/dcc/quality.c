// SPDX-License-Identifier: MIT
/* The quality metric and the Pareto front of a sweep (quality.h). */
#include <math.h>

#include "quality.h"

double quality_metric(double rate, double drop_pp, double lambda)
{
	if (!(rate > 0))
		return -INFINITY;
	return log2(rate) - lambda * fmax(0.0, drop_pp);
}

size_t quality_best(const double *q, const double *drop, size_t n,
		    double max_drop)
{
	size_t best = n;

	for (size_t i = 0; i < n; i++)
		if (drop[i] <= max_drop && (best == n || q[i] > q[best]))
			best = i;
	return best;
}

void pareto_front(const double *rate, const double *acc, size_t n,
		  bool *on_front)
{
	for (size_t i = 0; i < n; i++) {
		on_front[i] = true;
		for (size_t j = 0; j < n && on_front[i]; j++)
			if (rate[j] >= rate[i] && acc[j] >= acc[i] &&
			    (rate[j] > rate[i] || acc[j] > acc[i]))
				on_front[i] = false;
	}
}
