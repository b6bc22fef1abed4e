/* SPDX-License-Identifier: MIT */
/*
 * The weight-distribution picture of Deep Compression: a layer's weights
 * before pruning (grey), the kept weights after pruning (blue) and the
 * shared weights (red lines), as a PNG drawn by gnuplot.
 */
#ifndef DCC_PLOT_H
#define DCC_PLOT_H

#include <stddef.h>

#include "dcc_error.h"

int plot_weights(const char *path, const char *title, const float *before,
		 size_t nbefore, const float *after, size_t nafter,
		 const float *centroids, unsigned int ncent,
		 struct dcc_error *err);

/* Run gnuplot on a script file (no shell). 0 or -1 with err. */
int run_gnuplot(const char *script, struct dcc_error *err);

#endif /* DCC_PLOT_H */
