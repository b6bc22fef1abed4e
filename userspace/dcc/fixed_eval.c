// SPDX-License-Identifier: MIT
/*
 * The device's accuracy: a .dcm graph run image by image through the
 * datapath's host entry points (eie_run, dp_conv_run, dp_pool_run, and
 * for the bit-plane kinds fixed_eval_planes.c's), the code the device
 * itself runs, so that the figure is the device's bit for bit.
 */
#include <stdlib.h>
#include <string.h>

#include "../../qemu-device/datapath/dp_conv.h"
#include "../../qemu-device/datapath/dp_energy.h"
#include "../../qemu-device/datapath/dp_pool.h"
#include "../common/q15.h"
#include "fixed_eval_planes.h"
#include "fixedpoint.h"

/* The datapath's description of one layer. */
union dp_op {
	struct eie_layer fc;
	struct dp_conv conv;
	struct dp_pool pool;
	union fe_planes planes;	/* BITPLANE, BITPLANE_CONV, QUANT */
};

/*
 * Views, validation and workspace size of each layer, and the widest
 * activation in bytes: int16 values, or the 64-bit words of bit planes.
 */
static int prepare(const struct dcm_model *dm, union dp_op *op, size_t *ws,
		   uint64_t *widest, struct dcc_error *err)
{
	struct eie_error ee = { "" };

	if (fe_has_planes(dm) && fe_planes_check(dm, err))
		return -1;
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		const struct dcm_layer *l = &dm->layers[i];
		int bad = 0;
		size_t need = 0;

		if (l->kind == DCM_FC) {
			dcm_layer_view(l, &op[i].fc);
			bad = eie_validate(&op[i].fc, &ee);
			need = bad ? 0 : eie_run_ws_size(&op[i].fc);
		} else if (l->kind == DCM_CONV) {
			dcm_layer_view(l, &op[i].conv.filters);
			op[i].conv.in_channels = l->channels;
			dcm_layer_window(l, &op[i].conv.win);
			bad = dp_conv_validate(&op[i].conv, &ee);
			need = bad ? 0 : dp_conv_run_ws_size(&op[i].conv);
		} else if (l->kind == DCM_POOL) {
			op[i].pool.channels = l->channels;
			op[i].pool.mode = l->pool_mode;
			dcm_layer_window(l, &op[i].pool.win);
			bad = dp_pool_validate(&op[i].pool, &ee);
		} else {
			bad = fe_planes_prepare(l, &op[i].planes, &ee);
			need = bad ? 0 : fe_planes_ws_size(l, &op[i].planes);
		}
		if (bad)
			return dcc_fail(err, "layer %u (%s) is not valid for the datapath: %s",
					i, dcm_kind_name(l->kind), ee.msg);
		if (need > *ws)
			*ws = need;
		if (dcm_layer_in_bytes(l) > *widest)
			*widest = dcm_layer_in_bytes(l);
		if (dcm_layer_out_bytes(l) > *widest)
			*widest = dcm_layer_out_bytes(l);
	}
	return 0;
}

static void run_layer(const struct dcm_layer *l, const union dp_op *op,
		      uint32_t n, const void *x, void *y, void *ws,
		      struct eie_stats *st)
{
	if (l->kind == DCM_FC)
		eie_run(&op->fc, n, x, y, ws, st);
	else if (l->kind == DCM_CONV)
		dp_conv_run(&op->conv, n, x, y, ws, st, NULL);
	else if (l->kind == DCM_POOL)
		dp_pool_run(&op->pool, n, x, y, NULL);
	else
		fe_planes_run(l, &op->planes, n, x, y, ws, st);
}

/* The cycle model of layer i on its input x (count of them), into c. */
static int layer_cycles(const struct dcm_layer *l, const union dp_op *op,
			uint32_t count, const void *x, void *ws,
			struct eie_cycles *c)
{
	if (l->kind == DCM_FC)
		return eie_model_cycles(&op->fc, DCACCEL_EIE_QUEUE_DEFAULT, count, x, ws, c, NULL);
	if (l->kind == DCM_CONV)
		return dp_conv_model_cycles(&op->conv, DCACCEL_EIE_QUEUE_DEFAULT, count, x, ws,
					    c, NULL, NULL);
	/* a pool job runs on all of the device's PEs */
	if (l->kind == DCM_POOL)
		dp_pool_model_cycles(&op->pool, DCACCEL_EIE_PES_DEFAULT, count, c, NULL);
	else
		fe_planes_cycles(l, &op->planes, count, c);
	return 0;
}

