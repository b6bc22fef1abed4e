/* SPDX-License-Identifier: MIT */
/*
 * The EIE paper's nine benchmark layers (Han et al., ISCA 2016, Tables III
 * and IV): sizes, weight and activation densities, and its reported
 * latency at 64 PEs and 800 MHz, batch 1.
 */
#ifndef DCACCEL_BENCH_PAPER_LAYERS_H
#define DCACCEL_BENCH_PAPER_LAYERS_H

struct paper_layer {
	const char *name;
	unsigned int inputs, outputs;
	double weight_density, act_density;
	double theoretical_us, actual_us;
};

static const struct paper_layer paper_layers[] = {
	{ "Alex-6",  9216, 4096, 0.09, 0.351, 28.1, 30.3 },
	{ "Alex-7",  4096, 4096, 0.09, 0.353, 11.7, 12.2 },
	{ "Alex-8",  4096, 1000, 0.25, 0.375,  8.9,  9.9 },
	{ "VGG-6",  25088, 4096, 0.04, 0.183, 28.1, 34.4 },
	{ "VGG-7",   4096, 4096, 0.04, 0.375,  7.9,  8.7 },
	{ "VGG-8",   4096, 1000, 0.23, 0.411,  7.3,  8.4 },
	{ "NT-We",   4096,  600, 0.10, 1.000,  5.2,  8.0 },
	{ "NT-Wd",    600, 8791, 0.11, 1.000, 13.0, 13.9 },
	{ "NT-LSTM", 1201, 2400, 0.10, 1.000,  6.5,  7.5 },
};

#endif
