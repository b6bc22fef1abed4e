/* SPDX-License-Identifier: MIT */
/*
 * .dcm version-3 graphs for libaccel's tests, on the host
 * (tests/host/test_libaccel_bitplane.c) and on the device (the guest
 * test): random bit-plane layers and quantizers, chained with the random
 * sparse FC and CONV layers of tests/host/dcm_cnn_fixture.h. Every
 * layer is made for `pes` PEs: a device runs bit-plane layers only with
 * its own count, and FC and CONV layers of its count as they are, with
 * the CPU reference's padding entries. Outputs stay mostly off the int16
 * limits and the quantizers' thresholds among them, so that the lowest
 * and highest levels are met.
 */
#ifndef LIBACCEL_BITPLANE_FIXTURE_H
#define LIBACCEL_BITPLANE_FIXTURE_H

#include "../../dcm/dcm.h"

struct rng;

/*
 * A QUANT layer of Ko = bits planes read as a_kind, at in_frac: 2^Ko - 1
 * thresholds spread over [lo, hi] (non-decreasing, some equal), random
 * codes. A vector of n values (n != 0), or a c x h x w map.
 */
void bpf_quant(struct dcm_layer *l, uint8_t bits, uint8_t a_kind,
	       uint8_t in_frac, int16_t lo, int16_t hi, struct rng *r);
void bpf_quant_vec(struct dcm_layer *l, uint32_t n);
void bpf_quant_map(struct dcm_layer *l, uint32_t c, uint32_t h, uint32_t w);

/*
 * A BITPLANE layer of rows x cols, or (kind BITPLANE_CONV, its map and
 * window set before) rows filters over cols channels: random planes
 * (padding bits 0), bases, bias when asked (a_kind is the QUANT layer's
 * before it), ReLU, out_frac 4.
 */
void bpf_planes(struct dcm_layer *l, uint8_t kind, uint32_t rows,
		uint32_t cols, uint32_t pes, uint8_t kw, uint8_t ka,
		uint8_t w_kind, uint8_t a_kind, bool bias, struct rng *r);

/* The graphs: fill m (free with dcm_free()); its inputs per vector. */
enum bpf_graph {
	/* fc 20 -> 70, QUANT 2 planes, BITPLANE 70 -> 40 (signed weights),
	 * QUANT sign, BITPLANE 40 -> 10 (XNOR), fc 10 -> 5 */
	BPF_FC_CHAIN,
	/* QUANT 8 planes first over 100 inputs, BITPLANE 100 -> 16 (8 x 8
	 * unsigned planes) */
	BPF_QUANT_FIRST,
	/* conv 2x8x8 -> 4, QUANT map (2 signed planes), BITPLANE_CONV 6
	 * filters 3x3 stride 2 pad 1 -> 6x4x4, max pool -> 6x2x2, fc 24 -> 10 */
	BPF_CONV_CHAIN,
	/* conv 2x2x2 -> 64 (1x1), QUANT map, BITPLANE reading its planes
	 * pixel by pixel as 256 inputs */
	BPF_MAP_FC,
	/* conv 1x6x6 -> 70 (3x3 pad 1), QUANT map of 3 planes (two words
	 * per pixel), BITPLANE_CONV 5 filters 3x3 pad 1, QUANT of the
	 * flattened map as a vector of 180, BITPLANE 180 -> 10 (last) */
	BPF_WIDE_CHANNELS,
	BPF_GRAPHS
};

uint32_t bpf_graph(struct dcm_model *m, enum bpf_graph g, uint32_t pes,
		   uint64_t seed);
const char *bpf_graph_name(enum bpf_graph g);

#endif /* LIBACCEL_BITPLANE_FIXTURE_H */
