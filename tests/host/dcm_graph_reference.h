/* SPDX-License-Identifier: MIT */
/*
 * A .dcm graph run one input at a time with the spec's reference layers
 * (conv_reference.h, eie_reference.h), which share no code with the
 * datapath: what the tests hold dcc's and libaccel's runs to.
 */
#ifndef DCM_GRAPH_REFERENCE_H
#define DCM_GRAPH_REFERENCE_H

#include <stdint.h>

#include "../../userspace/dcm/dcm.h"

/*
 * One input vector through every layer of m into out; a and b each hold
 * the widest layer's outputs.
 */
void dcm_reference_run(const struct dcm_model *m, const int16_t *in,
		       int16_t *out, int16_t *a, int16_t *b);

/* The most values any layer of m takes or gives per input. */
uint64_t dcm_reference_widest(const struct dcm_model *m);

#endif
