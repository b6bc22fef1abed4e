/* SPDX-License-Identifier: MIT */
/*
 * .dcm graphs for the tests, with random sparse weight-shared layers:
 *
 * - dcm_cnn_fixture(): conv 4 x 3x3 (pad 1, ReLU) over a 2 x 8 x 8 map,
 *   2 x 2 max pooling, conv 6 x 3x3 (stride 2) to 6 x 2 x 2, and an FC
 *   layer of 10 outputs.
 * - dcm_cnn_fixture_lenet(): a small LeNet: conv 6 x 5x5 (ReLU) over
 *   1 x 16 x 16, 2 x 2 max pooling, conv 8 x 3x3 (pad 1, ReLU), 2 x 2
 *   average pooling, fc 72 -> 32 (ReLU), fc 32 -> 10.
 * - dcm_fixture_weights(): one layer's random filters, for MLPs too;
 *   dcm_fixture_model() and dcm_fixture_map() to build other graphs.
 *
 * The streams are not yet encoded (dcm_layer_encode(), or write the
 * model and read it back).
 */
#ifndef DCM_CNN_FIXTURE_H
#define DCM_CNN_FIXTURE_H

#include "../../userspace/dcm/dcm.h"

struct rng;	/* tests/lib/rng.h */

#define CNN_FIXTURE_INPUTS	(2 * 8 * 8)
#define CNN_FIXTURE_LAYERS	4
#define LENET_FIXTURE_INPUTS	(16 * 16)
#define LENET_FIXTURE_LAYERS	6
#define LENET_FIXTURE_OUTPUTS	10

/* How dcm_fixture_weights() draws a layer. */
struct dcm_fixture_style {
	uint32_t pes;
	uint8_t zbits;
	double density;		/* of non-zero weights */
	int32_t bias_range;	/* biases in [-bias_range, bias_range] */
};

/*
 * rows x cols random weights (16 shared values at w_frac 12, indices at
 * the style's density), biases, in_frac as given, out_frac 10, no ReLU.
 * The rest of l is left as it is.
 */
void dcm_fixture_weights(struct dcm_layer *l, uint32_t rows, uint32_t cols,
			 uint8_t in_frac, const struct dcm_fixture_style *s,
			 struct rng *r);

/* An empty model of n zeroed layers (free with dcm_free()); its layers. */
struct dcm_layer *dcm_fixture_model(struct dcm_model *m, uint32_t n);

/* l's kind, its c x h x w input map and a k x k window (stride, pad). */
void dcm_fixture_map(struct dcm_layer *l, uint8_t kind, uint32_t c,
		     uint32_t h, uint32_t w, uint8_t k, uint8_t stride,
		     uint8_t pad);

/*
 * n x dim model inputs as images give them (k / 255), with the given
 * chance of a zero; malloc()ed.
 */
float *dcm_fixture_inputs(uint32_t n, uint32_t dim, double zeros, uint64_t seed);

/* Fill m (free with dcm_free()). */
void dcm_cnn_fixture(struct dcm_model *m, uint64_t seed);
void dcm_cnn_fixture_lenet(struct dcm_model *m, uint64_t seed);

#endif /* DCM_CNN_FIXTURE_H */
