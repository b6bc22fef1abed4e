// SPDX-License-Identifier: MIT
/*
 * An application of the installed libaccel: scripts/check-deb.sh builds it
 * with `pkg-config --cflags --libs libaccel` against the files of the
 * libaccel-dev and libaccel1 packages and runs it. It loads a .dcm on the
 * CPU reference, classifies one vector, and checks that a missing file is
 * refused with a message that names it.
 *
 * Usage: libaccel_app MODEL.dcm
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dcaccel/accel.h>

int main(int argc, char **argv)
{
	struct accel_model *m;
	struct accel_model_info mi;
	struct accel_stats st;
	struct accel_error err;
	float *x, *y;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: libaccel_app MODEL.dcm\n");
		return 2;
	}
	rc = accel_model_load(NULL, "/nonexistent/model.dcm", &m, &err);
	if (rc == ACCEL_OK || !strstr(err.msg, "/nonexistent/model.dcm")) {
		fprintf(stderr, "a missing model gave status %d (%s): \"%s\"\n", rc,
			accel_strerror(rc), err.msg);
		return 1;
	}
	rc = accel_model_load(NULL, argv[1], &m, &err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", accel_strerror(rc), err.msg);
		return 1;
	}
	accel_model_info(m, &mi, NULL);
	x = calloc(mi.inputs, sizeof(*x));
	y = calloc(mi.outputs, sizeof(*y));
	if (!x || !y)
		return 1;
	for (uint32_t i = 0; i < mi.inputs; i++)
		x[i] = (float)(i % 7) / 7.0f;
	rc = accel_infer(m, ACCEL_BACKEND_CPU, 1, x, y, &st, &err);
	if (rc) {
		fprintf(stderr, "%s: %s\n", accel_strerror(rc), err.msg);
		return 1;
	}
	printf("layers %u inputs %u outputs %u class %u macs %llu\n", mi.layer_count,
	       mi.inputs, mi.outputs, accel_argmax(y, mi.outputs),
	       (unsigned long long)st.macs);
	accel_model_free(m);
	free(x);
	free(y);
	return 0;
}
