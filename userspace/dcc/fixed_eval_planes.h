/* SPDX-License-Identifier: MIT */
/*
 * fixed_eval.c's part for the .dcm version-3 kinds (fixed_eval_planes.c):
 * BITPLANE, BITPLANE_CONV and QUANT layers checked, run, timed and priced
 * through the datapath's host entry points, as the device runs their ops
 * (hardware.rst, "BITPLANE op", "BITPLANE_CONV op", "QUANT op").
 */
#ifndef DCC_FIXED_EVAL_PLANES_H
#define DCC_FIXED_EVAL_PLANES_H

#include "../../qemu-device/datapath/dp_bitplane_conv.h"
#include "../../qemu-device/datapath/dp_energy.h"
#include "../../qemu-device/datapath/dp_outq.h"
#include "../dcm/dcm.h"
#include "dcc_error.h"

/* A version-3 layer's datapath form: a BITPLANE layer is bp.l. */
union fe_planes {
	struct dp_bitplane_conv bp;
	struct dp_outq quant;
};

/* Does the graph hold a layer of another kind than FC, CONV and POOL? */
bool fe_has_planes(const struct dcm_model *dm);

/*
 * The graph's layers, their places and how each follows the one before,
 * as the .dcm writer checks them: 0 or -1 with err naming the layer.
 */
int fe_planes_check(const struct dcm_model *dm, struct dcc_error *err);

/* The view of a BITPLANE, BITPLANE_CONV or QUANT layer, validated: 0 or not. */
int fe_planes_prepare(const struct dcm_layer *l, union fe_planes *p,
		      struct eie_error *ee);

/* The workspace bytes fe_planes_run() needs for a prepared layer. */
size_t fe_planes_ws_size(const struct dcm_layer *l, const union fe_planes *p);

/* Run n inputs (int16 values or plane words) of a prepared layer. */
void fe_planes_run(const struct dcm_layer *l, const union fe_planes *p,
		   uint32_t n, const void *x, void *y, void *ws,
		   struct eie_stats *st);

/* Its cycle model over count inputs, added to c. */
void fe_planes_cycles(const struct dcm_layer *l, const union fe_planes *p,
		      uint32_t count, struct eie_cycles *c);

/* Its energy counts, each of the count inputs one job, added to e. */
void fe_planes_energy(const struct dcm_layer *l, const union fe_planes *p,
		      uint32_t count, const struct dp_energy_io *io,
		      struct dp_energy *e);

#endif /* DCC_FIXED_EVAL_PLANES_H */
