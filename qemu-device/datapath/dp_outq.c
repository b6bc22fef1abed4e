// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "dcaccel/dcaccel_bitplane.h"
#include "dp_outq.h"

int dp_outq_validate(const struct dp_outq *q, struct eie_error *err)
{
	uint32_t levels;

	if (!q)
		return eie_fail(err, "no output quantizer");
	if (q->bits == 0 || q->bits > DCACCEL_BITPLANE_PLANES_MAX)
		return eie_fail(err, "quantized output bits must be 1..%u, got %u",
				DCACCEL_BITPLANE_PLANES_MAX, q->bits);
	if (!q->thr || !q->codes)
		return eie_fail(err, "an output quantizer needs its thresholds and codes");
	levels = 1u << q->bits;
	for (uint32_t l = 1; l + 1 < levels; l++)
		if (q->thr[l] < q->thr[l - 1])
			return eie_fail(err, "quantizer thresholds must not decrease: %d after %d (threshold %u)",
					q->thr[l], q->thr[l - 1], l);
	for (uint32_t l = 0; l < levels; l++)
		if (q->codes[l] >= levels)
			return eie_fail(err, "quantizer code %u is %u, not below 2^%u",
					l, q->codes[l], q->bits);
	return 0;
}

uint8_t dp_outq_code(const struct dp_outq *q, int16_t y)
{
	uint32_t level = 0;

	/*
	 * The thresholds are sorted, 2^Ko - 1 of them: the level is how many
	 * y meets, found in Ko halvings with no branch to mispredict.
	 */
	for (uint32_t step = 1u << (q->bits - 1); step; step >>= 1)
		level += y >= q->thr[level + step - 1] ? step : 0;
	return q->codes[level];
}

/*
 * Plane word t of `bits` planes from up to 64 codes: bit k of plane v is
 * bit v of code k. A loop of independent shifts the compiler vectorizes.
 */
static void codes_to_words(const uint8_t *code, uint32_t n, uint8_t bits,
			   uint64_t *word, size_t plane)
{
	for (uint32_t v = 0; v < bits; v++) {
		uint64_t w = 0;

		for (uint32_t k = 0; k < n; k++)
			w |= (uint64_t)(code[k] >> v & 1) << k;
		word[(size_t)v * plane] = w;
	}
}

void dp_outq_pack_map(const struct dp_outq *q, uint32_t channels,
		      uint32_t pixels, uint32_t batch, const int16_t *y,
		      uint64_t *planes)
{
	const uint32_t lc = DCACCEL_PLANE_WORDS(channels);
	const size_t plane = (size_t)pixels * lc;

	/* 64 channels of one pixel at a time: their codes, then each plane's word */
	for (uint32_t b = 0; b < batch; b++) {
		const int16_t *map = y + (size_t)b * channels * pixels;
		uint64_t *out = planes + (size_t)b * q->bits * plane;

		for (uint32_t x = 0; x < pixels; x++)
			for (uint32_t t = 0; t < lc; t++) {
				uint32_t c0 = t * DCACCEL_PLANE_WORD_BITS;
				uint32_t n = channels - c0 < DCACCEL_PLANE_WORD_BITS ?
					     channels - c0 : DCACCEL_PLANE_WORD_BITS;
				uint8_t code[DCACCEL_PLANE_WORD_BITS];

				for (uint32_t k = 0; k < n; k++)
					code[k] = dp_outq_code(q, map[(size_t)(c0 + k) * pixels + x]);
				/* the padding bits past the last channel stay 0 */
				codes_to_words(code, n, q->bits, out + (size_t)x * lc + t, plane);
			}
	}
}

void dp_outq_pack_fc(const struct dp_outq *q, uint32_t m, uint32_t batch,
		     const int16_t *y, uint64_t *planes)
{
	dp_outq_pack_map(q, m, 1, batch, y, planes);
}
