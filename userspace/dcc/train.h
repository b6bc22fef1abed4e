/* SPDX-License-Identifier: MIT */
/*
 * Mini-batch training of a network: forward, softmax cross-entropy,
 * backward layer by layer, then one optimizer step (optim.c) over what
 * each weight layer trains (weights.c).
 */
#ifndef DCC_TRAIN_H
#define DCC_TRAIN_H

#include "net.h"

struct train_opts {
	uint32_t epochs, batch;
	float lr, lr_decay;	/* lr *= lr_decay after each epoch */
	float momentum;
	float weight_decay;
	float centroid_lr;	/* for codebook fine-tuning */
	float bn_l1;		/* L1 penalty on every bn's gamma (network slimming) */
	bool adam;
	uint64_t seed;
	bool progress;		/* show progress on stderr: */
	bool progress_tty;	/* a bar redrawn with \r, else a line per epoch */
	const char *stage;	/* shown in the progress bar */
};

void train_opts_default(struct train_opts *o);

/* Train in place; returns the last epoch's mean loss, or -1 with err. */
double net_train(struct net *n, const struct dataset *ds,
		 const struct train_opts *o, struct dcc_error *err);

#endif /* DCC_TRAIN_H */
