// SPDX-License-Identifier: MIT
/* The weight-stationary form of dp_conv_run() (dp_conv_rows.h). */
#include <errno.h>
#include <string.h>

#include "dp_conv.h"
#include "dp_conv_rows.h"
#include "eie_arith.h"
#include "eie_entry.h"

#include "dp_isa.h"
#ifdef DP_HAVE_X86_PATHS
#include <immintrin.h>
#endif

/*
 * Flat positions per tile: each path keeps a tile's sums in registers
 * (eight accumulators) while it runs a filter's pairs over it; the map
 * has a tile and a pair's neighbour of slack after it.
 */
#define TILE_GENERIC	32
#define TILE_AVX2	64
#define TILE_AVX512	128
#define TILE_MAX	TILE_AVX512
#define SLACK		(TILE_MAX + 2)

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

	return eie_align8(((size_t)f->rows + 1) * sizeof(uint32_t)) +
	       2 * eie_align8((size_t)f->entry_count * sizeof(uint32_t));
}

size_t dp_conv_rows_xpad_size(const struct dp_conv *c)
{
	return eie_align8(padded_values(c) * sizeof(uint32_t));
}

/*
 * Pair filter k's weights in place: its singles are in column order, so
 * taps s and s + 1 of one kernel row are neighbours in the list and in
 * the map. Returns the number of pairs.
 */
static uint32_t pair_up(uint32_t *off, uint32_t *w, uint32_t n)
{
	uint32_t out = 0;

	for (uint32_t i = 0; i < n; out++) {
		uint32_t wa = w[i] & 0xffff, wb = 0, at = off[i];

		if (i + 1 < n && off[i + 1] == at + 1) {
			wb = w[i + 1] & 0xffff;
			i += 2;
		} else {
			i++;
		}
		off[out] = at;
		w[out] = wa | wb << 16;
	}
	return out;
}

/*
 * A layer's streams as locals: the loops below write uint32_t arrays,
 * which the compiler must otherwise assume may change the layer's fields
 * and read them again for every entry.
 */
struct walk {
	const uint32_t *colptr;
	const uint8_t *entries;
	uint32_t pes, cols;
	unsigned int bytes, zbits, zmask;
};

/* Count each filter's weights into per_row and each column's entries and
 * padding (over all PEs) into colcount. */
static void count_entries(const struct walk *w, uint32_t *per_row,
			  uint32_t *colcount)
{
	for (uint32_t pe = 0; pe < w->pes; pe++) {
		const uint32_t *ptr = w->colptr + (size_t)pe * (w->cols + 1);

		for (uint32_t j = 0; j < w->cols; j++) {
			uint32_t local = 0, pad = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(w->entries, e, w->bytes);

				local += v & w->zmask;
				if (v >> w->zbits == DCACCEL_EIE_PAD_INDEX)
					pad++;
				else
					per_row[local * w->pes + pe]++;
				local++;
			}
			colcount[2 * j] += ptr[j + 1] - ptr[j];
			colcount[2 * j + 1] += pad;
		}
	}
}

