// SPDX-License-Identifier: MIT
/* The datapath's choice of host vector instructions (dp_isa.h). */
#include "dp_isa.h"

static enum dp_isa ceiling = DP_ISA_BEST;

static bool cpu_has(enum dp_isa isa)
{
	switch (isa) {
	case DP_ISA_GENERIC:
	case DP_ISA_BEST:
		return true;
#ifdef DP_HAVE_X86_PATHS
	case DP_ISA_AVX2:
		return __builtin_cpu_supports("avx2");
	case DP_ISA_AVX512:
		return __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw") &&
		       __builtin_cpu_supports("avx512vl");
#endif
	default:
		return false;
	}
}

bool dp_isa_force(enum dp_isa isa)
{
	if (!cpu_has(isa))
		return false;
	ceiling = isa;
	return true;
}

bool dp_isa_use(enum dp_isa isa)
{
	return isa <= ceiling && cpu_has(isa);
}

bool dp_isa_use_vpopcnt(void)
{
#ifdef DP_HAVE_X86_PATHS
	return dp_isa_use(DP_ISA_AVX512) &&
	       __builtin_cpu_supports("avx512vpopcntdq");
#else
	return false;
#endif
}
