/* SPDX-License-Identifier: MIT */
/*
 * The dense float baseline of dcaccel bench: the model's layers with
 * their weights decoded to floats (accel_model_dense), run with OpenBLAS:
 * an FC layer as one sgemm over the batch, a convolution as im2col and
 * one sgemm per input map, pooling directly; ReLU after the layers that
 * have it. What a dense CPU implementation of the same network costs.
 */
#ifndef DCACCEL_CLI_DENSE_FLOAT_H
#define DCACCEL_CLI_DENSE_FLOAT_H

#include <stdbool.h>
#include <stdint.h>

#include <dcaccel/accel.h>

struct dense_model {
	uint32_t layers, widest, patch;	/* widest activation; im2col size */
	struct accel_layer_info *info;
	struct accel_layer_shape *shape;
	float **w, **b;
	float *x, *y, *col;	/* ping-pong activations, im2col buffer */
	uint32_t cap;		/* vectors they hold */
};

/*
 * Whether m has a dense float version here: not with bit-plane or QUANT
 * layers (their weights are planes, their activations few bits).
 */
bool dense_supported(const struct accel_model *m);

/* Build d for batches of up to cap vectors; an accel_status. */
int dense_build(const struct accel_model *m, uint32_t cap,
		struct dense_model *d, struct accel_error *err);
void dense_free(struct dense_model *d);

/* n vectors (n <= cap) from in to out through every layer. */
void dense_run(struct dense_model *d, uint32_t n, const float *in, float *out);

#endif
