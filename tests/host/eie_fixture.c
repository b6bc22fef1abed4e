// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eie_fixture.h"

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

void fixture_alloc(struct fixture *f, bool with_bias)
{
	f->widx = xcalloc((size_t)f->rows * f->cols, 1);
	f->codebook = xcalloc((size_t)1 << f->wbits, sizeof(*f->codebook));
	f->bias = with_bias ? xcalloc(f->rows, sizeof(*f->bias)) : NULL;
	if (!f->codebook_len)
		f->codebook_len = 1u << f->wbits;
}

void fixture_randomize(struct fixture *f, struct rng *r, double density)
{
	for (uint32_t w = 1; w < f->codebook_len; w++)
		f->codebook[w] = (int16_t)rng_range(r, INT16_MIN, INT16_MAX);
	for (size_t i = 0; i < (size_t)f->rows * f->cols; i++)
		f->widx[i] = rng_chance(r, density) && f->codebook_len > 1 ?
			(uint8_t)rng_range(r, 1, f->codebook_len - 1) : 0;
	for (uint32_t i = 0; f->bias && i < f->rows; i++)
		f->bias[i] = (int32_t)rng_range(r, -(1 << 30), 1 << 30);
}

int fixture_encode(struct fixture *f)
{
	struct eie_error err;
	int ret;

	ret = eie_encode(f->widx, f->rows, f->cols, f->pes, f->wbits,
			 f->zbits, &f->s, &err);
	if (ret) {
		printf("# encode failed: %s\n", err.msg);
		return ret;
	}
	eie_streams_to_layer(&f->s, &f->l);
	f->l.in_frac = f->in_frac;
	f->l.w_frac = f->w_frac;
	f->l.out_frac = f->out_frac;
	f->l.relu = f->relu;
	f->l.codebook_len = f->codebook_len;
	f->l.codebook = f->codebook;
	f->l.bias = f->bias;
	f->ref = (struct ref_layer){
		.rows = f->rows, .cols = f->cols, .widx = f->widx,
		.codebook = f->codebook, .bias = f->bias,
		.in_frac = f->in_frac, .w_frac = f->w_frac,
		.out_frac = f->out_frac, .relu = f->relu,
	};
	ret = eie_validate(&f->l, &err);
	if (ret)
		printf("# encoded layer does not validate: %s\n", err.msg);
	return ret;
}

void fixture_free(struct fixture *f)
{
	eie_streams_free(&f->s);
	free(f->widx);
	free(f->codebook);
	free(f->bias);
	memset(f, 0, sizeof(*f));
}

void run_engine(const struct eie_layer *l, uint32_t batch, const int16_t *in,
		int16_t *out, struct eie_stats *stats)
{
	void *ws = xcalloc(1, eie_run_ws_size(l));

	eie_run(l, batch, in, out, ws, stats);
	free(ws);
}

void run_engine_decoded(const struct eie_layer *l, uint32_t batch,
			const int16_t *in, int16_t *out,
			struct eie_stats *stats)
{
	void *buf = xcalloc(1, eie_decoded_size(l));
	void *rows = xcalloc(1, eie_decoded_rows_size(l) + 1);
	void *ws = xcalloc(1, eie_run_ws_size(l));
	struct eie_decoded d;

	eie_decode_layer(l, buf, &d);
	eie_decode_rows(&d, rows);
	eie_run_decoded(&d, batch, in, out, ws, stats);
	free(ws);
	free(rows);
	free(buf);
}

int model_cycles(const struct eie_layer *l, uint32_t queue_depth,
		 uint32_t batch, const int16_t *in, struct eie_cycles *c,
		 uint64_t *pe_busy)
{
	size_t size = queue_depth <= DCACCEL_EIE_QUEUE_MAX ?
		      eie_cycles_ws_size(l->pes, queue_depth) : 8;
	void *ws = xcalloc(1, size);
	int ret = eie_model_cycles(l, queue_depth, batch, in, ws, c, pe_busy);

	free(ws);
	return ret;
}

void fixture_random_layer(struct fixture *f, uint32_t seed, uint32_t rows,
			  uint32_t cols, uint32_t pes, uint8_t wbits,
			  uint8_t zbits, bool bias)
{
	struct rng rng = { seed };

	memset(f, 0, sizeof(*f));
	f->rows = rows;
	f->cols = cols;
	f->pes = pes;
	f->wbits = wbits;
	f->zbits = zbits;
	f->in_frac = 8;
	f->w_frac = 8;
	f->out_frac = 8;
	f->relu = seed & 1;
	fixture_alloc(f, bias);
	fixture_randomize(f, &rng, 0.15);
	if (fixture_encode(f))
		abort();
}

int16_t *fixture_random_input(uint32_t seed, size_t n)
{
	struct rng rng = { seed };
	int16_t *x = calloc(n, sizeof(*x));

	for (size_t i = 0; x && i < n; i++)
		x[i] = rng_chance(&rng, 0.6) ?
			(int16_t)rng_range(&rng, -3000, 3000) : 0;
	return x;
}

/*
 * Inputs of magnitude mode: 0 small (no flush of the int32 partial sums),
 * 1 mid (a flush every few dozen columns), 2 the full int16 range (every
 * column or two), 3 the worst case: every value -32768 or 32767.
 */
int16_t fixture_magnitude(struct rng *r, int mode, int bits_small)
{
	switch (mode) {
	case 0:
		return (int16_t)rng_range(r, -(1 << bits_small), 1 << bits_small);
	case 1:
		return (int16_t)rng_range(r, -(1 << 13), 1 << 13);
	case 2:
		return (int16_t)rng_range(r, INT16_MIN, INT16_MAX);
	default:
		return rng_chance(r, 0.5) ? INT16_MIN : INT16_MAX;
	}
}

/*
 * A random shape (up to max_rows x max_cols, pes PEs, zbits up to
 * max_zbits) and number format, for fixture_alloc().
 */
struct fixture fixture_random_format(struct rng *r, uint32_t max_rows,
				    uint32_t max_cols, uint32_t pes,
				    int max_zbits)
{
	struct fixture f = {
		.rows = (uint32_t)rng_range(r, 1, max_rows),
		.cols = (uint32_t)rng_range(r, 1, max_cols),
		.pes = pes,
		.wbits = (uint8_t)rng_range(r, 1, 8),
		.zbits = (uint8_t)rng_range(r, 1, max_zbits),
		.relu = rng_chance(r, 0.5),
	};

	f.in_frac = (uint8_t)rng_range(r, 0, 15);
	f.w_frac = (uint8_t)rng_range(r, 0, 15);
	f.out_frac = (uint8_t)rng_range(r, 0, f.in_frac + f.w_frac > 15 ?
					 15 : f.in_frac + f.w_frac);
	f.codebook_len = (uint32_t)rng_range(r, 1, 1 << f.wbits);
	return f;
}

void fixture_alloc_magnitude(struct fixture *f, struct rng *r, int mode)
{
	fixture_alloc(f, rng_chance(r, 0.7));
	fixture_randomize(f, r, mode == 3 ? 1.0 :
			  (double)rng_range(r, 0, 100) / 100.0);
	for (uint32_t w = 1; w < f->codebook_len; w++)
		f->codebook[w] = fixture_magnitude(r, mode, 8);
}