void dp_conv_rows_build(const struct dp_conv *c, uint32_t *per_row,
			uint32_t *colcount, uint64_t *max_row, void *buf,
			struct dp_conv_rows *r)
{
	const struct eie_layer *f = &c->filters;
	const struct dp_window *win = &c->win;
	const struct walk w = {
		.colptr = f->colptr, .entries = f->entries, .pes = f->pes,
		.cols = f->cols,
		.bytes = DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits),
		.zbits = f->zbits, .zmask = (1u << f->zbits) - 1,
	};
	const int16_t *codebook = f->codebook;
	const uint32_t kw = win->kernel_w, kh = win->kernel_h;
	uint8_t *p = buf;
	uint32_t sum = 0, pairs = 0;

	r->hp = win->in_h + 2u * win->pad_h;
	r->wp = win->in_w + 2u * win->pad_w;
	r->start = (uint32_t *)p;
	p += eie_align8(((size_t)f->rows + 1) * sizeof(uint32_t));
	r->off = (uint32_t *)p;
	p += eie_align8((size_t)f->entry_count * sizeof(uint32_t));
	r->wpair = (uint32_t *)p;

	memset(per_row, 0, (size_t)f->rows * sizeof(*per_row));
	memset(colcount, 0, (size_t)f->cols * 2 * sizeof(*colcount));
	count_entries(&w, per_row, colcount);
	/* per_row becomes each filter's next free slot */
	*max_row = 0;
	for (uint32_t k = 0; k < f->rows; k++) {
		*max_row = per_row[k] > *max_row ? per_row[k] : *max_row;
		r->start[k] = sum;
		sum += per_row[k];
		per_row[k] = r->start[k];
	}
	r->start[f->rows] = sum;
	/*
	 * PE by PE: a PE's filters' lists fill in column order. Column j's
	 * offset in the map follows (c, r, s) as j counts up: no divisions.
	 */
	for (uint32_t pe = 0; pe < w.pes && pe < f->rows; pe++) {
		const uint32_t *ptr = w.colptr + (size_t)pe * (w.cols + 1);
		const uint32_t wp = r->wp, next_plane = wp * (r->hp - kh + 1);
		uint32_t *off = r->off, *wpair = r->wpair;
		uint32_t s = 0, rr = 0, at = 0, row_at = 0;

		for (uint32_t j = 0; j < w.cols; j++) {
			uint32_t local = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(w.entries, e, w.bytes);
				unsigned int widx = v >> w.zbits;

				local += v & w.zmask;
				if (widx != DCACCEL_EIE_PAD_INDEX) {
					uint32_t slot = per_row[local * w.pes + pe]++;

					off[slot] = at;
					wpair[slot] = (uint16_t)codebook[widx];
				}
				local++;
			}
			/* the next column: s, then r, then the channel */
			if (++s < kw) {
				at++;
			} else if (s = 0, ++rr < kh) {
				at = row_at += wp;
			} else {
				rr = 0;
				/* the next channel's plane starts hp rows on */
				at = row_at += next_plane;
			}
		}
	}
	/* then pairs, packed to the front filter by filter */
	for (uint32_t k = 0; k < f->rows; k++) {
		uint32_t from = r->start[k], n = r->start[k + 1] - from;

		memmove(r->off + pairs, r->off + from, n * sizeof(*r->off));
		memmove(r->wpair + pairs, r->wpair + from, n * sizeof(*r->wpair));
		r->start[k] = pairs;
		pairs += pair_up(r->off + pairs, r->wpair + pairs, n);
	}
	r->start[f->rows] = pairs;
}

/*
 * The map padded, as pairs of neighbours: lane i holds x[i] in its low
 * half and x[i + 1] in its high half; zeros around it and after it.
 */
static void pair_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		     const int16_t *x, uint32_t *xpad)
{
	const struct dp_window *w = &c->win;
	const size_t n = padded_values(c);
	uint16_t *half = (uint16_t *)xpad + n;	/* the map in the top half */

	memset(half, 0, n * sizeof(*half));
	for (uint32_t ch = 0; ch < c->in_channels; ch++)
		for (uint32_t iy = 0; iy < w->in_h; iy++) {
			uint16_t *to = half + ((size_t)ch * r->hp + iy + w->pad_h) *
					      r->wp + w->pad_w;

			memcpy(to, x, w->in_w * sizeof(*x));
			x += w->in_w;
		}
	/* front to back: lane i is written after value i was read */
	for (size_t i = 0; i + 1 < n; i++)
		xpad[i] = half[i] | (uint32_t)half[i + 1] << 16;
	xpad[n - 1] = half[n - 1];
}

/* lane i of a pair times the weights of w: wa x[i] + wb x[i + 1] */
static inline int64_t pair_mac(uint32_t lane, uint32_t w)
{
	return (int64_t)(int16_t)lane * (int16_t)w +
	       (int64_t)(int16_t)(lane >> 16) * (int16_t)(w >> 16);
}

/*
 * out[0 .. TILE) = filter pairs [e0, e1) over the flat positions from
 * `from` on. Sums wrap modulo 2^32 in the vector paths and in unsigned
 * arithmetic here; the caller has made sure no exact sum needs more.
 */
