/* SPDX-License-Identifier: MIT */
/*
 * Which x86 vector instructions the datapath's host paths may use: the
 * best the CPU has, found at run time, unless a test forces another so
 * that every path is held to the same results. Each path gives the same
 * outputs, statistics and cycles, bit for bit; only the host time
 * differs. Elsewhere (arm64) there is only the generic C.
 */
#ifndef DCACCEL_DP_ISA_H
#define DCACCEL_DP_ISA_H

#include <stdbool.h>

/* x86 paths where the compiler can target them (the CPU is asked later) */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DP_HAVE_X86_PATHS	1
#endif

enum dp_isa {
	DP_ISA_GENERIC,		/* C, whatever the compiler makes of it */
	DP_ISA_AVX2,
	DP_ISA_AVX512,		/* F, BW and VL (and VNNI where it helps) */
	DP_ISA_BEST,		/* the best this CPU has */
};

/*
 * Use at most isa (DP_ISA_BEST: the default) from now on; false, and no
 * change, when the CPU or the build does not have it. Not thread-safe:
 * for tests, before they run anything.
 */
bool dp_isa_force(enum dp_isa isa);

/* Whether the paths of isa may run now (DP_ISA_GENERIC always may). */
bool dp_isa_use(enum dp_isa isa);

/* Whether AVX-512's VPOPCNTQ may: DP_ISA_AVX512 and the CPU's VPOPCNTDQ. */
bool dp_isa_use_vpopcnt(void);

#endif
