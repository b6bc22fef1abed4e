// SPDX-License-Identifier: MIT
/*
 * A decoded form of a validated layer for running many vectors on a host:
 * per column, the global row and codebook index of every non-padding entry
 * of every PE, and the entry and padding counts that the statistics need.
 * Decoding costs one pass over the streams; each vector then costs one
 * short loop per non-zero activation instead of one per PE, which is what
 * a CPU wants (the per-PE runs are short and their ends unpredictable).
 * The results and statistics are those of eie_run(), bit for bit.
 */
#include <errno.h>
#include <string.h>

#include "eie.h"
#include "eie_arith.h"
#include "eie_decoded_parts.h"
#include "eie_entry.h"
#include "eie_host.h"

#if EIE_HAVE_AVX2
#include <emmintrin.h>
/* the baseline copy on x86-64 multiplies with SSE2's pmaddwd */
#define EIE_SSE2_MADD	1
#else
#define EIE_SSE2_MADD	0
#endif

size_t eie_decoded_size(const struct eie_layer *l)
{
	return eie_align8(((size_t)l->cols + 1) * sizeof(uint32_t)) +
	       eie_align8((size_t)l->cols * 2 * sizeof(uint32_t)) +
	       eie_align8((size_t)l->entry_count * sizeof(uint32_t)) +
	       eie_align8(l->entry_count);
}

/*
 * PE by PE, so that the column pointers and entries are read in order
 * (column by column, a PE's pointers are a row of the pointer matrix
 * apart): first each column's counts, then its entries, appended PE
 * after PE in each column's list as a column-by-column walk would.
 */
void eie_decode_layer(const struct eie_layer *l, void *buf,
		      struct eie_decoded *d)
{
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	uint32_t *next;		/* each column's next free slot */
	uint8_t *p = buf;

	d->layer = l;
	d->colstart = (uint32_t *)p;
	p += eie_align8(((size_t)l->cols + 1) * sizeof(uint32_t));
	d->colcount = (uint32_t *)p;
	p += eie_align8((size_t)l->cols * 2 * sizeof(uint32_t));
	d->row = (uint32_t *)p;
	p += eie_align8((size_t)l->entry_count * sizeof(uint32_t));
	d->widx = p;
	memset(&d->rows, 0, sizeof(d->rows));

	/* colstart[j + 1]: column j's non-padding entries, for now */
	memset(d->colstart, 0, ((size_t)l->cols + 1) * sizeof(uint32_t));
	memset(d->colcount, 0, (size_t)l->cols * 2 * sizeof(uint32_t));
	for (uint32_t pe = 0; pe < l->pes; pe++) {
		const uint32_t *ptr = l->colptr + (size_t)pe * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t padding = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);

				padding += DCACCEL_EIE_ENTRY_WIDX(v, l->zbits) ==
					   DCACCEL_EIE_PAD_INDEX;
			}
			d->colcount[2 * j] += ptr[j + 1] - ptr[j];
			d->colcount[2 * j + 1] += padding;
			d->colstart[j + 1] += ptr[j + 1] - ptr[j] - padding;
		}
	}
	for (uint32_t j = 0; j < l->cols; j++)
		d->colstart[j + 1] += d->colstart[j];

	/* next[j] runs over column j's slots; it ends as colstart[j + 1] */
	next = d->colstart;
	for (uint32_t pe = 0; pe < l->pes; pe++) {
		const uint32_t *ptr = l->colptr + (size_t)pe * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t local = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);
				unsigned int w = DCACCEL_EIE_ENTRY_WIDX(v, l->zbits);

				local += DCACCEL_EIE_ENTRY_Z(v, l->zbits);
				if (w != DCACCEL_EIE_PAD_INDEX) {
					d->row[next[j]] = local * l->pes + pe;
					d->widx[next[j]++] = (uint8_t)w;
				}
				local++;
			}
		}
	}
	/* next[j] is where column j + 1 starts: shift back by one */
	memmove(d->colstart + 1, d->colstart, (size_t)l->cols * sizeof(uint32_t));
	d->colstart[0] = 0;
}

bool eie_take_rows(const struct eie_decoded *d, uint64_t active)
{
	const enum eie_form f = eie_form_now();

	if (!d->rows.chunks || f == EIE_FORM_COLUMNS)
		return false;
	/* the column form costs about 3 times as much per entry (measured) */
	return f == EIE_FORM_ROWS ||
	       3 * active >= d->rows.start[d->rows.chunks];
}

