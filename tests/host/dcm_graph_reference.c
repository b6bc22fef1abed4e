// SPDX-License-Identifier: MIT
/* The reference run of a .dcm graph (dcm_graph_reference.h). */
#include "dcm_graph_reference.h"
#include "conv_reference.h"
#include "eie_reference.h"
#include "dcaccel/dcaccel_hw.h"

static void geometry(const struct dcm_layer *l, struct ref_geometry *g)
{
	*g = (struct ref_geometry){ l->channels, l->in_h, l->in_w, l->kernel_h,
				    l->kernel_w, l->stride_h, l->stride_w,
				    l->pad_h, l->pad_w };
}

void dcm_reference_run(const struct dcm_model *m, const int16_t *in,
		       int16_t *out, int16_t *a, int16_t *b)
{
	const int16_t *x = in;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];
		int16_t *y = i + 1 == m->layer_count ? out : (i & 1 ? b : a);

		if (l->kind == DCM_CONV) {
			struct ref_conv c = { .out_channels = l->rows, .widx = l->widx,
					      .codebook = l->codebook, .bias = l->bias,
					      .in_frac = l->in_frac, .w_frac = l->w_frac,
					      .out_frac = l->out_frac, .relu = l->relu };

			geometry(l, &c.g);
			ref_conv(&c, x, y);
		} else if (l->kind == DCM_POOL) {
			struct ref_geometry g;

			geometry(l, &g);
			ref_pool(&g, l->pool_mode == DCACCEL_POOL_AVG, x, y);
		} else {
			struct ref_layer f = { l->rows, l->cols, l->widx, l->codebook,
					       l->bias, l->in_frac, l->w_frac,
					       l->out_frac, l->relu };

			ref_fc(&f, x, y);
		}
		x = y;
	}
}

uint64_t dcm_reference_widest(const struct dcm_model *m)
{
	uint64_t widest = dcm_layer_inputs(&m->layers[0]);

	for (uint32_t i = 0; i < m->layer_count; i++)
		if (dcm_layer_outputs(&m->layers[i]) > widest)
			widest = dcm_layer_outputs(&m->layers[i]);
	return widest;
}
