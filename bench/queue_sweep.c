// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "queue_sweep.h"
#include "../tests/lib/rng.h"

int queue_sweep(const struct eie_layer *l, double act_density, uint64_t seed,
		double eff[SWEEP_DEPTHS], double cycles[SWEEP_DEPTHS])
{
	const size_t n = (size_t)l->cols * SWEEP_VECTORS;
	struct rng r = { seed };
	int16_t *x = malloc(n * sizeof(*x));
	void *ws = malloc(eie_cycles_ws_size(l->pes,
					     sweep_depth(SWEEP_DEPTHS - 1)));

	if (!x || !ws) {
		free(x);
		free(ws);
		return -1;
	}
	for (size_t j = 0; j < n; j++)
		x[j] = rng_chance(&r, act_density) ?
		       (int16_t)rng_range(&r, 1, 1 << 10) : 0;
	for (int i = 0; i < SWEEP_DEPTHS; i++) {
		struct eie_cycles c = { 0 };

		eie_model_cycles(l, sweep_depth(i), SWEEP_VECTORS, x, ws, &c,
				 NULL);
		eff[i] = c.cycles ? (double)c.busy / ((double)l->pes * c.cycles) : 0;
		cycles[i] = (double)c.cycles / SWEEP_VECTORS;
	}
	free(x);
	free(ws);
	return 0;
}