void eie_vector_counts(const struct eie_decoded *d, const int16_t *x,
		       struct eie_vector_counts *c)
{
	uint64_t nnz = 0, entries = 0, padding = 0;

	/* without a branch: the inputs' zeros are no pattern to predict */
	for (uint32_t j = 0; j < d->layer->cols; j++) {
		const uint32_t take = -(uint32_t)(x[j] != 0);

		nnz += x[j] != 0;
		entries += d->colcount[2 * j] & take;
		padding += d->colcount[2 * j + 1] & take;
	}
	c->nnz = nnz;
	c->entries = entries;
	c->padding = padding;
}

int eie_columns_partial(const struct eie_decoded *d, const int16_t *x,
			uint32_t j0, uint32_t j1, int64_t *acc, int32_t *prod,
			const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;
	uint32_t seen = 0;

	for (uint32_t j = j0; j < j1; j++) {
		const int32_t a = x[j];

		if (!a)
			continue;
		if (seen && seen % EIE_POLL_EVERY == 0 && eie_poll_stop(poll))
			return -ECANCELED;
		seen++;
		for (uint32_t w = 0; w < l->codebook_len; w++)
			prod[w] = (int32_t)l->codebook[w] * a;
		for (uint32_t e = d->colstart[j]; e < d->colstart[j + 1]; e++)
			acc[d->row[e]] += prod[d->widx[e]];
	}
	return 0;
}

void eie_finish_sums(const struct eie_layer *l, const int64_t *acc,
		     int16_t *y)
{
	const unsigned int shift = l->in_frac + l->w_frac - l->out_frac;

	for (uint32_t i = 0; i < l->rows; i++)
		y[i] = eie_finish(acc[i] + (l->bias ? l->bias[i] : 0), l->relu,
				  shift);
}

enum eie_form eie_decoded_choice(const struct eie_decoded *d,
				 const int16_t *x)
{
	struct eie_vector_counts c;

	eie_vector_counts(d, x, &c);
	return eie_take_rows(d, c.entries - c.padding) ? EIE_FORM_ROWS :
							 EIE_FORM_COLUMNS;
}

/* One vector: its counts, then eie_run_counted_vector(). */
static int run_decoded_vector(const struct eie_decoded *d, const int16_t *x,
			      int16_t *y, void *ws, struct eie_stats *stats,
			      const struct eie_poll *poll)
{
	struct eie_vector_counts c;

	eie_vector_counts(d, x, &c);
	return eie_run_counted_vector(d, x, y, ws, stats, poll, &c);
}

int eie_run_counted_vector(const struct eie_decoded *d, const int16_t *x,
			   int16_t *y, void *ws, struct eie_stats *stats,
			   const struct eie_poll *poll,
			   const struct eie_vector_counts *counts)
{
	const struct eie_layer *l = d->layer;
	const struct eie_vector_counts c = *counts;
	int64_t *acc = ws;

	if (eie_take_rows(d, c.entries - c.padding)) {
		if (eie_run_rows(d, x, y, ws, 0, d->rows.chunks, poll))
			return -ECANCELED;
	} else {
		memset(acc, 0, (size_t)l->rows * sizeof(*acc));
		if (eie_columns_partial(d, x, 0, l->cols, acc,
					(int32_t *)(acc + l->rows), poll))
			return -ECANCELED;
		eie_finish_sums(l, acc, y);
	}
	eie_stats_add(stats, c.nnz, c.entries, c.padding);
	return 0;
}

/*
 * The batched kernel, for batches of two vectors and more: sparse weights
 * times a dense block of up to EIE_DECODED_TILE vectors, the vectors as
 * the vector dimension. Per column, the tile's inputs sit side by side
 * (xt), and each of the column's entries adds codebook[w] times them to
 * its row's lanes.
 *
 * Exact: the products go into int32 partial sums, and a row's partials
 * are added to its int64 sums before they could pass 2^31 - 1: each row
 * keeps a bound, the sum of |codebook[w]| x max |x[j]| over the products
 * it took since (each product is at most 2^15 x 2^15 = 2^30 alone). The
 * statistics are those of the vectors one by one: per column, the tile's
 * non-zero inputs times its entry and padding counts.
 */
