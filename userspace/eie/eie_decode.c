// SPDX-License-Identifier: MIT
/* The EIE decoder: validated streams back to a dense index matrix. */
#include <string.h>

#include "eie_encode.h"
#include "../../qemu-device/datapath/eie_entry.h"

int eie_decode(const struct eie_layer *l, uint8_t *widx,
	       struct eie_error *err)
{
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	int ret = eie_validate(l, err);

	if (ret)
		return ret;
	memset(widx, 0, (size_t)l->rows * l->cols);
	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t *ptr = l->colptr + (size_t)p * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t local = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);

				local += DCACCEL_EIE_ENTRY_Z(v, l->zbits);
				widx[((size_t)local * l->pes + p) * l->cols + j] =
					(uint8_t)DCACCEL_EIE_ENTRY_WIDX(v, l->zbits);
				local++;
			}
		}
	}
	return 0;
}
