// SPDX-License-Identifier: MIT
/*
 * The .dcm version-3 layers in dcc's device run (fixed_eval.c): a QUANT
 * layer turns the int16 outputs before it into bit planes
 * (dp_outq_pack_fc, dp_outq_pack_map), a BITPLANE or BITPLANE_CONV layer
 * turns planes into int16 outputs (dp_bitplane_run,
 * dp_bitplane_conv_run), with their cycle and energy models, the calls
 * libaccel's CPU reference and the device make.
 */
#include "../dcm/dcm_layout.h"
#include "fixed_eval_planes.h"

bool fe_has_planes(const struct dcm_model *dm)
{
	for (uint32_t i = 0; i < dm->layer_count; i++)
		if (dm->layers[i].kind > DCM_POOL)
			return true;
	return false;
}

int fe_planes_check(const struct dcm_model *dm, struct dcc_error *err)
{
	struct dcm_error de = { "" };

	/*
	 * What a layer reads is what the one before writes, planes or
	 * values: an in-memory graph the writer would refuse could make a
	 * run read past its buffers.
	 */
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		const struct dcm_layer *l = &dm->layers[i];

		if (dcm_check_layer_fields(l, i, &de) ||
		    dcm_check_place(l, i, dm->layer_count, &de) ||
		    (i && dcm_check_follows(&dm->layers[i - 1], l, i, &de)))
			return dcc_fail(err, "%s", de.msg);
	}
	return 0;
}

int fe_planes_prepare(const struct dcm_layer *l, union fe_planes *p,
		      struct eie_error *ee)
{
	if (l->kind == DCM_QUANT) {
		dcm_layer_outq(l, &p->quant);
		return dp_outq_validate(&p->quant, ee);
	}
	if (l->kind == DCM_BITPLANE_CONV) {
		dcm_layer_bitplane_conv(l, &p->bp);
		return dp_bitplane_conv_validate(&p->bp, ee);
	}
	dcm_layer_bitplane(l, &p->bp.l);
	return dp_bitplane_validate(&p->bp.l, ee);
}

size_t fe_planes_ws_size(const struct dcm_layer *l, const union fe_planes *p)
{
	return l->kind == DCM_BITPLANE_CONV ? dp_bitplane_conv_ws_size(&p->bp) : 0;
}

void fe_planes_run(const struct dcm_layer *l, const union fe_planes *p,
		   uint32_t n, const void *x, void *y, void *ws,
		   struct eie_stats *st)
{
	/* no poll: none of them can fail once validated */
	if (l->kind == DCM_QUANT && dcm_layer_is_map(l))
		dp_outq_pack_map(&p->quant, l->channels, dcm_quant_pixels(l), n, x, y);
	else if (l->kind == DCM_QUANT)
		dp_outq_pack_fc(&p->quant, l->cols, n, x, y);
	else if (l->kind == DCM_BITPLANE)
		dp_bitplane_run(&p->bp.l, n, x, y, st, NULL);
	else
		dp_bitplane_conv_run(&p->bp, n, x, y, ws, st, NULL);
}

void fe_planes_cycles(const struct dcm_layer *l, const union fe_planes *p,
		      uint32_t count, struct eie_cycles *c)
{
	/* a QUANT op adds none: it is pipelined behind the op before it */
	if (l->kind == DCM_BITPLANE)
		dp_bitplane_model_cycles(&p->bp.l, count, c, NULL);
	else if (l->kind == DCM_BITPLANE_CONV)
		dp_bitplane_conv_model_cycles(&p->bp, count, c, NULL);
}

void fe_planes_energy(const struct dcm_layer *l, const union fe_planes *p,
		      uint32_t count, const struct dp_energy_io *io,
		      struct dp_energy *e)
{
	/*
	 * One job per input, so the weights (a QUANT op's thresholds and
	 * codes) are fetched once per input. The op before a QUANT layer
	 * writes 16-bit values and the QUANT op is counted on its own, as
	 * the device counts them (hardware.rst, "Energy model").
	 */
	for (uint32_t b = 0; b < count; b++) {
		if (l->kind == DCM_QUANT)
			dp_energy_quant(dcm_quant_channels(l), dcm_quant_pixels(l),
					l->quant_bits, 1, io, e);
		else if (l->kind == DCM_BITPLANE)
			dp_energy_bitplane(&p->bp.l, 1, io, e);
		else
			dp_energy_bitplane_conv(&p->bp, 1, io, e);
	}
}
