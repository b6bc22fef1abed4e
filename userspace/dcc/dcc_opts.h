/* SPDX-License-Identifier: MIT */
/*
 * dcc's command line as the stages see it, and the stages themselves
 * (dcc.c), so that a command made of stages (cmd_sweep.c) runs them as
 * `dcc compress` does.
 */
#ifndef DCC_OPTS_H
#define DCC_OPTS_H

#include "lowbit.h"
#include "report.h"
#include "structure.h"
#include "train.h"

struct opts {
	const char *data, *in, *out, *plots, *safetensors, *net;
	uint32_t sizes[NET_LAYERS_MAX / 2 + 1], nsizes;
	bool given[128];	/* options on the command line, by letter */
	uint32_t train_limit, test_limit;
	struct train_opts train;
	uint32_t prune_iters, retrain_epochs, finetune_epochs;
	double quality[NET_LAYERS_MAX];
	unsigned int bits[NET_LAYERS_MAX];
	uint32_t nquality, nbits, pes, zbits;
	float retrain_lr;
	bool transpose;
	struct sp_opts sp;	/* structured pruning (shrink) */
	uint32_t shrink_epochs;
	float shrink_lr;
	struct lowbit_opts lowbit;	/* low-bit weights (lowbit) */
	/* sweep: the grid, the metric's weight of a point of accuracy and
	 * the most points the best may lose */
	enum sp_method sweep_methods[8];
	double sweep_levels[NET_LAYERS_MAX];
	unsigned int sweep_bits[NET_LAYERS_MAX];
	uint32_t sweep_nmethods, sweep_nlevels, sweep_nbits;
	float lambda, max_drop;
};

double now(void);
int load_data(const struct opts *o, struct dataset *train,
	      struct dataset *test, struct dcc_error *err);
/* The network the options name: --net, or the MLP of --layers. */
int build_net(const struct opts *o, struct net *n, struct dcc_error *err);
/* Magnitude pruning with retraining (--quality, --prune-iters, ...). */
int do_prune(struct net *n, const struct opts *o,
	     const struct dataset *train, struct dcc_error *err);
/* Weight sharing (--bits) and centroid fine-tuning. */
int do_quantize(struct net *n, const struct opts *o,
		const struct dataset *train, struct dcc_error *err);
/*
 * Structured pruning (--structure) and fine-tuning, in place; the test
 * accuracy before fine-tuning into *acc_before (when not NULL; untouched
 * for the methods that train anew).
 */
int do_shrink(struct net *n, const struct opts *o,
	      const struct dataset *train, const struct dataset *test,
	      double *acc_before, struct dcc_error *err);
/* Fixed point, engine accuracy into acc->fixed, the .dcm written to o->out. */
int do_encode(const struct net *n, const struct opts *o,
	      const struct dataset *train, const struct dataset *test,
	      struct stage_acc *acc, struct dcc_error *err);

/* Low-bit weights (--lowbit and its options), in place. */
int do_lowbit(struct net *n, const struct opts *o,
	      const struct dataset *train, struct dcc_error *err);

/* dcc sweep (cmd_sweep.c). 0 or -1 with err. */
int cmd_sweep(const struct opts *o, struct dcc_error *err);

#endif /* DCC_OPTS_H */