static void tile_generic(const struct dp_conv_rows *r, uint32_t e0,
			 uint32_t e1, const uint32_t *from, int32_t *out)
{
	uint32_t acc[TILE_GENERIC] = { 0 };

	for (uint32_t e = e0; e < e1; e++) {
		const uint32_t *p = from + r->off[e], w = r->wpair[e];

		for (uint32_t i = 0; i < TILE_GENERIC; i++)
			acc[i] += (uint32_t)pair_mac(p[i], w);
	}
	memcpy(out, acc, sizeof(acc));
}

#ifdef DP_HAVE_X86_PATHS
/*
 * Eight accumulators written out, so that they stay in registers (a
 * loop over an array of them is kept in memory by the compiler): STEP(i)
 * adds pair lane block i of the weight's source times its weights.
 */
#define EIGHT(X)	X(0) X(1) X(2) X(3) X(4) X(5) X(6) X(7)

#define TILE_BODY(vec, zero, bcast, STEP, store)			\
	vec a0 = zero, a1 = zero, a2 = zero, a3 = zero;			\
	vec a4 = zero, a5 = zero, a6 = zero, a7 = zero;			\
									\
	for (uint32_t e = e0; e < e1; e++) {				\
		const uint32_t *p = from + r->off[e];			\
		const vec w = bcast((int)r->wpair[e]);			\
									\
		EIGHT(STEP)						\
	}								\
	store(0, a0) store(1, a1) store(2, a2) store(3, a3)		\
	store(4, a4) store(5, a5) store(6, a6) store(7, a7)

#define AVX2_STEP(i)	a##i = _mm256_add_epi32(a##i, _mm256_madd_epi16( \
	_mm256_loadu_si256((const __m256i *)(p + 8 * (i))), w));
#define AVX2_STORE(i, v)	_mm256_storeu_si256((__m256i *)(out + 8 * (i)), v);

__attribute__((target("avx2")))
static void tile_avx2(const struct dp_conv_rows *r, uint32_t e0, uint32_t e1,
		      const uint32_t *from, int32_t *out)
{
	TILE_BODY(__m256i, _mm256_setzero_si256(), _mm256_set1_epi32,
		  AVX2_STEP, AVX2_STORE)
}

#define AVX512_STEP(i)	a##i = _mm512_add_epi32(a##i, _mm512_madd_epi16( \
	_mm512_loadu_si512(p + 16 * (i)), w));
#define VNNI_STEP(i)	a##i = _mm512_dpwssd_epi32(a##i,		\
	_mm512_loadu_si512(p + 16 * (i)), w);
#define AVX512_STORE(i, v)	_mm512_storeu_si512(out + 16 * (i), v);

__attribute__((target("avx512f,avx512bw")))
static void tile_avx512(const struct dp_conv_rows *r, uint32_t e0,
			uint32_t e1, const uint32_t *from, int32_t *out)
{
	TILE_BODY(__m512i, _mm512_setzero_si512(), _mm512_set1_epi32,
		  AVX512_STEP, AVX512_STORE)
}

/* the same with VNNI: the multiply-add and the add in one instruction */
__attribute__((target("avx512f,avx512bw,avx512vnni")))
static void tile_avx512_vnni(const struct dp_conv_rows *r, uint32_t e0,
			     uint32_t e1, const uint32_t *from, int32_t *out)
{
	TILE_BODY(__m512i, _mm512_setzero_si512(), _mm512_set1_epi32,
		  VNNI_STEP, AVX512_STORE)
}
#endif

typedef void tile_fn(const struct dp_conv_rows *r, uint32_t e0, uint32_t e1,
		     const uint32_t *from, int32_t *out);



/*
 * The stretches of flat positions a map's outputs come from: with
 * stride_h 1 one of (out_h - 1) wp + out_w positions from 0, otherwise
 * out_h of out_w, row oy's from oy stride_h wp. Output (oy, ox) is
 * position (oy - first_row) wp + ox of the stretch that holds row oy.
 */
struct stretch {
	uint32_t rows_per;	/* output rows per stretch */
	uint32_t count;
	uint64_t len;		/* positions in each */
};

