/* SPDX-License-Identifier: MIT */
/* Building encoded layers for the datapath tests. */
#ifndef DCACCEL_TESTS_EIE_FIXTURE_H
#define DCACCEL_TESTS_EIE_FIXTURE_H

#include "eie_encode.h"
#include "eie_reference.h"
#include "rng.h"

struct fixture {
	/* filled by the test before fixture_encode() */
	uint32_t rows, cols, pes;
	uint8_t wbits, zbits;
	uint8_t in_frac, w_frac, out_frac;
	bool relu;
	uint32_t codebook_len;
	uint8_t *widx;		/* rows x cols, calloc'd by fixture_alloc() */
	int16_t *codebook;	/* 1 << wbits, codebook[0] == 0 */
	int32_t *bias;		/* rows, or NULL */
	/* filled by fixture_encode() */
	struct eie_streams s;
	struct eie_layer l;
	struct ref_layer ref;
};

/* Allocate widx, codebook and bias for the shape already set in f. */
void fixture_alloc(struct fixture *f, bool with_bias);

/* Fill widx at the given density and codebook/bias with random values. */
void fixture_randomize(struct fixture *f, struct rng *r, double density);

/* Encode, and fill the engine's and the reference's layer views. */
int fixture_encode(struct fixture *f);

void fixture_free(struct fixture *f);

/* eie_run() with a workspace of its own. */
void run_engine(const struct eie_layer *l, uint32_t batch, const int16_t *in,
		int16_t *out, struct eie_stats *stats);

/* eie_decode_layer() and eie_run_decoded(), with buffers of their own. */
void run_engine_decoded(const struct eie_layer *l, uint32_t batch,
			const int16_t *in, int16_t *out,
			struct eie_stats *stats);

/* eie_model_cycles() with a workspace of its own. */
int model_cycles(const struct eie_layer *l, uint32_t queue_depth,
		 uint32_t batch, const int16_t *in, struct eie_cycles *c,
		 uint64_t *pe_busy);

/*
 * A random FC layer (seeded; in, w and out frac 8, relu from the seed's
 * low bit, 15% of the weights kept) encoded for `pes` PEs.
 */
void fixture_random_layer(struct fixture *f, uint32_t seed, uint32_t rows,
			  uint32_t cols, uint32_t pes, uint8_t wbits,
			  uint8_t zbits, bool bias);
/*
 * A value of magnitude mode: 0 small (|v| <= 2^bits_small), 1 mid (2^13),
 * 2 the whole int16 range, 3 only -32768 and 32767 (the sums' worst case).
 */
int16_t fixture_magnitude(struct rng *r, int mode, int bits_small);

/*
 * A random shape (up to max_rows x max_cols, pes PEs, zbits up to
 * max_zbits) and number format, for fixture_alloc().
 */
struct fixture fixture_random_format(struct rng *r, uint32_t max_rows,
				     uint32_t max_cols, uint32_t pes,
				     int max_zbits);

/*
 * fixture_alloc() (a bias 70% of the time), fixture_randomize() at a random
 * density (every weight kept in mode 3) and codebook values of magnitude
 * mode (fixture_magnitude()).
 */
void fixture_alloc_magnitude(struct fixture *f, struct rng *r, int mode);

/* n random int16 inputs (60% non-zero in -3000 .. 3000), or NULL. */
int16_t *fixture_random_input(uint32_t seed, size_t n);

#endif
