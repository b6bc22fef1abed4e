// SPDX-License-Identifier: MIT
/*
 * The CPU reference backend: the layers of the graph run in-process on
 * the datapath's own host entry points (eie_run_decoded, the prepared
 * convolution, dp_pool_run), a chunk of vectors at a time through two
 * activation buffers, so that its outputs are the device's bit for bit.
 */
#include <stdlib.h>
#include <string.h>

#include "accel_internal.h"

/* Vectors per pass through the layers: bounds the activation buffers. */
#define CPU_CHUNK	256

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
	const uint32_t chunk = batch < CPU_CHUNK ? batch : CPU_CHUNK;
	int16_t *a = malloc((size_t)chunk * m->widest * sizeof(*a));
	int16_t *b = malloc((size_t)chunk * m->widest * sizeof(*b));
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
		int16_t *x = a, *y = b, *t;

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
