/* SPDX-License-Identifier: MIT */
/*
 * Run a test body on each of the bit-plane ops' counting paths: generic C
 * (POPCNT), then AVX-512's VPOPCNTQ where the CPU has it; the best path
 * again afterwards.
 */
#ifndef DCACCEL_TESTS_POPCNT_PATHS_H
#define DCACCEL_TESTS_POPCNT_PATHS_H

#include "tap.h"
#include "dp_isa.h"

static inline void popcnt_paths(void (*body)(void))
{
	for (int avx512 = 0; avx512 < 2; avx512++) {
		if (!dp_isa_force(avx512 ? DP_ISA_AVX512 : DP_ISA_GENERIC)) {
			DIAG("AVX-512: not on this CPU");
			continue;
		}
		DIAG("%s, VPOPCNTQ %s", avx512 ? "AVX-512" : "generic",
		     dp_isa_use_vpopcnt() ? "used" : "not used");
		body();
	}
	dp_isa_force(DP_ISA_BEST);
}

#endif
