/* SPDX-License-Identifier: MIT */
/*
 * A small CNN as a .dcm graph for the host tests: conv 4 x 3x3 (pad 1,
 * ReLU) over a 2 x 8 x 8 map, 2 x 2 max pooling, conv 6 x 3x3 (stride 2)
 * to 6 x 2 x 2, and an FC layer of 10 outputs, with random sparse
 * weight-shared filters.
 */
#ifndef DCM_CNN_FIXTURE_H
#define DCM_CNN_FIXTURE_H

#include "../../userspace/dcm/dcm.h"

#define CNN_FIXTURE_INPUTS	(2 * 8 * 8)
#define CNN_FIXTURE_LAYERS	4

/* Fill m (free with dcm_free()); streams not yet encoded. */
void dcm_cnn_fixture(struct dcm_model *m, uint64_t seed);

#endif /* DCM_CNN_FIXTURE_H */
