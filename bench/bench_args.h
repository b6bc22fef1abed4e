/* SPDX-License-Identifier: MIT */
/*
 * The benchmarks' command line: [--csv FILE] [--sweep-csv FILE]
 * [--layer NAME] [--seed N]; --sweep-csv only where the program has a
 * sweep.
 */
#ifndef DCACCEL_BENCH_ARGS_H
#define DCACCEL_BENCH_ARGS_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct bench_args {
	const char *csv, *sweep_csv, *only;
	uint64_t seed;
};

static inline int bench_usage(const char *prog, bool sweep, const char *msg)
{
	fprintf(stderr, "%s: %s\nusage: %s [--csv FILE]%s [--layer NAME] [--seed N]\n",
		prog, msg, prog, sweep ? " [--sweep-csv FILE]" : "");
	return 2;
}

/* 0, or the exit status of a usage error (2), said on stderr. */
static inline int bench_parse_args(int argc, char **argv, const char *prog,
				   bool sweep, struct bench_args *a)
{
	*a = (struct bench_args){ .seed = 2016 };
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--csv") && i + 1 < argc) {
			a->csv = argv[++i];
		} else if (sweep && !strcmp(argv[i], "--sweep-csv") &&
			   i + 1 < argc) {
			a->sweep_csv = argv[++i];
		} else if (!strcmp(argv[i], "--layer") && i + 1 < argc) {
			a->only = argv[++i];
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;

			errno = 0;
			a->seed = strtoull(argv[++i], &end, 0);
			if (errno || *end || end == argv[i])
				return bench_usage(prog, sweep,
						   "--seed takes a number");
		} else {
			return bench_usage(prog, sweep, argv[i][0] == '-' ?
					   "unknown option" :
					   "unexpected argument");
		}
	}
	return 0;
}

#endif