#define EIE_LANES	8	/* int32 per vector operation */
_Static_assert(EIE_DECODED_TILE == 4 * EIE_LANES, "tile_columns_nv()");

typedef int32_t eie_vi32 __attribute__((vector_size(4 * EIE_LANES)));

/* The tile's inputs, transposed, and its sums. */
struct eie_tile {
	const struct eie_decoded *d;
	const int32_t *xt;	/* cols x lanes: (b, j) at xt[j lanes + b] */
	const uint8_t *nz;	/* per column: the non-zero inputs */
	const uint32_t *xmax;	/* per column: max |x| over the tile */
	const uint32_t *wmax;	/* per codebook index: |codebook[w]| */
	uint32_t lanes;		/* a multiple of EIE_LANES */
	int32_t *acc32;		/* rows x lanes partial sums */
	int64_t *acc64;		/* rows x lanes sums flushed so far */
	uint32_t *bound;	/* per row: bound on |acc32| */
};

/*
 * Every column of the tile; -ECANCELED when poll said stop (every 256
 * columns that have a non-zero input). Inlined into one copy per
 * instruction set that the host may have.
 */
EIE_KERNEL int tile_columns(const struct eie_tile *t,
			    const struct eie_poll *poll, const uint32_t nv,
			    const bool madd)
{
	const struct eie_decoded *d = t->d;
	const struct eie_layer *l = d->layer;
	uint64_t seen = 0;

	for (uint32_t j = 0; j < l->cols; j++) {
		const uint32_t e0 = d->colstart[j], e1 = d->colstart[j + 1];
		const int32_t *x = t->xt + (size_t)j * t->lanes;
		const uint64_t xmax = t->xmax[j];

		if (!t->nz[j])
			continue;
		if (seen && seen % EIE_POLL_EVERY == 0 && eie_poll_stop(poll))
			return -ECANCELED;
		seen++;
		for (uint32_t e = e0; e < e1; e++) {
			const uint32_t w = d->widx[e], row = d->row[e];
			const eie_vi32 wv = (eie_vi32){ 0 } +
					    (int32_t)l->codebook[w];
			int32_t *acc = t->acc32 + (size_t)row * t->lanes;
			/* at most 2^30 + 2^31 - 1: no wrap in 64 bits */
			uint64_t b = t->bound[row] + xmax * t->wmax[w];

			if (b > INT32_MAX) {
				int64_t *acc64 = t->acc64 +
						 (size_t)row * t->lanes;

				for (uint32_t i = 0; i < t->lanes; i++)
					acc64[i] += acc[i];
				memset(acc, 0, t->lanes * sizeof(*acc));
				b = xmax * t->wmax[w];
			}
			t->bound[row] = (uint32_t)b;
#if EIE_SSE2_MADD
			if (madd) {
				/* pairs (x, 0) x (w, w): x w, exactly */
				const __m128i w2 =
					_mm_set1_epi32(l->codebook[w]);

#pragma GCC unroll 8
				for (uint32_t v = 0; v < 2 * nv; v++) {
					__m128i *p = (__m128i *)(acc + 4 * v);
					__m128i xv = _mm_loadu_si128(
						(const __m128i *)(x + 4 * v));

					_mm_storeu_si128(p, _mm_add_epi32(
						_mm_loadu_si128(p),
						_mm_madd_epi16(xv, w2)));
				}
				continue;
			}
#else
			(void)madd;	/* one form on hosts without SSE2 */
#endif
#pragma GCC unroll 4
			for (uint32_t v = 0; v < nv; v++) {
				eie_vi32 a, xv;

				memcpy(&a, acc + v * EIE_LANES, sizeof(a));
				memcpy(&xv, x + v * EIE_LANES, sizeof(xv));
				a += xv * wv;
				memcpy(acc + v * EIE_LANES, &a, sizeof(a));
			}
		}
	}
	return 0;
}

/* With the number of vector operations per row a constant: unrolled. */
EIE_KERNEL int tile_columns_nv(const struct eie_tile *t,
			       const struct eie_poll *poll, const bool avx2)
{
	const bool madd = EIE_SSE2_MADD && !avx2;

	switch (t->lanes / EIE_LANES) {
	case 1:
		return tile_columns(t, poll, 1, madd);
	case 2:
		return tile_columns(t, poll, 2, madd);
	case 3:
		return tile_columns(t, poll, 3, madd);
	default:
		return tile_columns(t, poll, EIE_DECODED_TILE / EIE_LANES,
				    madd);
	}
}

