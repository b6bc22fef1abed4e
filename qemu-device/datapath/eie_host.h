/* SPDX-License-Identifier: MIT */
/*
 * Which of the host kernels run (eie_set_kernels()): the batched FC kernel
 * and the cycle model's table form come in a baseline copy and, on x86-64,
 * an AVX2 copy chosen at run time (QEMU and the packages are built for
 * baseline x86-64). Every copy gives the same results, bit for bit.
 */
#ifndef DCACCEL_EIE_HOST_H
#define DCACCEL_EIE_HOST_H

#include <stdbool.h>

#include "eie.h"

#if defined(__x86_64__) && defined(__GNUC__)
#define EIE_HAVE_AVX2	1
#else
#define EIE_HAVE_AVX2	0
#endif

/* Inlined into each instruction set's copy of a kernel. */
#define EIE_KERNEL	static inline __attribute__((always_inline))

enum eie_kernels eie_kernels_now(void);

/* Whether the AVX2 copies are to run. */
static inline bool eie_use_avx2(void)
{
	return EIE_HAVE_AVX2 && eie_kernels_now() == EIE_KERNELS_AUTO &&
	       eie_host_avx2();
}

#endif
