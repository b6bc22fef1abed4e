// SPDX-License-Identifier: MIT
/* The weight-stationary form of dp_conv_run() (dp_conv_rows.h). */
#include <errno.h>
#include <string.h>

#include "dp_conv.h"
#include "dp_conv_rows.h"
#include "eie_entry.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
/* AVX2, where the compiler can target it and the CPU has it (at run time) */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define HAVE_AVX2_PATH	1
#endif

/* Output pixels of one block; xpad has this many values of slack. */
#define BLOCK	16
#define SLACK	BLOCK

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

static uint64_t padded_values(const struct dp_conv *c)
{
	const struct dp_window *w = &c->win;

	return (uint64_t)c->in_channels * (w->in_h + 2u * w->pad_h) *
	       (w->in_w + 2u * w->pad_w) + SLACK;
}

bool dp_conv_rows_fits(const struct dp_conv *c)
{
	return c->win.stride_w == 1 && padded_values(c) <= (1u << 22);
}

size_t dp_conv_rows_size(const struct dp_conv *c)
{
	const struct eie_layer *f = &c->filters;

	return align8(((size_t)f->rows + 1) * sizeof(uint32_t)) +
	       align8((size_t)f->entry_count * sizeof(uint32_t)) +
	       align8((size_t)f->entry_count * sizeof(int16_t));
}

size_t dp_conv_rows_xpad_size(const struct dp_conv *c)
{
	return align8(padded_values(c) * sizeof(int32_t));
}

/*
 * Each PE's runs in order, column by column: fn(j, k, widx) for each
 * non-padding entry (filter k, column j), and the column's entries and
 * padding into colcount when it is not NULL.
 */
#define FOR_EACH_ENTRY(f, colcount, BODY)					\
	for (uint32_t pe_ = 0; pe_ < (f)->pes; pe_++) {			\
		const uint32_t *ptr_ = (f)->colptr + (size_t)pe_ * ((f)->cols + 1); \
									\
		for (uint32_t j = 0; j < (f)->cols; j++) {		\
			uint32_t local_ = 0, pad_ = 0;			\
									\
			for (uint32_t e_ = ptr_[j]; e_ < ptr_[j + 1]; e_++) { \
				unsigned int v_ = eie_entry_at((f)->entries, e_, bytes); \
				unsigned int widx = DCACCEL_EIE_ENTRY_WIDX(v_, (f)->zbits); \
									\
				local_ += DCACCEL_EIE_ENTRY_Z(v_, (f)->zbits); \
				if (widx == DCACCEL_EIE_PAD_INDEX) {	\
					pad_++;				\
				} else {				\
					uint32_t k = local_ * (f)->pes + pe_; \
									\
					BODY				\
				}					\
				local_++;				\
			}						\
			if (colcount) {					\
				(colcount)[2 * j] += ptr_[j + 1] - ptr_[j]; \
				(colcount)[2 * j + 1] += pad_;		\
			}						\
		}							\
	}

void dp_conv_rows_build(const struct dp_conv *c, uint32_t *per_row,
			uint32_t *colcount, uint64_t *max_row, void *buf,
			struct dp_conv_rows *r)
{
	const struct eie_layer *f = &c->filters;
	const struct dp_window *w = &c->win;
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits);
	uint32_t *no_count = NULL;
	uint8_t *p = buf;
	uint32_t sum = 0;

	r->hp = w->in_h + 2u * w->pad_h;
	r->wp = w->in_w + 2u * w->pad_w;
	r->start = (uint32_t *)p;
	p += align8(((size_t)f->rows + 1) * sizeof(uint32_t));
	r->off = (uint32_t *)p;
	p += align8((size_t)f->entry_count * sizeof(uint32_t));
	r->wv = (int16_t *)p;

	memset(per_row, 0, (size_t)f->rows * sizeof(*per_row));
	memset(colcount, 0, (size_t)f->cols * 2 * sizeof(*colcount));
	FOR_EACH_ENTRY(f, colcount, (void)widx; (void)j; per_row[k]++;)
	/* per_row becomes each filter's next free slot */
	*max_row = 0;
	for (uint32_t k = 0; k < f->rows; k++) {
		*max_row = per_row[k] > *max_row ? per_row[k] : *max_row;
		r->start[k] = sum;
		sum += per_row[k];
		per_row[k] = r->start[k];
	}
	r->start[f->rows] = sum;
	/* PE by PE: a PE's filters' lists fill in order, a few at a time */
	FOR_EACH_ENTRY(f, no_count,
		uint32_t slot = per_row[k]++;
		uint32_t ch = j / (w->kernel_h * w->kernel_w);

		r->off[slot] = (ch * r->hp + j / w->kernel_w % w->kernel_h) *
			       r->wp + j % w->kernel_w;
		r->wv[slot] = f->codebook[widx];)
}

