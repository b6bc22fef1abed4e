// SPDX-License-Identifier: MIT
/* Exit codes, messages and input files of the dcaccel tool. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "../common/cliopt.h"
#include "../dcc/idx.h"

int cli_exit_code(int status)
{
	switch (status) {
	case ACCEL_OK: return EXIT_OK;
	case ACCEL_E_NODEV: case ACCEL_E_ACCESS: return EXIT_NODEV;
	case ACCEL_E_MODEL: case ACCEL_E_IO: return EXIT_BADFILE;
	case ACCEL_E_INVALID: return EXIT_USAGE;
	default: return EXIT_FAIL;
	}
}

int cli_report(int status, const struct accel_error *err)
{
	fprintf(stderr, "dcaccel: %s\n", err && err->msg[0] ? err->msg :
		accel_strerror(status));
	return cli_exit_code(status);
}

const char *cli_value(int argc, char **argv, int *a)
{
	return *a + 1 < argc ? argv[++*a] : NULL;
}

int cli_path_value(const char *cmd, int argc, char **argv, int *a,
		   const char *what, const char **out)
{
	const char *opt = argv[*a];
	char prog[32];

	*out = cli_value(argc, argv, a);
	if (*out)
		return 0;
	snprintf(prog, sizeof(prog), "dcaccel %s", cmd);
	return cliopt_fail(prog, opt, NULL, "%s", what);
}

int cli_unknown(const char *cmd, const char *arg, const char *expected)
{
	if (arg[0] == '-' && arg[1])
		fprintf(stderr, "dcaccel %s: unknown option '%s' (dcaccel %s --help lists the options)\n",
			cmd, arg, cmd);
	else
		fprintf(stderr, "dcaccel %s: unexpected argument '%s'; %s\n", cmd, arg,
			expected);
	return EXIT_USAGE;
}

static int load_raw(const char *path, uint32_t dim, uint32_t limit,
		    struct cli_inputs *in)
{
	FILE *f = fopen(path, "rb");
	long len;

	if (!f) {
		fprintf(stderr, "dcaccel: %s: %s\n", path, strerror(errno));
		return EXIT_BADFILE;
	}
	if (fseek(f, 0, SEEK_END) || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		fprintf(stderr, "dcaccel: %s: cannot size the file\n", path);
		return EXIT_BADFILE;
	}
	if (len == 0 || len % ((long)dim * 4)) {
		fclose(f);
		fprintf(stderr, "dcaccel: %s: %ld bytes is not a whole number of %u-float vectors\n",
			path, len, dim);
		return EXIT_BADFILE;
	}
	in->dim = dim;
	in->count = (uint32_t)(len / ((long)dim * 4));
	if (limit && in->count > limit)
		in->count = limit;
	in->x = malloc((size_t)in->count * dim * sizeof(float));
	if (!in->x || fread(in->x, sizeof(float) * dim, in->count, f) != in->count) {
		fclose(f);
		free(in->x);
		in->x = NULL;
		fprintf(stderr, "dcaccel: %s: read failed\n", path);
		return EXIT_BADFILE;
	}
	fclose(f);
	return EXIT_OK;
}

int cli_load_inputs(const char *path, int raw, uint32_t dim, uint32_t limit,
		    struct cli_inputs *in)
{
	struct dcc_error err;
	uint32_t dims[3];
	uint8_t *pix;
	size_t n;

	memset(in, 0, sizeof(*in));
	if (raw)
		return load_raw(path, dim, limit, in);
	if (idx_read(path, 3, limit, dims, &pix, &err)) {
		fprintf(stderr, "dcaccel: %s (use --raw for float32 vectors)\n", err.msg);
		return EXIT_BADFILE;
	}
	if ((uint64_t)dims[1] * dims[2] != dim) {
		free(pix);
		fprintf(stderr, "dcaccel: %s: images of %ux%u pixels, the model takes %u inputs\n",
			path, dims[1], dims[2], dim);
		return EXIT_BADFILE;
	}
	in->count = dims[0];
	in->dim = dim;
	n = (size_t)in->count * dim;
	in->x = malloc(n * sizeof(float));
	if (!in->x) {
		free(pix);
		fprintf(stderr, "dcaccel: out of memory\n");
		return EXIT_FAIL;
	}
	/* as dcc's idx.c: pixel / 255 in float */
	for (size_t k = 0; k < n; k++)
		in->x[k] = pix[k] / 255.0f;
	free(pix);
	return EXIT_OK;
}

int cli_load_labels(const char *path, struct cli_inputs *in)
{
	struct dcc_error err;
	uint32_t dims[3];

	if (idx_read(path, 1, in->count, dims, &in->labels, &err)) {
		fprintf(stderr, "dcaccel: %s\n", err.msg);
		return EXIT_BADFILE;
	}
	if (dims[0] != in->count) {
		fprintf(stderr, "dcaccel: %s: %u labels for %u inputs\n", path,
			dims[0], in->count);
		return EXIT_BADFILE;
	}
	return EXIT_OK;
}

void cli_inputs_free(struct cli_inputs *in)
{
	free(in->x);
	free(in->labels);
	memset(in, 0, sizeof(*in));
}

void cli_json_str(const char *s)
{
	putchar('"');
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}
