// SPDX-License-Identifier: MIT
#include "eie_reference.h"

/* floor(a / 2^s) without relying on how >> treats negative numbers. */
static int64_t floor_div_pow2(int64_t a, unsigned int s)
{
	int64_t d = (int64_t)1 << s;
	int64_t q = a / d;

	if (a % d != 0 && a < 0)
		q--;
	return q;
}

int16_t ref_finish(int64_t sum, bool relu, unsigned int s)
{
	if (relu && sum < 0)
		sum = 0;
	/* round half up: floor(sum / 2^s + 1/2) */
	if (s > 0)
		sum = floor_div_pow2(2 * sum + ((int64_t)1 << s), s + 1);
	if (sum > 32767)
		sum = 32767;
	if (sum < -32768)
		sum = -32768;
	return (int16_t)sum;
}

void ref_fc(const struct ref_layer *l, const int16_t *x, int16_t *y)
{
	unsigned int s = l->in_frac + l->w_frac - l->out_frac;

	for (uint32_t i = 0; i < l->rows; i++) {
		int64_t sum = l->bias ? l->bias[i] : 0;

		for (uint32_t j = 0; j < l->cols; j++) {
			int64_t w = l->codebook[l->widx[(uint64_t)i * l->cols + j]];

			sum += w * x[j];
		}
		y[i] = ref_finish(sum, l->relu, s);
	}
}
