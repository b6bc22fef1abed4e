// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "dcc_synthetic.h"
#include "../../userspace/dcc/train.h"
#include "tap.h"

void synth_fill(float *v, size_t n, uint64_t *s, float lo, float hi)
{
	for (size_t k = 0; k < n; k++)
		v[k] = lo + (hi - lo) * rng_uniform(s);
}

void synth_dataset(struct dataset *ds, uint32_t count, uint32_t dim,
		   uint64_t seed, float noise)
{
	float *proto = malloc(10 * dim * sizeof(float));
	uint64_t s = seed;

	ds->count = count;
	ds->dim = dim;
	ds->x = malloc((size_t)count * dim * sizeof(float));
	ds->y = malloc(count);
	if (!proto || !ds->x || !ds->y)
		abort();
	synth_fill(proto, 10 * dim, &s, 0, 1);
	for (uint32_t k = 0; k < count; k++) {
		ds->y[k] = (uint8_t)(k % 10);
		for (uint32_t d = 0; d < dim; d++)
			ds->x[(size_t)k * dim + d] = proto[ds->y[k] * dim + d] +
						     noise * (rng_uniform(&s) - 0.5f);
	}
	free(proto);
}

void synth_dense_net(struct net *n, const char *spec, const struct dataset *ds,
		     uint64_t seed)
{
	struct dcc_error err;
	struct train_opts t;

	CHECK_EQ(net_build(n, spec, &err), 0);
	net_init_weights(n, seed);
	train_opts_default(&t);
	t.epochs = 15;
	t.batch = 32;
	t.lr = 0.02f;
	CHECK(net_train(n, ds, &t, &err) >= 0);
}