/* The map into xpad, zeros around it and after it. */
static void pad_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		    const int16_t *x, int32_t *xpad)
{
	const struct dp_window *w = &c->win;

	memset(xpad, 0, padded_values(c) * sizeof(*xpad));
	for (uint32_t ch = 0; ch < c->in_channels; ch++)
		for (uint32_t iy = 0; iy < w->in_h; iy++) {
			int32_t *to = xpad + ((size_t)ch * r->hp + iy + w->pad_h) *
					       r->wp + w->pad_w;

			for (uint32_t ix = 0; ix < w->in_w; ix++)
				to[ix] = *x++;
		}
}

/*
 * out[0 .. n) (n <= BLOCK) = the sums of weights [e0, e1) over the
 * values from `from` on: out[i] += wv[e] x from[off[e] + i].
 */
static void block(const struct dp_conv_rows *r, uint32_t e0, uint32_t e1,
		  const int32_t *from, int32_t *out, uint32_t n)
{
#if defined(__SSE2__)
	__m128i a0 = _mm_setzero_si128(), a1 = a0, a2 = a0, a3 = a0;
	int32_t tmp[BLOCK];

	/* x's low half times the weight plus x's high half times 0: x w */
	for (uint32_t e = e0; e < e1; e++) {
		const __m128i *p = (const __m128i *)(from + r->off[e]);
		const __m128i wv = _mm_set1_epi32((uint16_t)r->wv[e]);

		a0 = _mm_add_epi32(a0, _mm_madd_epi16(_mm_loadu_si128(p), wv));
		if (n > 4)
			a1 = _mm_add_epi32(a1, _mm_madd_epi16(_mm_loadu_si128(p + 1), wv));
		if (n > 8) {
			a2 = _mm_add_epi32(a2, _mm_madd_epi16(_mm_loadu_si128(p + 2), wv));
			a3 = _mm_add_epi32(a3, _mm_madd_epi16(_mm_loadu_si128(p + 3), wv));
		}
	}
	_mm_storeu_si128((__m128i *)tmp, a0);
	_mm_storeu_si128((__m128i *)tmp + 1, a1);
	_mm_storeu_si128((__m128i *)tmp + 2, a2);
	_mm_storeu_si128((__m128i *)tmp + 3, a3);
	memcpy(out, tmp, n * sizeof(*out));
#else
	memset(out, 0, n * sizeof(*out));
	for (uint32_t e = e0; e < e1; e++) {
		const int32_t *p = from + r->off[e];
		const int32_t wv = r->wv[e];

		for (uint32_t i = 0; i < n; i++)
			out[i] += wv * p[i];
	}
#endif
}

#ifdef HAVE_AVX2_PATH
/*
 * block() for two output rows at once, `pitch` values apart in xpad and
 * out_w apart in out, eight pixels per AVX2 multiply-add.
 */