EIE_COPIES(tile_columns_nv,
	   (const struct eie_tile *t, const struct eie_poll *poll),
	   t, poll)

/* Where the tile's arrays are in the workspace. */
struct tile_ws {
	int64_t *acc64;
	int32_t *acc32;
	int32_t *xt;
	uint32_t *xmax, *bound, *wmax;
	uint16_t *xmax16, *nz16;	/* per column, for the vector pass */
	uint8_t *nz;
};

static struct tile_ws tile_ws(const struct eie_layer *l, void *ws)
{
	const size_t rl = (size_t)l->rows * EIE_DECODED_TILE;
	struct tile_ws w;

	w.acc64 = ws;
	w.acc32 = (int32_t *)(w.acc64 + rl);
	w.xt = w.acc32 + rl;
	w.xmax = (uint32_t *)(w.xt + (size_t)l->cols * EIE_DECODED_TILE);
	w.bound = w.xmax + l->cols;
	w.wmax = w.bound + l->rows;
	w.xmax16 = (uint16_t *)(w.wmax + 256);
	w.nz16 = w.xmax16 + ((l->cols + 15) & ~15u);
	w.nz = (uint8_t *)(w.nz16 + ((l->cols + 15) & ~15u));
	return w;
}

typedef int16_t eie_vi16 __attribute__((vector_size(32)));
typedef uint16_t eie_vu16 __attribute__((vector_size(32)));

/*
 * The tile's inputs transposed into xt (lanes past n zero), and per
 * column the non-zero inputs and the largest magnitude, 16 columns per
 * vector operation.
 */
EIE_KERNEL int tile_inputs(uint32_t cols, const int16_t *in, uint32_t n,
			   uint32_t lanes, const struct tile_ws *w,
			   const bool avx2)
{
	/* pmaddwd takes 16-bit pairs: (x, 0), x's bits zero-extended */
	const uint32_t mask = EIE_SSE2_MADD && !avx2 ? 0xffff : 0xffffffff;
	const uint32_t whole = cols & ~15u;

	memset(w->nz16, 0, whole * sizeof(*w->nz16));
	memset(w->xmax16, 0, whole * sizeof(*w->xmax16));
	if (lanes != n)
		memset(w->xt, 0, (size_t)cols * lanes * sizeof(*w->xt));
	for (uint32_t b = 0; b < n; b++) {
		const int16_t *x = in + (size_t)b * cols;
		int32_t *xt = w->xt + b;

		for (uint32_t j = 0; j < whole; j += 16) {
			eie_vi16 v;
			eie_vu16 m, c, a, neg, gt;

			memcpy(&v, x + j, sizeof(v));
			memcpy(&m, w->xmax16 + j, sizeof(m));
			memcpy(&c, w->nz16 + j, sizeof(c));
			/* |v| in uint16 (-32768 gives 32768) */
			neg = (eie_vu16)(v >> 15);
			a = ((eie_vu16)v ^ neg) - neg;
			gt = (eie_vu16)(a > m);
			m = (a & gt) | (m & ~gt);
			c -= (eie_vu16)(v != 0);
			memcpy(w->xmax16 + j, &m, sizeof(m));
			memcpy(w->nz16 + j, &c, sizeof(c));
			for (uint32_t i = 0; i < 16; i++)
				xt[(size_t)(j + i) * lanes] =
					(int32_t)((uint32_t)v[i] & mask);
		}
	}
	for (uint32_t j = 0; j < cols; j++) {
		uint32_t nz = 0, m = 0;

		if (j < whole) {
			w->nz[j] = (uint8_t)w->nz16[j];
			w->xmax[j] = (uint16_t)w->xmax16[j];
			continue;
		}
		for (uint32_t b = 0; b < n; b++) {
			int32_t v = in[(size_t)b * cols + j];
			uint32_t a = (uint32_t)(v < 0 ? -v : v);

			w->xt[(size_t)j * lanes + b] =
				(int32_t)((uint32_t)v & mask);
			nz += v != 0;
			m = a > m ? a : m;
		}
		w->nz[j] = (uint8_t)nz;
		w->xmax[j] = m;
	}
	return 0;
}

EIE_COPIES(tile_inputs,
	   (uint32_t cols, const int16_t *in, uint32_t n, uint32_t lanes,
	    const struct tile_ws *w),
	   cols, in, n, lanes, w)

