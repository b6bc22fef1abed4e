/* SPDX-License-Identifier: MIT */
/*
 * What the bit-plane FC layer and convolution share: the popcounts of a
 * plane pair over some words with the padding bits masked, and the dot
 * product they give by the planes' kinds (hardware.rst, "Bit-plane
 * layers").
 */
#ifndef DCACCEL_DP_PLANES_H
#define DCACCEL_DP_PLANES_H

#include <stdbool.h>
#include <stdint.h>

#include "dp_isa.h"

#include "dcaccel/dcaccel_bitplane.h"

/*
 * On x86-64 the functions that count planes come in two forms, one with
 * the POPCNT instruction, chosen when the program loads (GCC's and
 * clang's target_clones): without it every popcount is a libgcc call,
 * three quarters of the bit-plane op's time. arm64's is an instruction.
 * GCC on glibc only: the clones are chosen by an ifunc, which needs
 * both; clang 14 (the fuzzers') emits the dispatcher of an exported
 * function only where it is called, and the link fails.
 */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && \
	defined(__ELF__) && defined(__GLIBC__) && defined(__has_attribute)
#if __has_attribute(target_clones) && !defined(__SANITIZE_ADDRESS__)
#define DP_POPCNT_CLONES	__attribute__((target_clones("popcnt", "default")))
#endif
#endif
#ifndef DP_POPCNT_CLONES
#define DP_POPCNT_CLONES
#endif

struct dp_pair_counts {
	uint64_t both;		/* popcount(w AND a) */
	uint64_t agree;		/* popcount(XNOR(w, a)) */
	uint64_t ones_w, ones_a;
	uint64_t bits;		/* n: the valid bits counted */
};

/* The valid bits of the last of n bits' words. */
static inline uint64_t dp_last_word_mask(uint32_t n)
{
	const uint32_t tail = n % DCACCEL_PLANE_WORD_BITS;

	return tail ? ((uint64_t)1 << tail) - 1 : UINT64_MAX;
}

/*
 * Into pc, a pair of n valid bits: c its differences (both kinds SIGNED)
 * or its AND's ones, `ones` the ones of the SIGNED plane's partner that
 * the dot product reads (mixed kinds).
 */
__attribute__((always_inline))
static inline void dp_pair_add(struct dp_pair_counts *pc, uint32_t n,
			       uint64_t c, uint64_t ones, int ws, int as)
{
	if (ws && as) {
		/* agreements are the valid bits less the differences */
		pc->agree += n - c;
	} else {
		pc->both += c;
		if (ws)
			pc->ones_a += ones;
		else if (as)
			pc->ones_w += ones;
	}
	pc->bits += n;
}

/*
 * Add the n valid bits of w and a (ceil(n / 64) words each): only the
 * counts the kinds' dot product reads (dp_pair_dot), one popcount per
 * word pair but for the mixed kinds, the last word masked. Always
 * inlined: called out of line, from a POPCNT clone, it is the default
 * form's code, and every popcount a libgcc call again (half of an XNOR-Net
 * LeNet-300-100's time in libaccel's CPU path, perf).
 */
__attribute__((always_inline))
static inline void dp_pair_count(struct dp_pair_counts *pc, const uint64_t *w,
				 const uint64_t *a, uint32_t n, uint8_t w_kind,
				 uint8_t a_kind)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(n);
	const uint64_t last = dp_last_word_mask(n);
	const int ws = w_kind == DCACCEL_PLANE_SIGNED;
	const int as = a_kind == DCACCEL_PLANE_SIGNED;
	uint64_t c = 0, ones = 0;

	if (!words)
		return;
	if (ws && as) {
		for (uint32_t t = 0; t + 1 < words; t++)
			c += __builtin_popcountll(w[t] ^ a[t]);
		c += __builtin_popcountll((w[words - 1] ^ a[words - 1]) & last);
	} else {
		const uint64_t *o = ws ? a : w;	/* whose ones the dot reads */

		for (uint32_t t = 0; t + 1 < words; t++) {
			c += __builtin_popcountll(w[t] & a[t]);
			if (ws || as)
				ones += __builtin_popcountll(o[t]);
		}
		c += __builtin_popcountll(w[words - 1] & a[words - 1] & last);
		if (ws || as)
			ones += __builtin_popcountll(o[words - 1] & last);
	}
	dp_pair_add(pc, n, c, ones, ws, as);
}

