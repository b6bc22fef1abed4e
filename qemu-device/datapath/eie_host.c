// SPDX-License-Identifier: MIT
/* The host kernels' selection (eie_host.h). */
#include "eie_host.h"

static enum eie_kernels kernels = EIE_KERNELS_AUTO;
static enum eie_form form = EIE_FORM_AUTO;

void eie_set_form(enum eie_form f)
{
	__atomic_store_n(&form, f, __ATOMIC_RELAXED);
}

enum eie_form eie_form_now(void)
{
	return __atomic_load_n(&form, __ATOMIC_RELAXED);
}

void eie_set_kernels(enum eie_kernels k)
{
	__atomic_store_n(&kernels, k, __ATOMIC_RELAXED);
}

enum eie_kernels eie_kernels_now(void)
{
	return __atomic_load_n(&kernels, __ATOMIC_RELAXED);
}

bool eie_host_avx2(void)
{
#if EIE_HAVE_AVX2
	return __builtin_cpu_supports("avx2");
#else
	return false;
#endif
}

bool eie_host_avx512vl(void)
{
#if EIE_HAVE_AVX2
	return __builtin_cpu_supports("avx512f") &&
	       __builtin_cpu_supports("avx512vl");
#else
	return false;
#endif
}
