// SPDX-License-Identifier: MIT
/*
 * libFuzzer: libaccel's model loader (libdcm's reader plus libaccel's own
 * checks: layer chaining, formats, engine validation, decoded forms, the
 * version-3 layers), and the CPU reference on whatever it accepts. Each
 * input is tried as it is and with its CRC made right, so that mutations
 * reach past the checksum into the layers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include <dcaccel/accel.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void load_and_run(const uint8_t *data, size_t size)
{
	struct accel_model *m;
	struct accel_model_info mi;
	struct accel_error err;

	if (accel_model_load_buffer(NULL, data, size, "fuzz", &m, &err))
		return;
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
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *fixed;
	uint32_t crc;

	load_and_run(data, size);
	if (size <= 4 || !(fixed = malloc(size)))
		return 0;
	memcpy(fixed, data, size);
	/* the file's last 4 bytes: crc32() of all before them, little-endian */
	crc = (uint32_t)crc32(0L, fixed, (uInt)(size - 4));
	for (int k = 0; k < 4; k++)
		fixed[size - 4 + k] = (uint8_t)(crc >> (8 * k));
	if (memcmp(fixed, data, size))
		load_and_run(fixed, size);
	free(fixed);
	return 0;
}