__attribute__((target("avx2")))
static void block2_avx2(const struct dp_conv_rows *r, uint32_t e0,
			uint32_t e1, const int32_t *from, size_t pitch,
			int32_t *out, uint32_t out_w, uint32_t n)
{
	__m256i a0 = _mm256_setzero_si256(), a1 = a0, b0 = a0, b1 = a0;
	int32_t tmp[4][8];

	for (uint32_t e = e0; e < e1; e++) {
		const int32_t *p = from + r->off[e];
		const __m256i wv = _mm256_set1_epi32((uint16_t)r->wv[e]);

		a0 = _mm256_add_epi32(a0, _mm256_madd_epi16(
			_mm256_loadu_si256((const __m256i *)p), wv));
		b0 = _mm256_add_epi32(b0, _mm256_madd_epi16(
			_mm256_loadu_si256((const __m256i *)(p + pitch)), wv));
		if (n > 8) {
			a1 = _mm256_add_epi32(a1, _mm256_madd_epi16(
				_mm256_loadu_si256((const __m256i *)(p + 8)), wv));
			b1 = _mm256_add_epi32(b1, _mm256_madd_epi16(
				_mm256_loadu_si256((const __m256i *)(p + pitch + 8)),
				wv));
		}
	}
	_mm256_storeu_si256((__m256i *)tmp[0], a0);
	_mm256_storeu_si256((__m256i *)tmp[1], a1);
	_mm256_storeu_si256((__m256i *)tmp[2], b0);
	_mm256_storeu_si256((__m256i *)tmp[3], b1);
	memcpy(out, tmp[0], n * sizeof(*out));
	memcpy(out + out_w, tmp[2], n * sizeof(*out));
}

static bool cpu_has_avx2(void)
{
	return __builtin_cpu_supports("avx2");
}
#endif

int dp_conv_rows_map64(const struct dp_conv *c, const struct dp_conv_rows *r,
		       const int16_t *x, int32_t *xpad, int64_t *sums,
		       const struct eie_poll *poll)
{
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);

	pad_map(c, r, x, xpad);
	for (uint32_t k = 0; k < c->filters.rows; k++) {
		int64_t *out = sums + (size_t)k * out_h * out_w;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		memset(out, 0, (size_t)out_h * out_w * sizeof(*out));
		for (uint32_t e = r->start[k]; e < r->start[k + 1]; e++) {
			const int32_t wv = r->wv[e];

			for (uint32_t oy = 0; oy < out_h; oy++) {
				const int32_t *in = xpad + r->off[e] +
						    (size_t)oy * w->stride_h * r->wp;
				int64_t *o = out + (size_t)oy * out_w;

				for (uint32_t ox = 0; ox < out_w; ox++)
					o[ox] += wv * in[ox];
			}
		}
	}
	return 0;
}

int dp_conv_rows_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		     const int16_t *x, int32_t *xpad, int32_t *sums,
		     const struct eie_poll *poll)
{
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
#ifdef HAVE_AVX2_PATH
	const bool avx2 = cpu_has_avx2();
#endif

	pad_map(c, r, x, xpad);
	for (uint32_t k = 0; k < c->filters.rows; k++) {
		uint32_t oy = 0;

		if (eie_poll_stop(poll))
			return -ECANCELED;
#ifdef HAVE_AVX2_PATH
		for (; avx2 && oy + 1 < out_h; oy += 2) {
			const int32_t *row = xpad + (size_t)oy * w->stride_h * r->wp;
			int32_t *out = sums + ((size_t)k * out_h + oy) * out_w;

			for (uint32_t ox = 0; ox < out_w; ox += BLOCK)
				block2_avx2(r, r->start[k], r->start[k + 1],
					    row + ox, (size_t)w->stride_h * r->wp,
					    out + ox, out_w,
					    out_w - ox < BLOCK ? out_w - ox : BLOCK);
		}
#endif
		for (; oy < out_h; oy++) {
			const int32_t *row = xpad + (size_t)oy * w->stride_h * r->wp;
			int32_t *out = sums + ((size_t)k * out_h + oy) * out_w;

			for (uint32_t ox = 0; ox < out_w; ox += BLOCK)
				block(r, r->start[k], r->start[k + 1], row + ox,
				      out + ox, out_w - ox < BLOCK ? out_w - ox : BLOCK);
		}
	}
	return 0;
}
