/* SPDX-License-Identifier: MIT */
/*
 * Which compressed network is best: one number that trades the accuracy
 * lost against the size gained (Documentation/accel/dcaccel/
 * dcc-structured.rst, "The quality metric"), and the Pareto front of
 * accuracy over compression that no single weighting can argue with.
 */
#ifndef DCC_QUALITY_H
#define DCC_QUALITY_H

#include <stdbool.h>
#include <stddef.h>

#define QUALITY_LAMBDA_DEFAULT	1.0

/*
 * Q = log2(rate) - lambda * max(0, drop): rate the size reduction factor
 * against the dense fp32 network, drop the accuracy lost in points. A
 * doubling of the rate is worth 1/lambda points; a gain in accuracy earns
 * nothing (on 10,000 test images it is noise of a tenth of a point).
 */
double quality_metric(double rate, double drop_pp, double lambda);

/*
 * The metric ranks, the budget admits: the index of the highest q[] among
 * the points that lose at most max_drop points (the first of equals), or
 * n when none does. Without a budget a lenient lambda picks a point far
 * smaller and a few points worse, which no user asking "within half a
 * point" wants.
 */
#define QUALITY_MAX_DROP_DEFAULT	0.5
size_t quality_best(const double *q, const double *drop, size_t n,
		    double max_drop);

/*
 * on_front[i]: no other point is at least as small and as accurate and
 * better in one (rate[] higher is smaller; acc[] higher is better).
 */
void pareto_front(const double *rate, const double *acc, size_t n,
		  bool *on_front);

#endif /* DCC_QUALITY_H */
