/* SPDX-License-Identifier: MIT */
/*
 * Max and average pooling (hardware.rst, "Pooling"): each channel of a
 * CHW map on its own, channel c on PE c % P. No weights, no zero
 * skipping; the outputs keep the inputs' fraction bits.
 */
#ifndef DCACCEL_DP_POOL_H
#define DCACCEL_DP_POOL_H

#include "dp_window.h"
#include "eie.h"

struct dp_pool {
	uint32_t channels;	/* 1 .. DCACCEL_EIE_DIM_MAX */
	struct dp_window win;
	uint8_t mode;		/* DCACCEL_POOL_MAX or DCACCEL_POOL_AVG */
};

/* Check the channels, the window and the mode: 0 or -EINVAL. */
int dp_pool_validate(const struct dp_pool *p, struct eie_error *err);

/*
 * Pool `batch` validated maps of channels x in_h x in_w into channels x
 * out_h x out_w each. poll (may be NULL) is asked before each map and
 * each channel: 0, or -ECANCELED with out partial.
 */
int dp_pool_run(const struct dp_pool *p, uint32_t batch, const int16_t *in,
		int16_t *out, const struct eie_poll *poll);

/*
 * The cycle model of pooling `batch` maps on `pes` PEs, added to cycles
 * and (when not NULL) pe_busy[pes]: PE q reads one window element per
 * cycle for each output of its channels.
 */
void dp_pool_model_cycles(const struct dp_pool *p, uint32_t pes,
			  uint32_t batch, struct eie_cycles *cycles,
			  uint64_t *pe_busy);

#endif
