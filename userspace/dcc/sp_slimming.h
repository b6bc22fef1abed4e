/* SPDX-License-Identifier: MIT */
/*
 * Network slimming's steps on their own (sp_slimming.c), for the tests;
 * sp_slimming() in structure.h runs them in order.
 */
#ifndef DCC_SP_SLIMMING_H
#define DCC_SP_SLIMMING_H

#include "structure.h"

/*
 * dst = src with a bn right after every prunable layer that has none
 * (before its relu), weights, masks and src's own bn state copied, the
 * new bn at gamma 1, beta 0, running mean 0 and variance 1.
 */
int slim_insert_bn(const struct net *src, struct net *dst, struct dcc_error *err);

/* Is layer i a prunable layer with a bn right after it (what slimming scores)? */
bool slim_scored(const struct net *n, uint32_t i);

/*
 * The global threshold: of all the channels of the bn layers right after
 * prunable layers, the o->level fraction with the smallest |gamma| leave
 * (ties: the later layer's, the higher channel first), each layer keeping
 * at least one (its largest |gamma|; the next smallest elsewhere goes in
 * its place). p: plan_init() on n. 0 or -1 with err.
 */
int sp_slimming_plan(const struct net *n, const struct sp_opts *o,
		     struct channel_plan *p, struct dcc_error *err);

#endif /* DCC_SP_SLIMMING_H */
