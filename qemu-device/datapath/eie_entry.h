/* SPDX-License-Identifier: MIT */
/* Reading one stream entry; shared by validation, execution and the model. */
#ifndef DCACCEL_EIE_ENTRY_READ_H
#define DCACCEL_EIE_ENTRY_READ_H

#include <stdint.h>

/* Entry e of a stream of 1- or 2-byte little-endian entries. */
static inline unsigned int eie_entry_at(const uint8_t *entries, uint32_t e,
					unsigned int bytes)
{
	if (bytes == 1)
		return entries[e];
	return entries[2 * (size_t)e] | (unsigned int)entries[2 * (size_t)e + 1] << 8;
}

#endif