/*
 * The energy model's counts of layer i of `layers` on `count` inputs x,
 * each input one job of the whole graph: the weights fetched per image,
 * the activations between layers kept on chip.
 */
static void layer_energy(const struct dcm_layer *l, const union dp_op *op,
			 uint32_t i, uint32_t layers, uint32_t count,
			 const void *in, struct dp_energy *e)
{
	const struct dp_energy_io io = {
		.in_on_chip = i > 0, .out_on_chip = i + 1 < layers,
	};
	const size_t in_n = dcm_layer_inputs(l);
	const int16_t *x = in;

	if (l->kind > DCM_POOL) {
		fe_planes_energy(l, &op->planes, count, &io, e);
		return;
	}
	for (uint32_t b = 0; b < count; b++) {
		if (l->kind == DCM_FC)
			dp_energy_fc(&op->fc, 1, x + b * in_n, &io, e);
		else if (l->kind == DCM_CONV)
			dp_energy_conv(&op->conv, 1, x + b * in_n, &io, e);
		else
			dp_energy_pool(&op->pool, 1, &io, e);
	}
}

/* An 8-aligned activation buffer of n inputs of `bytes` each, or NULL. */
static void *act_alloc(uint32_t n, uint64_t bytes)
{
	uint64_t size = ((uint64_t)(n ? n : 1) * bytes + 7) & ~7ull;

	return size > SIZE_MAX ? NULL : aligned_alloc(8, (size_t)size);
}

/*
 * The graph on `count` inputs, layer by layer; with cycles, each layer's
 * cycle model on the input it really gets first; with energy, the
 * graph's counts added to it.
 */
static int run_graph(const struct dcm_model *dm, const int16_t *in,
		     uint32_t count, int16_t *out, struct eie_stats *stats,
		     struct eie_cycles *cycles, struct dp_energy *energy,
		     struct dcc_error *err)
{
	union dp_op *op = calloc(dm->layer_count ? dm->layer_count : 1, sizeof(*op));
	size_t ws_size = 8;
	uint64_t widest = 8;
	void *a = NULL, *b = NULL;
	void *ws = NULL;
	int ret = -1;

	if (!op)
		return dcc_fail(err, "out of memory");
	if (prepare(dm, op, &ws_size, &widest, err))
		goto out;
	for (uint32_t i = 0; cycles && i < dm->layer_count; i++) {
		size_t need = 0;

		if (dm->layers[i].kind == DCM_FC)
			need = eie_cycles_ws_size(op[i].fc.pes, DCACCEL_EIE_QUEUE_DEFAULT);
		else if (dm->layers[i].kind == DCM_CONV)
			need = dp_conv_cycles_ws_size(&op[i].conv, DCACCEL_EIE_QUEUE_DEFAULT);
		if (need > ws_size)
			ws_size = need;
	}
	/* a QUANT layer is never last: the graph's outputs are int16 */
	a = act_alloc(count, widest);
	b = act_alloc(count, widest);
	ws = aligned_alloc(8, (ws_size + 7) & ~(size_t)7);
	if (!a || !b || !ws) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		const void *x = i ? (i & 1 ? a : b) : in;
		void *y = i + 1 == dm->layer_count ? out : (i & 1 ? b : a);

		if (cycles && layer_cycles(&dm->layers[i], &op[i], count, x, ws, &cycles[i])) {
			dcc_fail(err, "layer %u: the cycle model refused it", i);
			goto out;
		}
		if (energy)
			layer_energy(&dm->layers[i], &op[i], i, dm->layer_count,
				     count, x, energy);
		run_layer(&dm->layers[i], &op[i], count, x, y, ws,
			  stats ? &stats[i] : NULL);
	}
	ret = 0;
out:
	free(op);
	free(a);
	free(b);
	free(ws);
	return ret;
}

int fixedpoint_run(const struct dcm_model *dm, const int16_t *in,
		   uint32_t count, int16_t *out, struct eie_stats *stats,
		   struct dcc_error *err)
{
	return run_graph(dm, in, count, out, stats, NULL, NULL, err);
}

/* The graph on the first count images of ds, with cycles and/or energy. */
static int model_graph(const struct dcm_model *dm, const struct dataset *ds,
		       uint32_t count, struct eie_cycles *cycles,
		       struct dp_energy *energy, struct dcc_error *err)
{
	size_t classes;
	int16_t *x, *z;
	int ret;

