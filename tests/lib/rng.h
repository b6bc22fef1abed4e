/* SPDX-License-Identifier: MIT */
/* A small deterministic generator (splitmix64) so that tests repeat. */
#ifndef DCACCEL_TESTS_RNG_H
#define DCACCEL_TESTS_RNG_H

#include <stdint.h>

struct rng {
	uint64_t state;
};

static inline uint64_t rng_next(struct rng *r)
{
	uint64_t z = (r->state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Uniform in [lo, hi], both included. */
static inline int64_t rng_range(struct rng *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* True with probability p. */
static inline int rng_chance(struct rng *r, double p)
{
	return (rng_next(r) >> 11) * (1.0 / 9007199254740992.0) < p;
}

#endif
