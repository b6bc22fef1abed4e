// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the .safetensors importer, then the model builder on
 * whatever tensors it accepted.
 */
#include <stdlib.h>

#include "../userspace/dcc/model_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcc_error err;
	struct tensor_set ts;
	struct net m;

	if (safetensors_load_buffer(data, size, "fuzz.safetensors", &ts, &err))
		return 0;
	if (!net_from_tensors(&ts, NULL, &m, &err))
		net_free(&m);
	tensor_set_free(&ts);
	return 0;
}
