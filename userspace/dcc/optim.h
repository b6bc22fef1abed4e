/* SPDX-License-Identifier: MIT */
/*
 * The optimizer, apart from the layers: SGD with momentum or Adam over a
 * list of parameters, each with its own state. Made for one training run;
 * what is trained (weights, or the centroids of shared weights) is chosen
 * by whoever fills the list.
 */
#ifndef DCC_OPTIM_H
#define DCC_OPTIM_H

#include "net.h"

#define OPTIM_SLOTS_MAX	(2 * NET_LAYERS_MAX)

struct optim_slot {
	struct param *p;
	float fixed_lr;		/* > 0: this rate, not the schedule's */
	float *m, *v;		/* momentum (SGD) or moments (Adam) */
};

struct optim {
	bool adam;
	float momentum, b1, b2;
	uint64_t step;
	uint32_t count;
	struct optim_slot slot[OPTIM_SLOTS_MAX];
};

void optim_init(struct optim *o, bool adam, float momentum);
/* 0, or -1 when out of memory or slots. */
int optim_add(struct optim *o, struct param *p, float fixed_lr);
/* p -= step(p.g) for every parameter, at learning rate lr. */
void optim_step(struct optim *o, float lr);
void optim_free(struct optim *o);

#endif /* DCC_OPTIM_H */
