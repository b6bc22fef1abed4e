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

/*
 * The copies of an EIE_KERNEL function `name` returning int, taking
 * `params` (in parentheses) and then `const bool avx2` (which copy it is
 * inlined into), called with the arguments that follow: name_baseline
 * and, on x86-64, name_avx2; EIE_CALL(name, (args)) runs the one for this
 * host.
 */
#if EIE_HAVE_AVX2
#define EIE_COPIES(name, params, ...)					\
	static int name##_baseline params				\
	{ return name(__VA_ARGS__, false); }				\
	__attribute__((target("avx2")))					\
	static int name##_avx2 params { return name(__VA_ARGS__, true); }
#define EIE_CALL(name, args)						\
	(eie_use_avx2() ? name##_avx2 args : name##_baseline args)
#else
#define EIE_COPIES(name, params, ...)					\
	static int name##_baseline params				\
	{ return name(__VA_ARGS__, false); }
#define EIE_CALL(name, args)	(name##_baseline args)
#endif

enum eie_kernels eie_kernels_now(void);

/* Whether the AVX2 copies are to run. */
static inline bool eie_use_avx2(void)
{
	const enum eie_kernels k = eie_kernels_now();

	return EIE_HAVE_AVX2 &&
	       (k == EIE_KERNELS_AUTO || k == EIE_KERNELS_AVX2) &&
	       eie_host_avx2();
}

/* Whether an AVX-512VL copy is to run, where a kernel has one. */
static inline bool eie_use_avx512vl(void)
{
	return EIE_HAVE_AVX2 && eie_kernels_now() == EIE_KERNELS_AUTO &&
	       eie_host_avx2() && eie_host_avx512vl();
}

#endif
