/* SPDX-License-Identifier: MIT */
/*
 * What the bit-plane FC layer and convolution share: the popcounts of a
 * plane pair over some words with the padding bits masked, and the dot
 * product they give by the planes' kinds (hardware.rst, "Bit-plane
 * layers").
 */
#ifndef DCACCEL_DP_PLANES_H
#define DCACCEL_DP_PLANES_H

#include <stdint.h>

#include "dcaccel/dcaccel_bitplane.h"

struct dp_pair_counts {
	uint64_t both;		/* popcount(w AND a) */
	uint64_t agree;		/* popcount(XNOR(w, a)) */
	uint64_t ones_w, ones_a;
	uint64_t bits;		/* n: the valid bits counted */
};

/* Add the n valid bits of w and a (ceil(n / 64) words each). */
static inline void dp_pair_count(struct dp_pair_counts *pc, const uint64_t *w,
				 const uint64_t *a, uint32_t n)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(n);
	const uint32_t tail = n % DCACCEL_PLANE_WORD_BITS;

	for (uint32_t t = 0; t < words; t++) {
		uint64_t mask = t + 1 == words && tail ?
				((uint64_t)1 << tail) - 1 : UINT64_MAX;
		uint64_t wt = w[t] & mask, at = a[t] & mask;

		pc->both += __builtin_popcountll(wt & at);
		pc->agree += __builtin_popcountll(~(wt ^ at) & mask);
		pc->ones_w += __builtin_popcountll(wt);
		pc->ones_a += __builtin_popcountll(at);
	}
	pc->bits += n;
}

/* The pair's dot product, each bit read by its plane's kind. */
static inline int64_t dp_pair_dot(const struct dp_pair_counts *pc,
				  uint8_t w_kind, uint8_t a_kind)
{
	if (w_kind == DCACCEL_PLANE_SIGNED && a_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->agree - (int64_t)pc->bits;
	if (w_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->both - (int64_t)pc->ones_a;
	if (a_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->both - (int64_t)pc->ones_w;
	return (int64_t)pc->both;
}

#endif
