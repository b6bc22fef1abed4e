// SPDX-License-Identifier: MIT
/*
 * Float inputs to fixed point, many at a time. The SSE2 loop is the
 * definition in dp_quant.h evaluated with the FPU: v * 2^frac is exact
 * (a power of two; an overflow is an infinity, which saturates anyway),
 * MINPS against 32767 comes first because it returns its second operand
 * for a NaN (NaN -> 32767), and CVTPS2DQ rounds to nearest even in the
 * default MXCSR mode, which nothing in the device or libaccel changes.
 * Subnormal inputs scale to below 2^-111 and round to 0 as they must.
 */

#include "dp_quant.h"

#if defined(__SSE2__) && defined(__BYTE_ORDER__) && \
	__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#include <emmintrin.h>

static size_t quant_sse2(const uint8_t *src, int16_t *dst, size_t n,
			 unsigned int frac)
{
	const __m128 scale = _mm_set1_ps((float)(1u << frac));
	const __m128 hi = _mm_set1_ps(32767.0f), lo = _mm_set1_ps(-32768.0f);
	size_t k = 0;

	for (; k + 8 <= n; k += 8) {
		__m128 a = _mm_loadu_ps((const float *)(const void *)(src + 4 * k));
		__m128 b = _mm_loadu_ps((const float *)(const void *)(src + 4 * k + 16));
		__m128i qa, qb;

		a = _mm_max_ps(_mm_min_ps(_mm_mul_ps(a, scale), hi), lo);
		b = _mm_max_ps(_mm_min_ps(_mm_mul_ps(b, scale), hi), lo);
		qa = _mm_cvtps_epi32(a);
		qb = _mm_cvtps_epi32(b);
		_mm_storeu_si128((__m128i *)(void *)(dst + k), _mm_packs_epi32(qa, qb));
	}
	return k;
}
#else
static size_t quant_sse2(const uint8_t *src, int16_t *dst, size_t n,
			 unsigned int frac)
{
	(void)src, (void)dst, (void)n, (void)frac;
	return 0;
}
#endif

void dp_quant_f32_le(const void *src, int16_t *dst, size_t n,
		     unsigned int frac)
{
	const uint8_t *s = src;
	size_t k = quant_sse2(s, dst, n, frac);

	for (; k < n; k++) {
		const uint8_t *b = s + 4 * k;

		dst[k] = dp_quant_f32_bits((uint32_t)b[0] | (uint32_t)b[1] << 8 |
					   (uint32_t)b[2] << 16 |
					   (uint32_t)b[3] << 24, frac);
	}
}
