// SPDX-License-Identifier: MIT
#include <stdlib.h>

#include "conv_reference.h"
#include "eie_reference.h"

uint32_t ref_out_h(const struct ref_geometry *g)
{
	return (g->in_h + 2 * g->pad_h - g->kernel_h) / g->stride_h + 1;
}

uint32_t ref_out_w(const struct ref_geometry *g)
{
	return (g->in_w + 2 * g->pad_w - g->kernel_w) / g->stride_w + 1;
}

/* x[c][y][x] of the map, 0 in the padding; *inside says which. */
static int64_t at(const struct ref_geometry *g, const int16_t *x, uint32_t c,
		  int64_t y, int64_t xx, bool *inside)
{
	*inside = y >= 0 && y < g->in_h && xx >= 0 && xx < g->in_w;
	return *inside ? x[((int64_t)c * g->in_h + y) * g->in_w + xx] : 0;
}

void ref_conv(const struct ref_conv *c, const int16_t *x, int16_t *y)
{
	const struct ref_geometry *g = &c->g;
	const uint32_t oh = ref_out_h(g), ow = ref_out_w(g);
	const uint64_t cols = (uint64_t)g->channels * g->kernel_h * g->kernel_w;
	bool inside;

	for (uint32_t k = 0; k < c->out_channels; k++)
		for (uint32_t oy = 0; oy < oh; oy++)
			for (uint32_t ox = 0; ox < ow; ox++) {
				int64_t sum = c->bias ? c->bias[k] : 0;

				for (uint32_t ch = 0; ch < g->channels; ch++)
					for (uint32_t r = 0; r < g->kernel_h; r++)
						for (uint32_t s = 0; s < g->kernel_w; s++) {
							uint64_t j = ((uint64_t)ch * g->kernel_h + r) *
								     g->kernel_w + s;
							int64_t w = c->codebook[c->widx[k * cols + j]];

							sum += w * at(g, x, ch,
								      (int64_t)oy * g->stride_h + r - g->pad_h,
								      (int64_t)ox * g->stride_w + s - g->pad_w,
								      &inside);
						}
				*y++ = ref_finish(sum, c->relu,
						  c->in_frac + c->w_frac - c->out_frac);
			}
}

/* Entries of PE p's run of column j, and how many are padding. */
static uint64_t run_length(const struct ref_streams *s, uint64_t cols,
			   uint32_t p, uint64_t j, uint64_t *padding)
{
	const uint32_t *ptr = s->colptr + p * (cols + 1) + j;

	for (uint32_t e = ptr[0]; e < ptr[1]; e++) {
		unsigned int v = s->entries[e * s->entry_bytes];

		if (s->entry_bytes == 2)
			v |= (unsigned int)s->entries[e * 2 + 1] << 8;
		*padding += (v >> s->zbits) == 0;
	}
	return ptr[1] - ptr[0];
}

/* Whether tap t of an axis reads input i, and the output o it feeds. */
static bool tap_reads(uint32_t i, uint32_t t, uint32_t stride, uint32_t pad,
		      uint32_t out, uint32_t *o)
{
	int64_t d = (int64_t)i + pad - t;

	if (d < 0 || d % stride)
		return false;
	*o = (uint32_t)(d / stride);
	return *o < out;
}

