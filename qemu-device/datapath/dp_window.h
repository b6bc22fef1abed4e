/* SPDX-License-Identifier: MIT */
/*
 * The geometry that convolution and pooling share: a kernel_h x kernel_w
 * window sliding over an in_h x in_w map with a stride and zero padding
 * (hardware.rst, "Feature maps and windows").
 */
#ifndef DCACCEL_DP_WINDOW_H
#define DCACCEL_DP_WINDOW_H

#include <stdint.h>

#include "eie.h"

struct dp_window {
	uint32_t in_h, in_w;	/* 1 .. DCACCEL_MAP_DIM_MAX */
	uint8_t kernel_h, kernel_w;	/* 1 .. DCACCEL_KERNEL_MAX */
	uint8_t stride_h, stride_w;	/* 1 .. DCACCEL_STRIDE_MAX */
	uint8_t pad_h, pad_w;	/* 0 .. kernel - 1 */
};

/* Check the ranges above and that the window fits the padded map. */
int dp_window_validate(const struct dp_window *w, struct eie_error *err);

/* Output rows and columns of a valid window. */
uint32_t dp_window_out_h(const struct dp_window *w);
uint32_t dp_window_out_w(const struct dp_window *w);

/*
 * The outputs along one axis that read input i: o in [*lo, *hi) with
 * kernel tap t = i + pad - o * stride in [0, kernel). Empty when *lo >=
 * *hi (an input no window covers).
 */
void dp_window_taps(uint32_t i, uint32_t kernel, uint32_t stride,
		    uint32_t pad, uint32_t out, uint32_t *lo, uint32_t *hi);

#endif
