// SPDX-License-Identifier: MIT
/*
 * The CPU reference backend: the layers of the graph run in-process on
 * the datapath's own host entry points (eie_run_decoded, the prepared
 * convolution, dp_pool_run, dp_bitplane_run, dp_bitplane_conv_run,
 * dp_outq_pack_map), a chunk of vectors at a time through two activation
 * buffers, so that its outputs are the device's bit for bit. A buffer
 * holds a chunk of any layer's inputs or outputs: int16 values, or the
 * 64-bit words of bit planes.
 */
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

/* Vectors per pass through the layers: bounds the activation buffers. */
#define CPU_CHUNK	256
/* Bytes of each buffer, unless one vector needs more (a map's planes). */
#define CPU_BUF_MAX	(64ull << 20)

/* Vectors per pass: CPU_CHUNK, fewer for wide layers, at least one. */
static uint32_t cpu_chunk(const struct accel_model *m, uint32_t batch)
{
	uint64_t fit = CPU_BUF_MAX / m->act_bytes;
	uint32_t chunk = batch < CPU_CHUNK ? batch : CPU_CHUNK;

	if (fit < chunk)
		chunk = fit ? (uint32_t)fit : 1;
	return chunk;
}

/* An 8-aligned buffer of n vectors of the widest activation, or NULL. */
static void *act_alloc(const struct accel_model *m, uint32_t n)
{
	uint64_t size = ((uint64_t)n * m->act_bytes + 7) & ~7ull;

	/* a size_t of 32 bits cannot hold every 64-bit size */
	if (size > SIZE_MAX)
		return NULL;
	return aligned_alloc(8, (size_t)size);
}

void accelp_dequantize(const struct accel_model *m, uint32_t batch,
		       const int16_t *q, float *out)
{
	float scale = 1.0f / (float)(1u << m->layers[m->layer_count - 1].out_frac);

	for (size_t k = 0; k < (size_t)batch * m->outputs; k++)
		out[k] = (float)q[k] * scale;
}

int accelp_infer_cpu(struct accel_model *m, uint32_t batch, const float *in,
		     float *out, struct accel_stats *stats,
		     struct accel_error *err)
{
	const uint32_t chunk = cpu_chunk(m, batch);
	void *a = act_alloc(m, chunk), *b = act_alloc(m, chunk);
	void *ws = aligned_alloc(8, m->ws_size);
	struct eie_stats es = { 0 };

	if (!a || !b || !ws) {
		free(a);
		free(b);
		free(ws);
		return accelp_fail(err, ACCEL_E_NOMEM, "out of memory");
	}
	for (uint32_t at = 0; at < batch; at += chunk) {
		uint32_t n = batch - at < chunk ? batch - at : chunk;
		void *x = a, *y = b, *t;

		accel_quantize(m, n, in + (size_t)at * m->inputs, x, NULL);
		for (uint32_t i = 0; i < m->layer_count; i++) {
			accelp_layer_run_cpu(&m->layers[i], n, x, y, ws, &es,
					     &m->team);
			t = x;
			x = y;
			y = t;
		}
		accelp_dequantize(m, n, x, out + (size_t)at * m->outputs);
	}
	free(a);
	free(b);
	free(ws);
	if (stats) {
		memset(stats, 0, sizeof(*stats));
		stats->nonzero_acts = es.nonzero_acts;
		stats->entries = es.entries;
		stats->macs = es.macs;
	}
	return ACCEL_OK;
}
