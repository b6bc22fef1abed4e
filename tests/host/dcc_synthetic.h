/* SPDX-License-Identifier: MIT */
/* What dcc's host tests train on: small sets learnt in a few epochs. */
#ifndef DCC_TEST_SYNTHETIC_H
#define DCC_TEST_SYNTHETIC_H

#include "../../userspace/dcc/net.h"

/* v[0..n-1] uniform in [lo, hi) from the tests' generator. */
void synth_fill(float *v, size_t n, uint64_t *s, float lo, float hi);

/*
 * Ten classes of noisy prototypes in `dim` values: prototypes uniform in
 * [0, 1), each image its class's prototype plus uniform noise of width
 * `noise`; image k is of class k % 10.
 */
void synth_dataset(struct dataset *ds, uint32_t count, uint32_t dim,
		   uint64_t seed, float noise);

/* The small MLP of the low-bit methods' tests, over 32 inputs. */
#define SYNTH_MLP	"in=32,fc40,relu,fc24,relu,fc10"

/*
 * n: the network `spec` (net_build's), its weights from `seed`, trained
 * on ds for 15 epochs (batch 32, lr 0.02): the dense model the low-bit
 * methods' tests start from. A failure is the caller's test's.
 */
void synth_dense_net(struct net *n, const char *spec, const struct dataset *ds,
		     uint64_t seed);

#endif
