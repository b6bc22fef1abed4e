/* SPDX-License-Identifier: MIT */
/*
 * The bit-plane FC layer (hardware.rst, "Bit-plane layers"): weights and
 * activations as planes of bits, SIGNED (+1/-1) or UNSIGNED (1/0), whose
 * pairs' dot products are popcounts of XNOR or AND, weighted by the
 * planes' bases; then the EIE layer's output stage.
 */
#ifndef DCACCEL_DP_BITPLANE_H
#define DCACCEL_DP_BITPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "eie.h"

struct dp_bitplane {
	uint32_t rows;		/* m, 1 .. DCACCEL_BITPLANE_DIM_MAX */
	uint32_t cols;		/* n, 1 .. DCACCEL_BITPLANE_DIM_MAX */
	uint32_t pes;		/* P, 1 .. DCACCEL_EIE_PES_MAX */
	uint8_t w_planes;	/* Kw, 1 .. DCACCEL_BITPLANE_PLANES_MAX */
	uint8_t a_planes;	/* Ka, likewise */
	uint8_t w_kind;		/* DCACCEL_PLANE_SIGNED or _UNSIGNED */
	uint8_t a_kind;
	uint8_t bw_frac;	/* fraction bits of w_basis, 0 .. 15 */
	uint8_t ba_frac;	/* of a_basis, 0 .. 15 */
	uint8_t out_frac;	/* 0 .. bw_frac + ba_frac, at most 15 */
	bool relu;
	/* plane u, row i, word t at (u rows + i) L + t; L = PLANE_WORDS(n) */
	const uint64_t *wplanes;
	const int16_t *w_basis;	/* bw[i][u] at i Kw + u */
	const int16_t *a_basis;	/* ba[v], Ka of them */
	const int32_t *bias;	/* rows, at bw_frac + ba_frac; NULL: 0 */
};

/* Check every field: 0, or -EINVAL with err->msg saying what is wrong. */
int dp_bitplane_validate(const struct dp_bitplane *l, struct eie_error *err);

/*
 * Run a validated layer on `batch` input vectors, each Ka planes of
 * L words (plane v at v L), into batch x rows outputs. The padding bits
 * of the inputs' and the weights' last words are ignored. Adds to stats
 * (may be NULL): nonzero_acts n per vector, entries the word pairs,
 * macs the bit products. poll (may be NULL) is asked before each vector:
 * 0, or -ECANCELED with out partial.
 */
int dp_bitplane_run(const struct dp_bitplane *l, uint32_t batch,
		    const uint64_t *in, int16_t *out, struct eie_stats *stats,
		    const struct eie_poll *poll);

/*
 * The cycle model of `batch` vectors, added to cycles and (when not NULL)
 * pe_busy[pes]: the Ka L activation words broadcast, then each PE's rows,
 * one 64-bit word pair per cycle.
 */
void dp_bitplane_model_cycles(const struct dp_bitplane *l, uint32_t batch,
			      struct eie_cycles *cycles, uint64_t *pe_busy);

/*
 * What both forms' models add per input: `broadcast` cycles, then PE p
 * busy rows(p) x per_row, the layer taking PE 0's (it has the most rows).
 */
void dp_bitplane_add_cycles(uint32_t rows, uint32_t pes, uint64_t per_row,
			    uint64_t broadcast, uint32_t batch,
			    struct eie_cycles *cycles, uint64_t *pe_busy);

#endif
