// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: a line of a sweep's CSV read back (dcc sweep resumes
 * from DIR/sweep.csv, which anyone may have edited), and what it accepts
 * written out and read again to the same point.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../userspace/dcc/sweep.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sweep_point p, q;
	char *line = malloc(size + 1), out[1024];
	FILE *f;

	if (!line)
		return 0;
	memcpy(line, data, size);
	line[size] = 0;
	if (sweep_point_parse(line, &p)) {
		/* a quote would reach gnuplot's script */
		if (strchr(p.method, '\'') || strchr(p.method, '"'))
			abort();
		f = fmemopen(out, sizeof(out), "w");
		if (f) {
			sweep_point_write(f, &p);
			fclose(f);
			if (!sweep_point_parse(out, &q) || strcmp(p.method, q.method) ||
			    p.bits != q.bits)
				abort();
		}
	}
	free(line);
	return 0;
}
