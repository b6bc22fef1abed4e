/* SPDX-License-Identifier: MIT */
/* The output stage of a row: bias, ReLU, rounding and saturation. */
#ifndef DCACCEL_EIE_ARITH_H
#define DCACCEL_EIE_ARITH_H

#include <stdbool.h>
#include <stdint.h>

#include "eie.h"

/*
 * acc holds the row's sum at in_frac + w_frac fraction bits, bias included.
 * Shift right by `shift` rounding half up (add half an output LSB, then
 * floor), then saturate to int16.
 */
static inline int16_t eie_finish(int64_t acc, bool relu, unsigned int shift)
{
	if (relu && acc < 0)
		acc = 0;
	if (shift)
		acc = (acc + ((int64_t)1 << (shift - 1))) >> shift;
	if (acc > INT16_MAX)
		return INT16_MAX;
	if (acc < INT16_MIN)
		return INT16_MIN;
	return (int16_t)acc;
}

/* Add one run's counts to stats (when not NULL). */
static inline void eie_stats_add(struct eie_stats *stats, uint64_t nnz,
				 uint64_t entries, uint64_t padding)
{
	if (stats) {
		stats->nonzero_acts += nnz;
		stats->entries += entries;
		stats->padding += padding;
		stats->macs += entries - padding;
	}
}

#endif
