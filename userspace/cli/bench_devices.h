/* SPDX-License-Identifier: MIT */
/* dcaccel bench --devices (cmd_bench_devices.c). */
#ifndef DCACCEL_CLI_BENCH_DEVICES_H
#define DCACCEL_CLI_BENCH_DEVICES_H

#include "cli.h"

#define BENCH_DEVICES_MAX	16

/* --devices: N (meaning 1..N) or a list of counts; -1 after a message. */
int parse_device_counts(const char *s, uint32_t *counts, uint32_t *n);

struct bench_devices_args {
	const char *model, *input;
	const uint32_t *counts, *batches;
	uint32_t ncounts, nb, iters;
	int json;
};

/* The split's rows for every count and batch; an exit code. */
int bench_devices(const struct bench_devices_args *a, const struct cli_inputs *in);

#endif
