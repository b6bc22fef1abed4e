/* SPDX-License-Identifier: MIT */
/*
 * The conv benchmark's layers: LeNet-5's two convolutions (Caffe's
 * LeNet, as Deep Compression prunes it) and AlexNet's conv2..conv5
 * (Caffe's shapes with the two towers merged: every filter sees every
 * input channel), with the share of weights Deep Compression keeps
 * (Han et al., ICLR 2016, Tables 1 and 4).
 */
#ifndef DCACCEL_BENCH_CONV_LAYERS_H
#define DCACCEL_BENCH_CONV_LAYERS_H

#include "conv_shape.h"

struct conv_layer_def {
	const char *name;
	struct conv_shape shape;	/* oh, ow filled in at run time */
	double dc_density;		/* weights kept by Deep Compression */
};

static const struct conv_layer_def conv_layers[] = {
	{ "LeNet-c1", { 1, 28, 28, 20, 5, 5, 1, 0, 0, 0 }, 0.66 },
	{ "LeNet-c2", { 20, 12, 12, 50, 5, 5, 1, 0, 0, 0 }, 0.12 },
	{ "Alex-c2", { 96, 27, 27, 256, 5, 5, 1, 2, 0, 0 }, 0.38 },
	{ "Alex-c3", { 256, 13, 13, 384, 3, 3, 1, 1, 0, 0 }, 0.35 },
	{ "Alex-c4", { 384, 13, 13, 384, 3, 3, 1, 1, 0, 0 }, 0.37 },
	{ "Alex-c5", { 384, 13, 13, 256, 3, 3, 1, 1, 0, 0 }, 0.37 },
};

/* The second density every layer runs at. */
#define CONV_LOW_DENSITY	0.10
/* Non-zero inputs: ReLU activations of about 40-50% non-zero. */
#define CONV_ACT_DENSITY	0.45

#endif
