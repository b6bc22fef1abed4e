// SPDX-License-Identifier: MIT
/* libFuzzer target: the .npy importer refuses or loads, never misreads. */
#include <stdlib.h>

#include "../userspace/dcc/tensor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcc_error err;
	struct tensor t;

	if (!npy_load_buffer(data, size, "fuzz.npy", &t, &err)) {
		if (t.count == 0 || (!t.f && !t.u8))
			abort();
		tensor_free(&t);
	}
	return 0;
}