void ref_conv_counters(const struct ref_conv *c, const struct ref_streams *s,
		       uint32_t queue_depth, const int16_t *x,
		       struct eie_stats *stats, struct eie_cycles *cycles,
		       uint64_t *pe_busy)
{
	const struct ref_geometry *g = &c->g;
	const uint64_t cols = (uint64_t)g->channels * g->kernel_h * g->kernel_w;
	const uint64_t n = (uint64_t)g->channels * g->in_h * g->in_w;
	const uint32_t P = s->pes, Q = queue_depth;
	/* fewer filters than PEs: G copies of each (hardware.rst) */
	const uint32_t G = c->out_channels < P ? P / c->out_channels : 1;
	uint64_t *cost = calloc(n * P, sizeof(*cost));	/* c[k][p] */
	uint64_t *B = calloc(n + 1, sizeof(*B));	/* + 1: never calloc(0) */
	uint64_t *S = calloc(n * P, sizeof(*S)), *F = calloc(n * P, sizeof(*F));
	uint64_t K = 0, latency = 0, entries = 0, padding = 0;

	if (!cost || !B || !S || !F)
		abort();
	/* the broadcasts: non-zero inputs in memory order, and their costs */
	for (uint64_t i = 0; i < n; i++) {
		uint32_t ch = (uint32_t)(i / ((uint64_t)g->in_h * g->in_w));
		uint32_t iy = (uint32_t)(i / g->in_w % g->in_h);
		uint32_t ix = (uint32_t)(i % g->in_w);

		if (!x[i])
			continue;
		for (uint32_t r = 0; r < g->kernel_h; r++)
			for (uint32_t t = 0; t < g->kernel_w; t++) {
				uint32_t oy, ox;

				if (!tap_reads(iy, r, g->stride_h, g->pad_h,
					       ref_out_h(g), &oy) ||
				    !tap_reads(ix, t, g->stride_w, g->pad_w,
					       ref_out_w(g), &ox))
					continue;
				for (uint32_t q = 0; q < P; q++) {
					uint64_t e = run_length(s, cols, q,
							(ch * g->kernel_h + r) *
							g->kernel_w + t,
							&padding);
					/* the PE that takes this output row of
					 * the filter stored on q */
					uint32_t p = G == 1 ? q :
						(oy % G) * c->out_channels + q;

					entries += e;
					if (G == 1 || q < c->out_channels)
						cost[K * P + p] += e ? e : 1;
				}
			}
		for (uint32_t p = 0; p < P; p++)
			if (!cost[K * P + p])
				cost[K * P + p] = 1;
		K++;
	}
	stats->nonzero_acts += K;
	stats->entries += entries;
	stats->padding += padding;
	stats->macs += entries - padding;
	/* the recurrence, every value kept */
	for (uint64_t k = 0; k < K; k++) {
		B[k] = k ? B[k - 1] + 1 : 0;
		for (uint32_t p = 0; k >= Q && p < P; p++)
			B[k] = S[(k - Q) * P + p] > B[k] ? S[(k - Q) * P + p] : B[k];
		if (k)
			cycles->lnzd_stalls += B[k] - B[k - 1] - 1;
		for (uint32_t p = 0; p < P; p++) {
			uint64_t prev = k ? F[(k - 1) * P + p] : 0;

			S[k * P + p] = B[k] + 1 > prev ? B[k] + 1 : prev;
			F[k * P + p] = S[k * P + p] + cost[k * P + p];
			cycles->busy += cost[k * P + p];
			pe_busy[p] += cost[k * P + p];
		}
	}
	/* the map takes max_p F[K-1][p], 0 without a broadcast */
	for (uint32_t p = 0; K && p < P; p++)
		latency = F[(K - 1) * P + p] > latency ? F[(K - 1) * P + p] :
			  latency;
	cycles->cycles += latency;
	free(cost);
	free(B);
	free(S);
	free(F);
}

void ref_pool(const struct ref_geometry *g, bool avg, const int16_t *x,
	      int16_t *y)
{
	const int64_t n = (int64_t)g->kernel_h * g->kernel_w;

	for (uint32_t ch = 0; ch < g->channels; ch++)
		for (uint32_t oy = 0; oy < ref_out_h(g); oy++)
			for (uint32_t ox = 0; ox < ref_out_w(g); ox++) {
				int64_t sum = 0, max = INT64_MIN, q;
				bool inside;

				for (uint32_t r = 0; r < g->kernel_h; r++)
					for (uint32_t s = 0; s < g->kernel_w; s++) {
						int64_t v = at(g, x, ch,
							       (int64_t)oy * g->stride_h + r - g->pad_h,
							       (int64_t)ox * g->stride_w + s - g->pad_w,
							       &inside);

						sum += v;
						if (inside && v > max)
							max = v;
					}
				/* round half up: floor((2 sum + n) / 2n) */
				q = (2 * sum + n) / (2 * n);
				if ((2 * sum + n) % (2 * n) && 2 * sum + n < 0)
					q--;
				*y++ = (int16_t)(avg ? q : max);
			}
}
