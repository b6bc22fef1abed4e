/* SPDX-License-Identifier: MIT */
/* Reading one stream entry; shared by validation, execution and the model. */
#ifndef DCACCEL_EIE_ENTRY_READ_H
#define DCACCEL_EIE_ENTRY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "dcaccel/dcaccel_eie.h"

/* Entry e of a stream of 1- or 2-byte little-endian entries. */
static inline unsigned int eie_entry_at(const uint8_t *entries, uint32_t e,
					unsigned int bytes)
{
	if (bytes == 1)
		return entries[e];
	return entries[2 * (size_t)e] | (unsigned int)entries[2 * (size_t)e + 1] << 8;
}

/*
 * One PE's run of one column, entries [e, end) of `bytes` bytes: each adds
 * prod[index] to the accumulator of its local row, acc[row * stride].
 * Returns the number of padding entries met.
 */
static inline uint32_t eie_run_entries(const uint8_t *entries, uint32_t e,
				       uint32_t end, unsigned int bytes,
				       unsigned int zbits,
				       const int32_t *prod, int64_t *acc,
				       size_t stride)
{
	const unsigned int zmask = (1u << zbits) - 1;
	uint32_t row = 0, padding = 0;

	for (; e < end; e++) {
		unsigned int v = eie_entry_at(entries, e, bytes);
		unsigned int w = v >> zbits;

		row += v & zmask;
		acc[row * stride] += prod[w];
		padding += w == DCACCEL_EIE_PAD_INDEX;
		row++;
	}
	return padding;
}

#endif