/* Vectors [0, n) of in as one tile; stats added to. */
static int run_tile(const struct eie_decoded *d, const int16_t *in,
		    int16_t *out, uint32_t n, void *ws,
		    struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;
	const unsigned int shift = l->in_frac + l->w_frac - l->out_frac;
	const uint32_t lanes = (n + EIE_LANES - 1) & ~(uint32_t)(EIE_LANES - 1);
	const struct tile_ws w = tile_ws(l, ws);
	struct eie_tile t = {
		.d = d, .xt = w.xt, .nz = w.nz, .xmax = w.xmax,
		.wmax = w.wmax, .lanes = lanes, .acc32 = w.acc32,
		.acc64 = w.acc64, .bound = w.bound,
	};
	uint64_t nnz = 0, entries = 0, padding = 0;
	int ret;

	for (uint32_t k = 0; k < l->codebook_len; k++) {
		int32_t c = l->codebook[k];

		w.wmax[k] = (uint32_t)(c < 0 ? -c : c);
	}
	EIE_CALL(tile_inputs, (l->cols, in, n, lanes, &w));
	for (uint32_t j = 0; j < l->cols; j++) {
		nnz += w.nz[j];
		entries += (uint64_t)w.nz[j] * d->colcount[2 * j];
		padding += (uint64_t)w.nz[j] * d->colcount[2 * j + 1];
	}
	memset(w.acc32, 0, (size_t)l->rows * lanes * sizeof(*w.acc32));
	memset(w.acc64, 0, (size_t)l->rows * lanes * sizeof(*w.acc64));
	memset(w.bound, 0, (size_t)l->rows * sizeof(*w.bound));
	ret = EIE_CALL(tile_columns_nv, (&t, poll));
	if (ret)
		return ret;
	for (uint32_t b = 0; b < n; b++) {
		int16_t *y = out + (size_t)b * l->rows;

		for (uint32_t i = 0; i < l->rows; i++) {
			size_t at = (size_t)i * lanes + b;

			y[i] = eie_finish(w.acc64[at] + w.acc32[at] +
					  (l->bias ? l->bias[i] : 0),
					  l->relu, shift);
		}
	}
	eie_stats_add(stats, nnz, entries, padding);
	return 0;
}

size_t eie_run_decoded_ws_size(const struct eie_layer *l)
{
	size_t tile = (size_t)l->rows * EIE_DECODED_TILE *
		      (sizeof(int64_t) + sizeof(int32_t)) +
		      (size_t)l->cols * EIE_DECODED_TILE * sizeof(int32_t) +
		      ((size_t)l->cols + l->rows + 256) * sizeof(uint32_t) +
		      (((size_t)l->cols + 15) & ~(size_t)15) * 2 *
		      sizeof(uint16_t) +
		      l->cols;
	size_t vec = (size_t)l->rows * sizeof(int64_t) +
		     (size_t)l->codebook_len * sizeof(int32_t);
	size_t rows = eie_rows_ws_size(l);

	if (vec < rows)
		vec = rows;
	return eie_align8(tile > vec ? tile : vec);
}

int eie_run_decoded_poll(const struct eie_decoded *d, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;

	if (batch > 1 && eie_kernels_now() != EIE_KERNELS_PER_VECTOR) {
		for (uint32_t b = 0; b < batch; b += EIE_DECODED_TILE) {
			uint32_t n = batch - b < EIE_DECODED_TILE ?
				     batch - b : EIE_DECODED_TILE;

			if (eie_poll_stop(poll) ||
			    run_tile(d, in + (size_t)b * l->cols,
				     out + (size_t)b * l->rows, n, ws, stats,
				     poll))
				return -ECANCELED;
		}
		return 0;
	}
	for (uint32_t b = 0; b < batch; b++) {
		if (eie_poll_stop(poll) ||
		    run_decoded_vector(d, in + (size_t)b * l->cols,
				       out + (size_t)b * l->rows, ws, stats,
				       poll))
			return -ECANCELED;
	}
	return 0;
}

void eie_run_decoded(const struct eie_decoded *d, uint32_t batch,
		     const int16_t *in, int16_t *out, void *ws,
		     struct eie_stats *stats)
{
	eie_run_decoded_poll(d, batch, in, out, ws, stats, NULL);
}
