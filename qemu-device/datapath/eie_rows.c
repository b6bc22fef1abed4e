// SPDX-License-Identifier: MIT
/*
 * The rows form of a decoded layer, for vectors with many non-zero inputs
 * (the NT layers' 100%): sliced ELLPACK. The rows, sorted by their entry
 * count, go in chunks of EIE_ROW_LANES; slot k of a chunk holds the k-th
 * entry (column, codebook index) of each of its rows, rows that run out
 * padded with (0, 0), whose product is 0 (codebook[0] is 0). A chunk is
 * then one vector lane per row: gather x[column], look the weight up,
 * multiply, add, with no scatter and no per-column branch, which is what
 * beats a general sparse library when every input is non-zero.
 *
 * Sorting makes the padding small and bounded: chunk c is as long as its
 * first row, which is no longer than chunk c - 1's last, so the slots are
 * at most the entries plus EIE_ROW_LANES times the longest row.
 *
 * Exact, as the spec wants: a lane's products (each at most 2^30) are
 * summed in two int32 halves that cannot overflow (chunk_sums_simd()) or
 * in int64; integer sums do not depend on the order, so the outputs are
 * eie_run()'s bit for bit. The statistics come from the column form.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "eie.h"
#include "eie_arith.h"
#include "eie_host.h"

#if EIE_HAVE_AVX2
#include <immintrin.h>
#endif

static uint32_t rows_chunks(const struct eie_layer *l)
{
	return (l->rows + EIE_ROW_LANES - 1) / EIE_ROW_LANES;
}

bool eie_has_rows_form(const struct eie_layer *l)
{
	/* 16 bytes per row: not for a layer with more rows than entries */
	return ((uint64_t)l->cols << l->wbits) <= EIE_ROWS_SLOT_SPAN &&
	       l->rows <= l->entry_count;
}

/* The most slots a layer can need (see the bound above). */
static size_t rows_max_slots(const struct eie_layer *l)
{
	size_t longest = l->cols < l->entry_count ? l->cols : l->entry_count;

	return (size_t)l->entry_count + EIE_ROW_LANES * longest;
}

