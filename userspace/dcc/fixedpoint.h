/* SPDX-License-Identifier: MIT */
/*
 * The quantized fp32 network -> the accelerator's fixed point (int16
 * activations and codebooks, int32 biases) as a .dcm graph of the
 * device's layers (fixedpoint.c), and its accuracy measured by running
 * that graph through the datapath's own host entry points, eie_run(),
 * dp_conv_run() and dp_pool_run() (fixed_eval.c), as the device runs it.
 */
#ifndef DCC_FIXEDPOINT_H
#define DCC_FIXEDPOINT_H

#include "../dcm/dcm.h"
#include "net.h"

/* Largest fraction bits f <= 15 with maxabs * headroom * 2^f <= 32767. */
unsigned int frac_bits_for(double maxabs, double headroom);

/* Can the device run this network's layers? 0 or -1 with err. */
int fixedpoint_check(const struct net *n, struct dcc_error *err);

/*
 * Build the .dcm layers of a fully quantized network: each fc or conv
 * (with the relu after it folded into its flag) and pool becomes a layer,
 * flatten nothing. Activation formats come from the largest activations
 * on `calib` (fp32 forward). zbits 0 picks 8 - wbits (one-byte entries),
 * at least 2. Returns 0 or -1 with err.
 */
int fixedpoint_build(const struct net *n, const struct dataset *calib,
		     uint32_t pes, unsigned int zbits, struct dcm_model *out,
		     struct dcc_error *err);

/* A map layer's kind, input map and window from the network's layer. */
void fixedpoint_set_map(const struct layer *nl, uint8_t kind,
			struct dcm_layer *l);

/*
 * A bit-plane network's layers (fixedpoint_planes.c): a quantizer as a
 * QUANT layer (l->in_frac set: the outputs it reads), a weight layer with
 * planes as a BITPLANE or BITPLANE_CONV layer reading `quant`'s planes
 * (l->out_frac set: lowered to what the bases allow). 0 or -1 with err.
 */
int fixedpoint_quant_layer(const struct layer *nl, struct dcm_layer *l,
			   struct dcc_error *err);
int fixedpoint_planes_layer(const struct layer *nl, const struct layer *quant,
			    bool relu, uint32_t pes, struct dcm_layer *l,
			    struct dcc_error *err);

/*
 * Run `count` int16 inputs (in_frac of layer 0) through the graph's
 * layers on the datapath into out (count x the last layer's outputs).
 * Version-3 graphs too: their bit-plane and QUANT layers run as the
 * device's ops (fixed_eval_planes.c), a QUANT layer first quantizing the
 * inputs. stats (per layer, may be NULL) is added to. 0 or -1 with err.
 */
int fixedpoint_run(const struct dcm_model *dm, const int16_t *in,
		   uint32_t count, int16_t *out, struct eie_stats *stats,
		   struct dcc_error *err);

/*
 * Top-1 accuracy in percent of a .dcm model over a data set, every image
 * through the datapath layer by layer. stats (per layer, may be NULL) is
 * added to. -1 with err.
 */
double fixedpoint_accuracy(const struct dcm_model *dm, const struct dataset *ds,
			   struct eie_stats *stats, struct dcc_error *err);

/*
 * The device's cycle model over the first `count` images of ds, layer by
 * layer on the inputs each layer really gets, added to cycles[layer]
 * (activation queues of the device's default depth). 0 or -1 with err.
 */
int fixedpoint_model_cycles(const struct dcm_model *dm, const struct dataset *ds,
			    uint32_t count, struct eie_cycles *cycles,
			    struct dcc_error *err);

/*
 * The cycle model per inference, averaged over the first
 * FIXEDPOINT_CYCLE_IMAGES images of ds: per_layer[dm->layer_count] (may
 * be NULL) and *total, in cycles of the device's FIXEDPOINT_CLOCK_MHZ
 * clock. 0 or -1 with err.
 */
#define FIXEDPOINT_CYCLE_IMAGES	100
#define FIXEDPOINT_CLOCK_MHZ	800	/* the device's modeled clock */
int fixedpoint_cycles_per_inference(const struct dcm_model *dm,
				    const struct dataset *ds, double *per_layer,
				    double *total, struct dcc_error *err);

/*
 * The device's energy model (hardware.rst, "Energy model") per inference,
 * over the first FIXEDPOINT_CYCLE_IMAGES images of ds, each one job of the
 * whole graph (its weights fetched from DRAM once per image, activations
 * between layers on chip). Nanojoules. 0 or -1 with err.
 */
struct fixedpoint_energy {
	double dram_weights_nj, dram_acts_nj, sram_nj, arith_nj, total_nj;
};
int fixedpoint_energy_per_inference(const struct dcm_model *dm,
				    const struct dataset *ds,
				    struct fixedpoint_energy *fe,
				    struct dcc_error *err);

#endif /* DCC_FIXEDPOINT_H */
