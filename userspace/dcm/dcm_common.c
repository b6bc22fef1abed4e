// SPDX-License-Identifier: MIT
/* What the .dcm writer and reader share: errors, field checks, encoding. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcm_layout.h"

int dcm_fail(struct dcm_error *err, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}

int dcm_check_layer_fields(const struct dcm_layer *l, uint32_t i,
			   struct dcm_error *err)
{
	if (l->rows == 0 || l->cols == 0 || l->rows > DCACCEL_EIE_DIM_MAX ||
	    l->cols > DCACCEL_EIE_DIM_MAX ||
	    (uint64_t)l->rows * l->cols > DCM_WEIGHTS_MAX)
		return dcm_fail(err, "layer %u: shape %u x %u is empty or larger than %u weights",
				i, l->rows, l->cols, DCM_WEIGHTS_MAX);
	if (l->pes == 0 || l->pes > DCACCEL_EIE_PES_MAX ||
	    (uint64_t)l->pes * (l->cols + 1ull) > DCM_COLPTR_MAX)
		return dcm_fail(err, "layer %u: %u PEs (must be 1..%u, pes x (cols + 1) at most %u)",
				i, l->pes, DCACCEL_EIE_PES_MAX, DCM_COLPTR_MAX);
	if (l->wbits == 0 || l->wbits > DCACCEL_EIE_WBITS_MAX ||
	    l->zbits == 0 || l->zbits > DCACCEL_EIE_ZBITS_MAX)
		return dcm_fail(err, "layer %u: wbits %u / zbits %u must be 1..8",
				i, l->wbits, l->zbits);
	if (l->in_frac > DCACCEL_EIE_FRAC_MAX || l->w_frac > DCACCEL_EIE_FRAC_MAX ||
	    l->out_frac > DCACCEL_EIE_FRAC_MAX)
		return dcm_fail(err, "layer %u: fraction bits %u/%u/%u must be at most %u",
				i, l->in_frac, l->w_frac, l->out_frac,
				DCACCEL_EIE_FRAC_MAX);
	if (l->out_frac > l->in_frac + l->w_frac)
		return dcm_fail(err, "layer %u: out_frac %u exceeds in_frac + w_frac = %u (outputs are rounded, never shifted left)",
				i, l->out_frac, l->in_frac + l->w_frac);
	if (l->codebook_len == 0 || l->codebook_len > (1u << l->wbits))
		return dcm_fail(err, "layer %u: codebook of %u entries with %u-bit indices",
				i, l->codebook_len, l->wbits);
	return 0;
}

int dcm_layer_encode(struct dcm_layer *l, struct dcm_error *err)
{
	struct eie_error e = { "" };

	memset(&l->streams, 0, sizeof(l->streams));
	if (eie_encode(l->widx, l->rows, l->cols, l->pes, l->wbits, l->zbits,
		       &l->streams, &e))
		return dcm_fail(err, "EIE encoder: %s", e.msg);
	return 0;
}

void dcm_layer_view(const struct dcm_layer *l, struct eie_layer *out)
{
	eie_streams_to_layer(&l->streams, out);
	out->in_frac = l->in_frac;
	out->w_frac = l->w_frac;
	out->out_frac = l->out_frac;
	out->relu = l->relu;
	out->codebook_len = l->codebook_len;
	out->codebook = l->codebook;
	out->bias = l->bias;
}

void dcm_free(struct dcm_model *m)
{
	for (uint32_t i = 0; m->layers && i < m->layer_count; i++) {
		struct dcm_layer *l = &m->layers[i];

		free(l->codebook);
		free(l->bias);
		free(l->widx);
		eie_streams_free(&l->streams);
	}
	free(m->layers);
	m->layers = NULL;
	m->layer_count = 0;
}