static struct stretch stretches(const struct dp_conv *c,
				const struct dp_conv_rows *r)
{
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);

	if (w->stride_h == 1)
		return (struct stretch){ out_h, 1,
					 (uint64_t)(out_h - 1) * r->wp + out_w };
	return (struct stretch){ 1, out_h, out_w };
}

/* The outputs of a filter's tile: sums plus bias, finished (eie_finish()). */
struct finish {
	int64_t bias;
	bool relu;
	unsigned int shift;
	bool fits32;	/* every sum + bias + rounding fits 32 bits */
};

static void finish_generic(const int32_t *sums, int16_t *y, uint32_t n,
			   const struct finish *f)
{
	for (uint32_t i = 0; i < n; i++)
		y[i] = eie_finish(sums[i] + f->bias, f->relu, f->shift);
}

#ifdef DP_HAVE_X86_PATHS
/*
 * Sixteen lanes at a time in 64 bits: the rounding added with the bias,
 * the arithmetic shift, ReLU after it (a negative sum shifts to at most
 * 0, so the order does not matter), saturation to 16 bits; the last
 * lanes under a mask.
 */
__attribute__((target("avx512f,avx512bw,avx512vl")))
static void finish_avx512(const int32_t *sums, int16_t *y, uint32_t n,
			  const struct finish *f)
{
	const int64_t add64 = f->bias + (f->shift ? (int64_t)1 << (f->shift - 1) : 0);
	const __m128i count = _mm_cvtsi32_si128((int)f->shift);

	if (f->fits32) {	/* the same in 32 bits: half the instructions */
		const __m512i add = _mm512_set1_epi32((int)add64);
		const __m512i floor = _mm512_set1_epi32(f->relu ? 0 : INT32_MIN);

		for (uint32_t i = 0; i < n; i += 16) {
			__mmask16 m = n - i >= 16 ? 0xffff :
				      (__mmask16)((1u << (n - i)) - 1);
			__m512i v = _mm512_add_epi32(_mm512_maskz_loadu_epi32(m, sums + i),
						     add);

			v = _mm512_max_epi32(_mm512_sra_epi32(v, count), floor);
			_mm256_mask_storeu_epi16(y + i, m, _mm512_cvtsepi32_epi16(v));
		}
		return;
	}
	const __m512i add = _mm512_set1_epi64(add64);
	const __m512i floor = _mm512_set1_epi64(f->relu ? 0 : INT64_MIN);

	for (uint32_t i = 0; i < n; i += 16) {
		__mmask16 m = n - i >= 16 ? 0xffff : (__mmask16)((1u << (n - i)) - 1);
		__m512i s = _mm512_maskz_loadu_epi32(m, sums + i);
		__m512i lo = _mm512_cvtepi32_epi64(_mm512_castsi512_si256(s));
		__m512i hi = _mm512_cvtepi32_epi64(_mm512_extracti64x4_epi64(s, 1));

		lo = _mm512_max_epi64(_mm512_sra_epi64(_mm512_add_epi64(lo, add),
						       count), floor);
		hi = _mm512_max_epi64(_mm512_sra_epi64(_mm512_add_epi64(hi, add),
						       count), floor);
		_mm256_mask_storeu_epi16(y + i, m, _mm256_inserti128_si256(
			_mm256_castsi128_si256(_mm512_cvtsepi64_epi16(lo)),
			_mm512_cvtsepi64_epi16(hi), 1));
	}
}
#endif

typedef void finish_fn(const int32_t *sums, int16_t *y, uint32_t n,
		       const struct finish *f);

/* A path: its tile kernel and length, and how it finishes outputs. */
struct tile_path {
	tile_fn *fn;
	uint32_t len;
	finish_fn *finish;
};

static struct tile_path tile_path(void)
{
#ifdef DP_HAVE_X86_PATHS
	if (dp_isa_use(DP_ISA_AVX512))
		return (struct tile_path){
			__builtin_cpu_supports("avx512vnni") ? tile_avx512_vnni :
							       tile_avx512,
			TILE_AVX512, finish_avx512 };
	if (dp_isa_use(DP_ISA_AVX2))
		return (struct tile_path){ tile_avx2, TILE_AVX2, finish_generic };
#endif
	return (struct tile_path){ tile_generic, TILE_GENERIC, finish_generic };
}

