/* SPDX-License-Identifier: MIT */
/*
 * Quantized outputs (hardware.rst, "Quantized outputs"): an op's 16-bit
 * outputs, after its output stage, mapped by thresholds to levels and by
 * a code table to Ko bits each, written as the next bit-plane layer's
 * input planes.
 */
#ifndef DCACCEL_DP_OUTQ_H
#define DCACCEL_DP_OUTQ_H

#include <stdint.h>

#include "eie.h"

struct dp_outq {
	uint8_t bits;			/* Ko, 1 .. DCACCEL_BITPLANE_PLANES_MAX */
	const int16_t *thr;		/* 2^Ko - 1, non-decreasing */
	const uint8_t *codes;		/* 2^Ko, each below 2^Ko */
};

/* Check Ko, the thresholds' order and the codes: 0 or -EINVAL. */
int dp_outq_validate(const struct dp_outq *q, struct eie_error *err);

/* The code of one output y: codes[number of thresholds t with y >= t]. */
uint8_t dp_outq_code(const struct dp_outq *q, int16_t y);

/*
 * Quantize `batch` vectors of m outputs each into Ko planes of
 * ceil(m / 64) words per vector (plane v at v L), padding bits 0.
 */
void dp_outq_pack_fc(const struct dp_outq *q, uint32_t m, uint32_t batch,
		     const int16_t *y, uint64_t *planes);

/*
 * Quantize `batch` maps of channels x pixels outputs (CHW) into Ko planes
 * each, pixel by pixel (hardware.rst, "QUANT op"): plane v of map b at
 * word ((b Ko + v) pixels + x) Lc, Lc = ceil(channels / 64), channel c in
 * bit c % 64 of word c / 64, padding bits 0. pixels 1 is
 * dp_outq_pack_fc().
 */
void dp_outq_pack_map(const struct dp_outq *q, uint32_t channels,
		      uint32_t pixels, uint32_t batch, const int16_t *y,
		      uint64_t *planes);

#endif
