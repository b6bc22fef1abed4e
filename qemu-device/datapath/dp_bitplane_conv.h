/* SPDX-License-Identifier: MIT */
/*
 * The bit-plane convolution (hardware.rst, "Bit-plane convolution"): the
 * bit-plane layer's planes, bases and output stage over the window of a
 * convolution, the planes laid out pixel by pixel (a pixel's C channel
 * bits contiguous); taps outside the map contribute nothing.
 */
#ifndef DCACCEL_DP_BITPLANE_CONV_H
#define DCACCEL_DP_BITPLANE_CONV_H

#include <stddef.h>

#include "dp_bitplane.h"
#include "dp_window.h"

struct dp_bitplane_conv {
	/*
	 * rows = K filters, cols = C channels, and the planes, kinds,
	 * bases, fraction bits, ReLU and bias (one per filter) of the
	 * layer; wplanes at ((u K + k) R S + r S + s) Lc + t.
	 */
	struct dp_bitplane l;
	struct dp_window win;
};

/* The layer's checks, then the window's: 0 or -EINVAL. */
int dp_bitplane_conv_validate(const struct dp_bitplane_conv *c,
			      struct eie_error *err);

/* Bytes of workspace dp_bitplane_conv_run() needs (8-byte aligned). */
size_t dp_bitplane_conv_ws_size(const struct dp_bitplane_conv *c);

/*
 * Run `batch` maps, each Ka planes of H W Lc words (plane v at
 * v H W Lc), into K x OH x OW outputs per map (CHW). ws is
 * dp_bitplane_conv_ws_size() bytes, 8-byte aligned. Statistics as
 * hardware.rst says; poll (may be NULL) is asked before each map.
 */
int dp_bitplane_conv_run(const struct dp_bitplane_conv *c, uint32_t batch,
			 const uint64_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll);

/* (output pixel, tap) pairs whose input pixel is inside the map: V. */
uint64_t dp_bitplane_conv_pairs(const struct dp_window *w);

/* The cycle model of `batch` maps, added to cycles and pe_busy[pes]. */
void dp_bitplane_conv_model_cycles(const struct dp_bitplane_conv *c,
				   uint32_t batch, struct eie_cycles *cycles,
				   uint64_t *pe_busy);

#endif