/* A stretch of a tile's positions that is a piece of one output row. */
struct tile_run {
	uint32_t from;		/* its first position, from the tile's */
	uint32_t to;		/* its first output, from the plane's */
	uint32_t len;
};

/*
 * The row pieces of the tile at positions [p0, p0 + n) of a stretch
 * whose first output row is first_row; the positions between rows are
 * dropped. The same for every filter: found once per tile.
 */
static uint32_t tile_runs(uint64_t p0, uint32_t n, uint32_t first_row,
			  uint32_t wp, uint32_t out_w, struct tile_run *runs)
{
	uint32_t oy = (uint32_t)(p0 / wp), ox = (uint32_t)(p0 % wp), count = 0;

	for (uint32_t i = 0; i < n;) {
		uint32_t len = out_w - ox < n - i ? out_w - ox : n - i;

		if (ox < out_w) {
			runs[count++] = (struct tile_run){ i, (first_row + oy) *
							   out_w + ox, len };
			i += len;
			ox += len;
		}
		if (ox >= out_w) {	/* the rest of the row is dropped */
			i += wp - ox;
			oy++;
			ox = 0;
		}
	}
	return count;
}

int dp_conv_rows_map(const struct dp_conv *c, const struct dp_conv_rows *r,
		     const int16_t *x, uint32_t *xpad, int16_t *y,
		     uint64_t bound, const struct eie_poll *poll)
{
	const struct eie_layer *f = &c->filters;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const size_t plane = (size_t)out_h * out_w;
	const struct tile_path path = tile_path();
	const struct stretch st = stretches(c, r);
	const unsigned int shift = f->in_frac + f->w_frac - f->out_frac;
	struct tile_run runs[TILE_MAX];
	int32_t sums[TILE_MAX];

	pair_map(c, r, x, xpad);
	/* tiles outer: the rows of the map a tile reads stay in the cache */
	for (uint32_t s = 0; s < st.count; s++) {
		const uint32_t *base = xpad + (uint64_t)s * w->stride_h * r->wp;

		for (uint64_t p0 = 0; p0 < st.len; p0 += path.len) {
			uint32_t n = st.len - p0 < path.len ? st.len - p0 : path.len;
			uint32_t nruns = tile_runs(p0, n, s * st.rows_per, r->wp,
						   out_w, runs);

			for (uint32_t k = 0; k < f->rows; k++) {
				const int64_t bias = f->bias ? f->bias[k] : 0;
				const struct finish fin = {
					.bias = bias, .relu = f->relu,
					.shift = shift,
					.fits32 = bound + (uint64_t)(bias < 0 ? -bias : bias) +
						  (1u << shift) <= INT32_MAX,
				};

				if (eie_poll_stop(poll))
					return -ECANCELED;
				path.fn(r, r->start[k], r->start[k + 1],
					base + p0, sums);
				for (uint32_t i = 0; i < nruns; i++)
					path.finish(sums + runs[i].from,
						    y + k * plane + runs[i].to,
						    runs[i].len, &fin);
			}
		}
	}
	return 0;
}

int dp_conv_rows_map64(const struct dp_conv *c, const struct dp_conv_rows *r,
		       const int16_t *x, uint32_t *xpad, int64_t *sums,
		       const struct eie_poll *poll)
{
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);

	pair_map(c, r, x, xpad);
	for (uint32_t k = 0; k < c->filters.rows; k++) {
		int64_t *out = sums + (size_t)k * out_h * out_w;

		if (eie_poll_stop(poll))
			return -ECANCELED;
		memset(out, 0, (size_t)out_h * out_w * sizeof(*out));
		for (uint32_t e = r->start[k]; e < r->start[k + 1]; e++) {
			const uint32_t wv = r->wpair[e];

			for (uint32_t oy = 0; oy < out_h; oy++) {
				const uint32_t *in = xpad + r->off[e] +
						     (size_t)oy * w->stride_h * r->wp;
				int64_t *o = out + (size_t)oy * out_w;

				for (uint32_t ox = 0; ox < out_w; ox++)
					o[ox] += pair_mac(in[ox], wv);
			}
		}
	}
	return 0;
}
