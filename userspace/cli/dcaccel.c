// SPDX-License-Identifier: MIT
/* dcaccel: the operator's tool over libaccel (info, run, bench). */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "../common/version.h"

static const char usage[] =
	"usage: dcaccel COMMAND [options]   (dcaccel COMMAND --help for more)\n"
	"       dcaccel --help | --version\n"
	"  info     the device: identity, PEs, limits, driver version\n"
	"  run      MODEL INPUT: classify IDX images or raw float32 vectors\n"
	"  bench    MODEL: latency and throughput, device vs CPU reference vs dense float\n"
	"exit codes: 0 success, 1 device or job failure, 2 bad command line,\n"
	"            3 no device or no permission, 4 bad model or input file\n";

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("dcaccel %s (libaccel %d.%d)\n", DCACCEL_VERSION,
		       ACCEL_VERSION_MAJOR, ACCEL_VERSION_MINOR);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "info"))
		return cmd_info(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "bench"))
		return cmd_bench(argc - 1, argv + 1);
	fprintf(stderr, "dcaccel: unknown command '%s'; expected info, run or bench (dcaccel --help says more)\n",
		argv[1]);
	return EXIT_USAGE;
}
