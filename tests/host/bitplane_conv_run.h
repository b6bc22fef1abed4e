/* SPDX-License-Identifier: MIT */
/*
 * dp_bitplane_conv_run() for the tests, with a workspace of its size
 * filled with garbage (the device's and libaccel's are not zeroed), so
 * that a read of a workspace word before its write shows.
 */
#ifndef DCACCEL_TESTS_BITPLANE_CONV_RUN_H
#define DCACCEL_TESTS_BITPLANE_CONV_RUN_H

#include <stdlib.h>
#include <string.h>

#include "dp_bitplane_conv.h"

static inline int bpconv_run(const struct dp_bitplane_conv *cv, uint32_t batch,
			     const uint64_t *x, int16_t *y,
			     struct eie_stats *st)
{
	size_t n = dp_bitplane_conv_ws_size(cv);
	void *ws = malloc(n ? n : 8);
	int ret;

	if (!ws)
		abort();
	memset(ws, 0xa5, n);
	ret = dp_bitplane_conv_run(cv, batch, x, y, ws, st, NULL);
	free(ws);
	return ret;
}

#endif
