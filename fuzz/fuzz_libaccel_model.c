// SPDX-License-Identifier: MIT
/*
 * libFuzzer: libaccel's model loader (libdcm's reader plus libaccel's own
 * checks: layer chaining, formats, engine validation, decoded forms), and
 * the CPU reference on whatever it accepts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <dcaccel/accel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct accel_model *m;
	struct accel_model_info mi;
	struct accel_error err;

	if (accel_model_load_buffer(NULL, data, size, "fuzz", &m, &err))
		return 0;
	accel_model_info(m, &mi, NULL);
	if ((uint64_t)mi.inputs * 2 < (1u << 20)) {
		float *x = calloc((size_t)mi.inputs * 2, sizeof(float));
		float *y = malloc((size_t)mi.outputs * 2 * sizeof(float));

		if (x && y) {
			for (uint32_t k = 0; k < mi.inputs * 2; k++)
				x[k] = (float)(k % 7) / 6.0f;
			accel_infer(m, ACCEL_BACKEND_CPU, 2, x, y, NULL, NULL);
		}
		free(x);
		free(y);
	}
	accel_model_free(m);
	return 0;
}
