/* SPDX-License-Identifier: MIT */
/*
 * The energy model (hardware.rst, "Energy model"): what an op reads and
 * writes in DRAM and SRAM and the operations it does, counted from the
 * layer and its inputs, and priced by the technology table.
 */
#ifndef DCACCEL_DP_ENERGY_H
#define DCACCEL_DP_ENERGY_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_bitplane.h"
#include "dp_bitplane_conv.h"
#include "dp_conv.h"
#include "dp_pool.h"
#include "eie.h"

/* Counts, summed over ops: 32-bit words and operations. */
struct dp_energy {
	uint64_t dram_weights;	/* words of the ops' weights, once per op */
	uint64_t dram_acts;	/* words of inputs and outputs off chip */
	uint64_t sram;		/* words read and written on chip */
	uint64_t addsub;	/* one-magnitude weights: add or subtract */
	uint64_t shift_add;	/* power-of-two weights */
	uint64_t mac16;		/* EIE multiply-accumulates */
	uint64_t mul32, add32;	/* wide multiplies and adds */
	uint64_t popcount64;	/* bit-plane word pairs */
};

/* The energies, femtojoules. */
struct dp_energy_fj {
	uint64_t dram_weights, dram_acts, sram, arith, bitops;
};

/* How an op's activations travel: the input and output off chip or not. */
struct dp_energy_io {
	bool in_f32;		/* inputs are binary32 (4 bytes each) */
	bool in_on_chip;	/* the input is an earlier op's output */
	bool out_on_chip;	/* a later op reads the output */
	uint8_t out_planes;	/* Ko of quantized outputs, 0 for 16-bit */
};

/* What the codebook's non-zero values make of a multiply-accumulate. */
enum dp_weight_kind {
	DP_WEIGHTS_NONE,	/* no non-zero value */
	DP_WEIGHTS_ONE_MAGNITUDE,	/* all +-a: add or subtract */
	DP_WEIGHTS_POW2,	/* all +-2^k: shift and add */
	DP_WEIGHTS_GENERAL,
};

enum dp_weight_kind dp_codebook_kind(const int16_t *codebook, uint32_t len);

/*
 * Add the counts of a validated EIE layer run on `batch` vectors (the
 * 16-bit inputs, for their zeros: with in_f32, those dp_quant made).
 */
void dp_energy_fc(const struct eie_layer *l, uint32_t batch,
		  const int16_t *in, const struct dp_energy_io *io,
		  struct dp_energy *e);

/*
 * The same, asking poll (may be NULL) every 256 non-zero inputs: 0, or
 * -ECANCELED when it said stop (the counts then partial).
 */
int dp_energy_fc_poll(const struct eie_layer *l, uint32_t batch,
		      const int16_t *in, const struct dp_energy_io *io,
		      struct dp_energy *e, const struct eie_poll *poll);

/* Add the counts of a validated convolution on `batch` maps (CHW). */
void dp_energy_conv(const struct dp_conv *c, uint32_t batch,
		    const int16_t *in, const struct dp_energy_io *io,
		    struct dp_energy *e);

/* The same with poll, as dp_energy_fc_poll(). */
int dp_energy_conv_poll(const struct dp_conv *c, uint32_t batch,
			const int16_t *in, const struct dp_energy_io *io,
			struct dp_energy *e, const struct eie_poll *poll);

/* Add the counts of a validated pooling of `batch` maps. */
void dp_energy_pool(const struct dp_pool *p, uint32_t batch,
		    const struct dp_energy_io *io, struct dp_energy *e);

/* Add the counts of a validated bit-plane layer run on `batch` vectors. */
void dp_energy_bitplane(const struct dp_bitplane *l, uint32_t batch,
			const struct dp_energy_io *io, struct dp_energy *e);

/* Add the counts of a validated bit-plane convolution on `batch` maps. */
void dp_energy_bitplane_conv(const struct dp_bitplane_conv *c, uint32_t batch,
			     const struct dp_energy_io *io, struct dp_energy *e);

/*
 * Add the counts of a QUANT op (hardware.rst, "QUANT op") of `batch` maps
 * of channels x pixels values into `bits` planes; io's out_planes is
 * ignored (the op's outputs are always planes).
 */
void dp_energy_quant(uint32_t channels, uint32_t pixels, uint8_t bits,
		     uint32_t batch, const struct dp_energy_io *io,
		     struct dp_energy *e);

/* Price the counts. */
void dp_energy_price(const struct dp_energy *e, struct dp_energy_fj *fj);

#endif
