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
	const uint32_t count = (1u << q->bits) - 1;
	uint32_t lo = 0, hi = count;

	/* the thresholds are sorted: the level is the first t above y */
	while (lo < hi) {
		uint32_t mid = (lo + hi) / 2;

		if (y >= q->thr[mid])
			lo = mid + 1;
		else
			hi = mid;
	}
	return q->codes[lo];
}

void dp_outq_pack_map(const struct dp_outq *q, uint32_t channels,
		      uint32_t pixels, uint32_t batch, const int16_t *y,
		      uint64_t *planes)
{
	const uint32_t lc = DCACCEL_PLANE_WORDS(channels);
	const size_t plane = (size_t)pixels * lc;

	memset(planes, 0, sizeof(*planes) * (size_t)batch * q->bits * plane);
	for (uint32_t b = 0; b < batch; b++) {
		const int16_t *map = y + (size_t)b * channels * pixels;
		uint64_t *out = planes + (size_t)b * q->bits * plane;

		for (uint32_t c = 0; c < channels; c++)
			for (uint32_t x = 0; x < pixels; x++) {
				uint8_t code = dp_outq_code(q, map[(size_t)c * pixels + x]);
				uint64_t *word = out + (size_t)x * lc + c / 64;

				for (uint32_t v = 0; v < q->bits; v++)
					word[(size_t)v * plane] |=
						(uint64_t)(code >> v & 1) << (c % 64);
			}
	}
}

void dp_outq_pack_fc(const struct dp_outq *q, uint32_t m, uint32_t batch,
		     const int16_t *y, uint64_t *planes)
{
	dp_outq_pack_map(q, m, 1, batch, y, planes);
}