size_t eie_decoded_rows_size(const struct eie_layer *l)
{
	if (!eie_has_rows_form(l))
		return 0;
	return eie_align8((size_t)l->rows * sizeof(uint64_t)) * 2 +
	       eie_align8(((size_t)rows_chunks(l) + 1) * sizeof(uint64_t)) +
	       eie_align8(rows_max_slots(l) * sizeof(uint16_t));
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

void eie_decode_rows(struct eie_decoded *d, void *buf)
{
	const struct eie_layer *l = d->layer;
	const uint32_t chunks = rows_chunks(l);
	struct eie_rows *r = &d->rows;
	uint64_t *order, *next, *start;
	uint16_t *slot;
	uint8_t *p = buf;

	memset(r, 0, sizeof(*r));
	if (!eie_has_rows_form(l))
		return;
	order = (uint64_t *)p;
	p += eie_align8((size_t)l->rows * sizeof(uint64_t));
	next = (uint64_t *)p;
	p += eie_align8((size_t)l->rows * sizeof(uint64_t));
	start = (uint64_t *)p;
	p += eie_align8(((size_t)chunks + 1) * sizeof(uint64_t));
	slot = (uint16_t *)p;

	/* padding entries make no slots: rows beyond the real ones, none */
	if (l->rows > d->colstart[l->cols])
		return;
	/* each row's entries, then the rows longest first (ties by row) */
	memset(next, 0, (size_t)l->rows * sizeof(*next));
	for (uint32_t e = 0; e < d->colstart[l->cols]; e++)
		next[d->row[e]]++;
	for (uint32_t i = 0; i < l->rows; i++)
		order[i] = (uint64_t)(UINT32_MAX - (uint32_t)next[i]) << 32 | i;
	qsort(order, l->rows, sizeof(*order), cmp_u64);

	/* chunk c: slots [start[c], start[c + 1]), its first row's length */
	start[0] = 0;
	for (uint32_t c = 0; c < chunks; c++) {
		uint64_t len = UINT32_MAX - (order[(size_t)c * EIE_ROW_LANES] >> 32);

		start[c + 1] = start[c] + len * EIE_ROW_LANES;
	}
	memset(slot, 0, start[chunks] * sizeof(*slot));

	/* next[row]: the row's next slot, one lane of its chunk */
	for (uint32_t i = 0; i < l->rows; i++)
		next[(uint32_t)order[i]] = start[i / EIE_ROW_LANES] +
					   i % EIE_ROW_LANES;
	for (uint32_t j = 0; j < l->cols; j++) {
		for (uint32_t e = d->colstart[j]; e < d->colstart[j + 1]; e++) {
			uint64_t s = next[d->row[e]];

			slot[s] = (uint16_t)(j << l->wbits | d->widx[e]);
			next[d->row[e]] = s + EIE_ROW_LANES;
		}
	}
	r->order = order;
	r->start = start;
	r->slot = slot;
	r->wbits = l->wbits;
	r->chunks = chunks;
}

/* One vector's inputs and weights as the lanes read them. */
struct rows_vec {
	const struct eie_rows *r;
	const int32_t *x;	/* cols values, as int32 */
	const int32_t *cb;	/* 256 weights, as int32, past codebook_len 0 */
	uint32_t cb_len;
	const int32_t *prod;	/* or every product, at its slot's value */
};

/* Chunk c's lane sums, plainly, in int64. */
static void chunk_sums_baseline(const struct rows_vec *v, uint32_t c,
				int64_t sum[EIE_ROW_LANES])
{
	const uint64_t s0 = v->r->start[c], s1 = v->r->start[c + 1];
	const unsigned int wbits = v->r->wbits, wmask = (1u << wbits) - 1;
	const uint16_t *slot = v->r->slot;

	memset(sum, 0, EIE_ROW_LANES * sizeof(*sum));
	for (uint64_t s = s0; s < s1; s += EIE_ROW_LANES)
		for (uint32_t k = 0; k < EIE_ROW_LANES; k++)
			sum[k] += v->prod ? v->prod[slot[s + k]] :
				  v->x[slot[s + k] >> wbits] *
				  v->cb[slot[s + k] & wmask];
}

#if EIE_HAVE_AVX2
_Static_assert(EIE_ROW_LANES == 8, "one AVX2 vector of int32 per slot");

/* The weights of 8 codebook indices of up to 16 weights, with AVX-512VL. */
__attribute__((target("avx2,avx512f,avx512vl"))) static inline __m256i
lane_weights16_vl(__m256i w, __m256i cb0, __m256i cb1)
{
	return _mm256_permutex2var_epi32(cb0, w, cb1);
}

/* ... with AVX2 only: index bit 3 (moved to the sign bit) picks cb1 */
__attribute__((target("avx2"))) static inline __m256i
lane_weights16(__m256i w, __m256i cb0, __m256i cb1)
{
	__m256i lo = _mm256_permutevar8x32_epi32(cb0, w);
	__m256i hi = _mm256_permutevar8x32_epi32(cb1, w);

	return _mm256_castps_si256(_mm256_blendv_ps(
		_mm256_castsi256_ps(lo), _mm256_castsi256_ps(hi),
		_mm256_castsi256_ps(_mm256_slli_epi32(w, 28))));
}

/*
 * A product (|p| <= 2^30) is added as its low 16 bits, unsigned, and the
 * rest, signed: 2^15 slots of either fit an int32 lane, and a row has at
 * most 2^15 slots (cols << wbits <= 2^16, wbits >= 1). No widening per
 * slot, whatever the magnitudes.
 */
_Static_assert(EIE_ROWS_SLOT_SPAN / 2 * (uint64_t)UINT16_MAX <= INT32_MAX,
	       "the low halves of a row's products fit an int32 lane");

/*
 * Inlined into the three copies below: vl says whether AVX-512VL permutes
 * the weights, table that the products are looked up whole (v->prod).
 */
__attribute__((target("avx2"))) EIE_KERNEL void
chunk_sums_simd(const struct rows_vec *v, uint32_t c,
		int64_t sum[EIE_ROW_LANES], const bool vl, const bool table)
{
	const uint64_t s1 = v->r->start[c + 1];
	const __m256i cb0 = _mm256_loadu_si256((const __m256i *)v->cb);
	const __m256i cb1 = _mm256_loadu_si256((const __m256i *)(v->cb + 8));
	const __m256i low16 = _mm256_set1_epi32(0xffff);
	const __m256i wmask = _mm256_set1_epi32((1 << v->r->wbits) - 1);
	const __m128i wbits = _mm_cvtsi32_si128((int)v->r->wbits);
	__m256i alo = _mm256_setzero_si256(), ahi = _mm256_setzero_si256();
	int32_t lo[EIE_ROW_LANES], hi[EIE_ROW_LANES];

	for (uint64_t s = v->r->start[c]; s < s1; s += EIE_ROW_LANES) {
		__m256i e = _mm256_cvtepu16_epi32(_mm_loadu_si128(
			(const __m128i *)(v->r->slot + s)));
		__m256i w = _mm256_and_si256(e, wmask), cw, p;

		if (table) {
			p = _mm256_i32gather_epi32(v->prod, e, 4);
		} else {
			if (v->cb_len > 16)
				cw = _mm256_i32gather_epi32(v->cb, w, 4);
			else if (vl)
				cw = lane_weights16_vl(w, cb0, cb1);
			else
				cw = lane_weights16(w, cb0, cb1);
			p = _mm256_mullo_epi32(_mm256_i32gather_epi32(v->x,
					_mm256_srl_epi32(e, wbits), 4), cw);
		}
		alo = _mm256_add_epi32(alo, _mm256_and_si256(p, low16));
		ahi = _mm256_add_epi32(ahi, _mm256_srai_epi32(p, 16));
	}
	_mm256_storeu_si256((__m256i *)lo, alo);
	_mm256_storeu_si256((__m256i *)hi, ahi);
	for (uint32_t k = 0; k < EIE_ROW_LANES; k++)
		sum[k] = (int64_t)hi[k] * 65536 + (uint32_t)lo[k];
}

__attribute__((target("avx2")))
static void chunk_sums_avx2(const struct rows_vec *v, uint32_t c,
			    int64_t sum[EIE_ROW_LANES])
{
	chunk_sums_simd(v, c, sum, false, false);
}

__attribute__((target("avx2")))
static void chunk_sums_table(const struct rows_vec *v, uint32_t c,
			     int64_t sum[EIE_ROW_LANES])
{
	chunk_sums_simd(v, c, sum, false, true);
}

__attribute__((target("avx2,avx512f,avx512vl")))
static void chunk_sums_avx512vl(const struct rows_vec *v, uint32_t c,
				int64_t sum[EIE_ROW_LANES])
{
	chunk_sums_simd(v, c, sum, true, false);
}
#endif

/*
 * Up to this size a vector's products, every input times every weight, are
 * a table its slots index directly (one gather a slot, no permute and no
 * multiply): while it stays in the first-level cache that is faster.
 */
#define EIE_ROWS_TABLE_BYTES	(48u << 10)

static bool rows_table_fits(const struct eie_layer *l)
{
	return ((size_t)l->cols << l->wbits) * sizeof(int32_t) <=
	       EIE_ROWS_TABLE_BYTES;
}

/* ... and worth it when the slots are many more than the products */
static bool rows_table(const struct eie_decoded *d)
{
	const struct eie_layer *l = d->layer;

	return rows_table_fits(l) &&
	       d->rows.start[d->rows.chunks] >= 4 * ((uint64_t)l->cols << l->wbits);
}

/* The workspace's inputs and 256 weights as int32; the table follows. */
static size_t rows_values_bytes(const struct eie_layer *l)
{
	return eie_align8(((size_t)l->cols + 256) * sizeof(int32_t));
}

size_t eie_rows_ws_size(const struct eie_layer *l)
{
	if (!eie_has_rows_form(l))
		return 0;
	return rows_values_bytes(l) +
	       (rows_table_fits(l) ? ((size_t)l->cols << l->wbits) *
				     sizeof(int32_t) : 0);
}

/* Slots of work between two questions to the poll. */
#define EIE_ROWS_POLL_SLOTS	(1u << 16)

int eie_run_rows(const struct eie_decoded *d, const int16_t *x, int16_t *y,
		 void *ws, uint32_t c0, uint32_t c1, const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;
	const unsigned int shift = l->in_frac + l->w_frac - l->out_frac;
	void (*chunk_sums)(const struct rows_vec *, uint32_t, int64_t *) =
		chunk_sums_baseline;
	int32_t *x32 = ws, *cb = x32 + l->cols;
	uint64_t since_poll = 0;
	struct rows_vec v = {
		.r = &d->rows, .x = x32, .cb = cb, .cb_len = l->codebook_len,
	};

	for (uint32_t j = 0; j < l->cols; j++)
		x32[j] = x[j];
	memset(cb, 0, 256 * sizeof(*cb));
	for (uint32_t k = 0; k < l->codebook_len; k++)
		cb[k] = l->codebook[k];
	if (rows_table(d)) {
		int32_t *prod = (int32_t *)((uint8_t *)ws +
					    rows_values_bytes(l));
		const uint32_t n = 1u << l->wbits;

		/* a slot's value is its product's place: column << wbits | w */
		for (uint32_t j = 0; j < l->cols; j++)
			for (uint32_t k = 0; k < n; k++)
				prod[j * n + k] = x32[j] * cb[k];
		v.prod = prod;
	}
#if EIE_HAVE_AVX2
	if (eie_use_avx2())
		chunk_sums = v.prod ? chunk_sums_table :
			     eie_use_avx512vl() ? chunk_sums_avx512vl :
						  chunk_sums_avx2;
#endif
	for (uint32_t c = c0; c < c1; c++) {
		int64_t sum[EIE_ROW_LANES];

		since_poll += d->rows.start[c + 1] - d->rows.start[c];
		if (since_poll >= EIE_ROWS_POLL_SLOTS) {
			since_poll = 0;
			if (eie_poll_stop(poll))
				return -ECANCELED;
		}
		chunk_sums(&v, c, sum);
		for (uint32_t k = 0; k < EIE_ROW_LANES; k++) {
			uint32_t at = c * EIE_ROW_LANES + k, i;

			if (at >= l->rows)
				break;
			i = (uint32_t)d->rows.order[at];
			y[i] = eie_finish(sum[k] + (l->bias ? l->bias[i] : 0),
					  l->relu, shift);
		}
	}
	return 0;
}