	if (count > ds->count)
		count = ds->count;
	if (dm->layer_count == 0 || dcm_layer_inputs(&dm->layers[0]) != ds->dim)
		return dcc_fail(err, "model takes other inputs than the data's %u", ds->dim);
	classes = dcm_layer_outputs(&dm->layers[dm->layer_count - 1]);
	x = malloc((size_t)(count ? count : 1) * ds->dim * sizeof(*x));
	z = malloc((count ? count : 1) * classes * sizeof(*z));
	if (!x || !z) {
		free(x);
		free(z);
		return dcc_fail(err, "out of memory");
	}
	for (size_t k = 0; k < (size_t)count * ds->dim; k++)
		x[k] = to_q15(ds->x[k], dm->layers[0].in_frac);
	ret = run_graph(dm, x, count, z, NULL, cycles, energy, err);
	free(x);
	free(z);
	return ret;
}

int fixedpoint_model_cycles(const struct dcm_model *dm, const struct dataset *ds,
			    uint32_t count, struct eie_cycles *cycles,
			    struct dcc_error *err)
{
	return model_graph(dm, ds, count, cycles, NULL, err);
}

int fixedpoint_energy_per_inference(const struct dcm_model *dm,
				    const struct dataset *ds,
				    struct fixedpoint_energy *fe,
				    struct dcc_error *err)
{
	struct dp_energy sum = { 0 };
	struct dp_energy_fj fj;
	uint32_t n = ds->count < FIXEDPOINT_CYCLE_IMAGES ? ds->count :
		     FIXEDPOINT_CYCLE_IMAGES;

	if (n == 0)
		return dcc_fail(err, "no images to model the energy on");
	if (model_graph(dm, ds, n, NULL, &sum, err))
		return -1;
	dp_energy_price(&sum, &fj);
	fe->dram_weights_nj = fj.dram_weights / 1e6 / n;
	fe->dram_acts_nj = fj.dram_acts / 1e6 / n;
	fe->sram_nj = fj.sram / 1e6 / n;
	fe->arith_nj = (fj.arith + fj.bitops) / 1e6 / n;
	fe->total_nj = fe->dram_weights_nj + fe->dram_acts_nj + fe->sram_nj +
		       fe->arith_nj;
	return 0;
}

int fixedpoint_cycles_per_inference(const struct dcm_model *dm,
				    const struct dataset *ds, double *per_layer,
				    double *total, struct dcc_error *err)
{
	struct eie_cycles c[DCM_LAYERS_MAX] = { { 0 } };
	uint32_t n = ds->count < FIXEDPOINT_CYCLE_IMAGES ? ds->count :
		     FIXEDPOINT_CYCLE_IMAGES;

	if (n == 0)
		return dcc_fail(err, "no images to model the cycles on");
	if (fixedpoint_model_cycles(dm, ds, n, c, err))
		return -1;
	*total = 0;
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		if (per_layer)
			per_layer[i] = (double)c[i].cycles / n;
		*total += (double)c[i].cycles / n;
	}
	return 0;
}

double fixedpoint_accuracy(const struct dcm_model *dm, const struct dataset *ds,
			   struct eie_stats *stats, struct dcc_error *err)
{
	const uint32_t chunk = 200;
	uint32_t right = 0, classes;
	int16_t *x, *z;

	if (dm->layer_count == 0 || dcm_layer_inputs(&dm->layers[0]) != ds->dim) {
		dcc_fail(err, "model takes %llu inputs, data has %u",
			 dm->layer_count ? (unsigned long long)dcm_layer_inputs(&dm->layers[0]) : 0ull,
			 ds->dim);
		return -1;
	}
	classes = (uint32_t)dcm_layer_outputs(&dm->layers[dm->layer_count - 1]);
	x = malloc((size_t)chunk * ds->dim * sizeof(*x));
	z = malloc((size_t)chunk * classes * sizeof(*z));
	if (!x || !z) {
		free(x);
		free(z);
		dcc_fail(err, "out of memory");
		return -1;
	}
	for (uint32_t at = 0; at < ds->count; at += chunk) {
		uint32_t n = ds->count - at < chunk ? ds->count - at : chunk;

		for (size_t k = 0; k < (size_t)n * ds->dim; k++)
			x[k] = to_q15(ds->x[(size_t)at * ds->dim + k],
				      dm->layers[0].in_frac);
		if (fixedpoint_run(dm, x, n, z, stats, err)) {
			free(x);
			free(z);
			return -1;
		}
		for (uint32_t r = 0; r < n; r++) {
			uint32_t best = 0;

			for (uint32_t c = 1; c < classes; c++)
				if (z[(size_t)r * classes + c] > z[(size_t)r * classes + best])
					best = c;
			right += best == ds->y[at + r];
		}
	}
	free(x);
	free(z);
	return 100.0 * right / (ds->count ? ds->count : 1);
}