/*
 * dp_pair_count() by AVX-512's VPOPCNTQ, eight words an instruction, where
 * dp_isa_use_vpopcnt() says so; called from a function of its target, it
 * is inlined there. The same counts: the last word's padding bits and the
 * words past it are zero in both operands.
 */
#ifdef DP_HAVE_X86_PATHS
#include <immintrin.h>

#define DP_VPOPCNT_TARGET \
	__attribute__((target("avx512f,avx512vpopcntdq,popcnt")))

/*
 * The sum of v's eight words (not _mm512_reduce_add_epi64: GCC 12 warns
 * of the undefined upper half its extract starts from).
 */
DP_VPOPCNT_TARGET
static inline uint64_t dp_sum8(__m512i v)
{
	uint64_t lane[8], sum = 0;

	_mm512_storeu_si512(lane, v);
	for (int i = 0; i < 8; i++)
		sum += lane[i];
	return sum;
}

DP_VPOPCNT_TARGET
static inline void dp_pair_count_vpopcnt(struct dp_pair_counts *pc,
					 const uint64_t *w, const uint64_t *a,
					 uint32_t n, uint8_t w_kind,
					 uint8_t a_kind)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(n);
	const uint64_t last = dp_last_word_mask(n);
	const int ws = w_kind == DCACCEL_PLANE_SIGNED;
	const int as = a_kind == DCACCEL_PLANE_SIGNED;
	__m512i c = _mm512_setzero_si512(), ones = _mm512_setzero_si512();

	for (uint32_t t = 0; t < words; t += 8) {
		const uint32_t left = words - t;
		const __mmask8 k = left >= 8 ? 0xff : (__mmask8)((1u << left) - 1);
		__m512i wv = _mm512_maskz_loadu_epi64(k, w + t);
		__m512i av = _mm512_maskz_loadu_epi64(k, a + t);

		if (left <= 8) {
			const __m512i m = _mm512_mask_set1_epi64(_mm512_set1_epi64(-1),
								 (__mmask8)(1u << (left - 1)),
								 (long long)last);

			wv = _mm512_and_si512(wv, m);
			av = _mm512_and_si512(av, m);
		}
		if (ws && as) {
			c = _mm512_add_epi64(c, _mm512_popcnt_epi64(_mm512_xor_si512(wv, av)));
			continue;
		}
		c = _mm512_add_epi64(c, _mm512_popcnt_epi64(_mm512_and_si512(wv, av)));
		if (ws)
			ones = _mm512_add_epi64(ones, _mm512_popcnt_epi64(av));
		else if (as)
			ones = _mm512_add_epi64(ones, _mm512_popcnt_epi64(wv));
	}
	dp_pair_add(pc, n, dp_sum8(c), dp_sum8(ones), ws, as);
}
#else
#define dp_pair_count_vpopcnt	dp_pair_count
#endif

/* The words from which VPOPCNTQ pays over POPCNT, its setup and sum. */
#define DP_VPOPCNT_MIN_WORDS	4

/*
 * dp_pair_count() by VPOPCNTQ when vp (and the pair is that long) or by
 * POPCNT: for the bit-plane ops' loops, always inlined into a function of
 * each path's target.
 */
__attribute__((always_inline))
static inline void dp_pair_count_by(struct dp_pair_counts *pc,
				    const uint64_t *w, const uint64_t *a,
				    uint32_t n, uint8_t w_kind, uint8_t a_kind,
				    bool vp)
{
	if (vp && DCACCEL_PLANE_WORDS(n) >= DP_VPOPCNT_MIN_WORDS)
		dp_pair_count_vpopcnt(pc, w, a, n, w_kind, a_kind);
	else
		dp_pair_count(pc, w, a, n, w_kind, a_kind);
}

/* The pair's dot product, each bit read by its plane's kind. */
static inline int64_t dp_pair_dot(const struct dp_pair_counts *pc,
				  uint8_t w_kind, uint8_t a_kind)
{
	if (w_kind == DCACCEL_PLANE_SIGNED && a_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->agree - (int64_t)pc->bits;
	if (w_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->both - (int64_t)pc->ones_a;
	if (a_kind == DCACCEL_PLANE_SIGNED)
		return 2 * (int64_t)pc->both - (int64_t)pc->ones_w;
	return (int64_t)pc->both;
}

#endif
