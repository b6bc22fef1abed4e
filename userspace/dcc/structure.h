/* SPDX-License-Identifier: MIT */
/*
 * Structured pruning: whole output channels (a conv's filters with the
 * feature maps they make, an fc's neurons) leave the network, and with
 * them what reads them: the channels of a bn after the layer, and the
 * inputs of the next weight layer (a conv's input channel, an fc's
 * columns, h x w of them per channel after a flatten). Each method
 * (sp_*.c, Documentation/accel/dcaccel/dcc-structured.rst) only decides
 * which channels stay, in a channel_plan; net_keep_channels() does the
 * surgery and gives an ordinary, smaller network that the rest of dcc
 * compresses and the device runs unchanged.
 */
#ifndef DCC_STRUCTURE_H
#define DCC_STRUCTURE_H

#include "net.h"
#include "train.h"

/* For each layer index, its output channels that stay (1) or go (0). */
struct channel_plan {
	uint8_t *keep[NET_LAYERS_MAX];	/* l[i].out.c entries; NULL: all stay */
};

/*
 * Can layer i lose output channels: an fc or conv with a later weight
 * layer (the last weight layer gives the classes).
 */
bool layer_prunable(const struct net *n, uint32_t i);
/* The weight layer that reads layer i's outputs, or n->count. */
uint32_t next_weight_layer(const struct net *n, uint32_t i);

/* Every prunable layer's keep array, all 1. 0 or -1 (OOM). */
int plan_init(struct channel_plan *p, const struct net *n);
void plan_free(struct channel_plan *p);
/* Channels of layer i the plan keeps. */
uint32_t plan_kept(const struct channel_plan *p, const struct net *n, uint32_t i);
/*
 * Keep the `keep` channels of layer i with the highest score (ties: the
 * lower index stays; NaN ranks lowest), at least one. 0 or -1 (OOM).
 */
int plan_keep_top(struct channel_plan *p, uint32_t i, const double *score,
		  uint32_t channels, uint32_t keep);

/*
 * dst = src without the channels the plan drops: weights, biases, masks
 * and bn state copied for what stays. src must not be weight-shared yet
 * (structured pruning comes before quantization). 0 or -1 with err.
 */
int net_keep_channels(const struct net *src, const struct channel_plan *p,
		      struct net *dst, struct dcc_error *err);

/*
 * Channel k of prunable layer i scaled by c_k > 0 (its row of weights and
 * its bias) and the next weight layer's inputs from it by 1 / c_k is the
 * same function when only relu, pooling and flatten lie between (each
 * commutes with a positive scale). With c_k = the RMS norm of ref's layer
 * i's rows (weights and bias together) over that of channel k, every kept
 * channel gets the scale the layer had: what the fold of a strongly penalised bn leaves badly conditioned
 * for SGD and for magnitude pruning's per-layer threshold. Layers with
 * something else between, zero rows, and layers ref does not have are
 * left as they are.
 */
void net_rebalance_channels(struct net *n, const struct net *ref);

/* A copy of src (weights, masks, bn state; not shared weights). */
int net_clone(const struct net *src, struct net *dst, struct dcc_error *err);

/* Channels to remove from a layer of `channels` at level (0..1), kept >= 1. */
uint32_t channels_to_keep(uint32_t channels, double level);

/* The methods. */
enum sp_method {
	SP_NONE, SP_L1_FILTER, SP_SLIMMING, SP_THINET, SP_NISP,
	SP_PARAM_AWARE, SP_FLOP_AWARE, SP_MEMORY_AWARE,
};

struct sp_opts {
	enum sp_method method;
	double level;		/* fraction of channels (or of the budget) removed */
	uint32_t samples;	/* images for data-driven scores (ThiNet, NISP, sensitivity) */
	double tolerance;	/* L1 filter: accuracy drop (pp) a layer may cost alone */
	float bn_l1;		/* network slimming: lambda of the L1 penalty on gamma */
	uint32_t sparsity_epochs;	/* network slimming: training under the penalty */
	uint64_t seed;
};

void sp_opts_default(struct sp_opts *o);
/* "l1", "slim", "thinet", "nisp", "pa", "fa", "ma"; SP_NONE when unknown. */
enum sp_method sp_method_parse(const char *name);
const char *sp_method_name(enum sp_method m);

/*
 * The plans of the methods that only choose channels, for a trained
 * network at o->level. data: training images the data-driven methods
 * sample (o->samples of them). 0 or -1 with err.
 */
int sp_l1_filter_plan(const struct net *n, const struct dataset *data,
		      const struct sp_opts *o, struct channel_plan *p,
		      struct dcc_error *err);
int sp_nisp_plan(const struct net *n, const struct dataset *data,
		 const struct sp_opts *o, struct channel_plan *p,
		 struct dcc_error *err);
int sp_complexity_plan(const struct net *n, const struct sp_opts *o,
		       struct channel_plan *p, struct dcc_error *err);

/*
 * ThiNet chooses by what the next layer needs and then rescales the next
 * layer's kept inputs by least squares: src -> dst in one step.
 */
int sp_thinet(const struct net *src, const struct dataset *data,
	      const struct sp_opts *o, struct net *dst, struct dcc_error *err);

/*
 * Network slimming trains: bn inserted after every prunable layer,
 * o->sparsity_epochs of training with the L1 penalty on gamma (t's other
 * settings), the channels under a global gamma threshold removed, and the
 * bn folded back (dst has no bn layer; fine-tuning is the caller's).
 */
int sp_slimming(const struct net *src, const struct dataset *data,
		const struct sp_opts *o, const struct train_opts *t,
		struct net *dst, struct dcc_error *err);

/* d (built with s's shape) gets s's weights, bias, mask and weight
 * sharing. 0 or -1 (out of memory). */
int layer_copy_weights(const struct layer *s, struct layer *d);

/*
 * b gets the channels of bn a (channels of them) whose weight layer
 * channel keep[c / per] is kept (keep NULL: all): a bn after a flatten has
 * `per` channels per map.
 */
void bn_copy_channels(const struct batchnorm *a, struct batchnorm *b,
		      const uint8_t *keep, uint32_t channels, uint32_t per);

/*
 * dst = src with every bn folded into the conv or fc before it (whose
 * weights must not be shared yet); masks and the sharing of the other
 * layers are copied, so a network without bn comes out as it went in.
 */
int net_fold_bn(const struct net *src, struct net *dst, struct dcc_error *err);

/*
 * Run the method o->method on src into dst (before fine-tuning): a plan
 * and the surgery, or ThiNet's or slimming's own steps. 0 or -1 with err.
 */
int sp_apply(const struct net *src, const struct dataset *data,
	     const struct sp_opts *o, const struct train_opts *t,
	     struct net *dst, struct dcc_error *err);

#endif /* DCC_STRUCTURE_H */
