/* SPDX-License-Identifier: MIT */
/*
 * The activation-queue sweep of the EIE paper's Figure 8: the cycle
 * model's load-balance efficiency (PE busy cycles over P x cycles) of
 * one FC layer at each queue depth, over a batch of random input vectors
 * of a given density.
 */
#ifndef DCACCEL_BENCH_QUEUE_SWEEP_H
#define DCACCEL_BENCH_QUEUE_SWEEP_H

#include "eie.h"

/* The depths swept: 1, 2, 4, ..., 256. */
#define SWEEP_DEPTHS	9
#define SWEEP_VECTORS	16

static inline uint32_t sweep_depth(int i)
{
	return 1u << i;
}

/*
 * eff[i] (and cycles[i], per vector) at depth sweep_depth(i) for a
 * validated layer: 0, or -1 (no memory).
 */
int queue_sweep(const struct eie_layer *l, double act_density, uint64_t seed,
		double eff[SWEEP_DEPTHS], double cycles[SWEEP_DEPTHS]);

#endif
