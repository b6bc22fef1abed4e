/* SPDX-License-Identifier: MIT */
/* The dcaccel command-line tool: shared pieces of its commands. */
#ifndef DCACCEL_CLI_H
#define DCACCEL_CLI_H

#include <stdint.h>

#include <dcaccel/accel.h>

/* Exit codes (documented in `dcaccel --help` and libaccel.rst). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,		/* the device or a job failed */
	EXIT_USAGE = 2,		/* bad command line */
	EXIT_NODEV = 3,		/* no device, or no permission to open it */
	EXIT_BADFILE = 4,	/* a model or input file is bad */
};

#define DEFAULT_DATA	"/usr/share/datasets/fashion-mnist"
#define CLI_COUNT_MAX	100000000u	/* --limit, --batch */

/* Map a libaccel status to an exit code. */
int cli_exit_code(int status);

/* Print "dcaccel: msg" for a failed call and return its exit code. */
int cli_report(int status, const struct accel_error *err);

/* Input vectors: an IDX image file (pixels / 255, as dcc) or raw float32. */
struct cli_inputs {
	uint32_t count, dim;
	float *x;
	uint8_t *labels;	/* count labels, or NULL */
};

int cli_load_inputs(const char *path, int raw, uint32_t dim, uint32_t limit,
		    struct cli_inputs *in);
int cli_load_labels(const char *path, struct cli_inputs *in);
void cli_inputs_free(struct cli_inputs *in);

/* Print s as a JSON string, quoted and escaped. */
void cli_json_str(const char *s);

/* The value after option argv[*a] (advancing *a), or NULL at the end. */
const char *cli_value(int argc, char **argv, int *a);

/*
 * A file or device option's value (argv[*a] the option) into *out; -1 after
 * "dcaccel CMD: OPT needs a value: WHAT" when the command line ends there.
 */
int cli_path_value(const char *cmd, int argc, char **argv, int *a,
		   const char *what, const char **out);

/* An option that no command knows, or an operand too many: exit 2. */
int cli_unknown(const char *cmd, const char *arg, const char *expected);

int cmd_info(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif /* DCACCEL_CLI_H */
