// SPDX-License-Identifier: MIT
/* libFuzzer target: the IDX parser, as images and as labels. */
#include <stdlib.h>

#include "../userspace/dcc/idx.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcc_error err;
	uint32_t dims[3];
	uint8_t *out;

	for (unsigned int nd = 1; nd <= 3; nd += 2) {
		if (!idx_parse(data, size, "fuzz.idx", nd, 64, dims, &out, &err))
			free(out);
	}
	return 0;
}
