// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdbool.h>

#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_eie.h"
#include "dp_bitplane.h"
#include "dp_planes.h"
#include "eie_arith.h"

static int check_planes(struct eie_error *err, const char *what,
			uint8_t planes, uint8_t kind)
{
	if (planes == 0 || planes > DCACCEL_BITPLANE_PLANES_MAX)
		return eie_fail(err, "%s planes must be 1..%u, got %u", what,
				DCACCEL_BITPLANE_PLANES_MAX, planes);
	if (kind != DCACCEL_PLANE_UNSIGNED && kind != DCACCEL_PLANE_SIGNED)
		return eie_fail(err, "%s plane kind must be %u (unsigned) or %u (signed), got %u",
				what, DCACCEL_PLANE_UNSIGNED,
				DCACCEL_PLANE_SIGNED, kind);
	return 0;
}

int dp_bitplane_validate(const struct dp_bitplane *l, struct eie_error *err)
{
	int ret;

	if (!l)
		return eie_fail(err, "no bit-plane layer");
	if (l->rows == 0 || l->rows > DCACCEL_BITPLANE_DIM_MAX)
		return eie_fail(err, "rows must be 1..%u, got %u",
				DCACCEL_BITPLANE_DIM_MAX, l->rows);
	if (l->cols == 0 || l->cols > DCACCEL_BITPLANE_DIM_MAX)
		return eie_fail(err, "cols must be 1..%u, got %u",
				DCACCEL_BITPLANE_DIM_MAX, l->cols);
	if (l->pes == 0 || l->pes > DCACCEL_EIE_PES_MAX)
		return eie_fail(err, "pes must be 1..%u, got %u",
				DCACCEL_EIE_PES_MAX, l->pes);
	ret = check_planes(err, "weight", l->w_planes, l->w_kind);
	if (ret)
		return ret;
	ret = check_planes(err, "activation", l->a_planes, l->a_kind);
	if (ret)
		return ret;
	if (l->bw_frac > DCACCEL_EIE_FRAC_MAX || l->ba_frac > DCACCEL_EIE_FRAC_MAX)
		return eie_fail(err, "basis fraction bits must be 0..%u, got %u and %u",
				DCACCEL_EIE_FRAC_MAX, l->bw_frac, l->ba_frac);
	if (l->out_frac > DCACCEL_EIE_FRAC_MAX ||
	    l->out_frac > l->bw_frac + l->ba_frac)
		return eie_fail(err, "out_frac must be 0..%u and at most bw_frac + ba_frac (%u), got %u",
				DCACCEL_EIE_FRAC_MAX, l->bw_frac + l->ba_frac,
				l->out_frac);
	if (!l->wplanes || !l->w_basis || !l->a_basis)
		return eie_fail(err, "a bit-plane layer needs its weight planes and both bases");
	return 0;
}

/*
 * One vector's outputs (planes at x) by POPCNT or by VPOPCNTQ (vp): inlined
 * into a function of each's target, so that its counts are instructions.
 */
__attribute__((always_inline))
static inline void vector_rows(const struct dp_bitplane *l, const uint64_t *x,
			       int16_t *out, bool vp)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(l->cols);
	const unsigned int shift = l->bw_frac + l->ba_frac - l->out_frac;

	for (uint32_t i = 0; i < l->rows; i++) {
		int64_t acc = l->bias ? l->bias[i] : 0;

		for (uint32_t u = 0; u < l->w_planes; u++) {
			const uint64_t *w = l->wplanes +
					    ((size_t)u * l->rows + i) * words;
			int64_t sum = 0;

			for (uint32_t v = 0; v < l->a_planes; v++) {
				const uint64_t *a = x + (size_t)v * words;
				struct dp_pair_counts pc = { 0 };

				dp_pair_count_by(&pc, w, a, l->cols, l->w_kind,
						 l->a_kind, vp);
				sum += (int64_t)l->a_basis[v] *
				       dp_pair_dot(&pc, l->w_kind, l->a_kind);
			}
			acc += l->w_basis[(size_t)i * l->w_planes + u] * sum;
		}
		*out++ = eie_finish(acc, l->relu, shift);
	}
}

DP_POPCNT_CLONES
static void rows_popcnt(const struct dp_bitplane *l, const uint64_t *x,
			int16_t *out)
{
	vector_rows(l, x, out, false);
}

#ifdef DP_HAVE_X86_PATHS
DP_VPOPCNT_TARGET
static void rows_vpopcnt(const struct dp_bitplane *l, const uint64_t *x,
			 int16_t *out)
{
	vector_rows(l, x, out, true);
}
#endif

int dp_bitplane_run(const struct dp_bitplane *l, uint32_t batch,
		    const uint64_t *in, int16_t *out, struct eie_stats *stats,
		    const struct eie_poll *poll)
{
	const uint32_t words = DCACCEL_PLANE_WORDS(l->cols);
	const uint64_t pairs = (uint64_t)l->w_planes * l->a_planes;
	void (*rows)(const struct dp_bitplane *l, const uint64_t *x,
		     int16_t *out) = rows_popcnt;

#ifdef DP_HAVE_X86_PATHS
	if (words >= DP_VPOPCNT_MIN_WORDS && dp_isa_use_vpopcnt())
		rows = rows_vpopcnt;
#endif
	for (uint32_t b = 0; b < batch; b++) {
		if (eie_poll_stop(poll))
			return -ECANCELED;
		rows(l, in + (size_t)b * l->a_planes * words, out);
		out += l->rows;
		if (stats) {
			stats->nonzero_acts += l->cols;
			stats->entries += pairs * l->rows * words;
			stats->macs += pairs * l->rows * l->cols;
		}
	}
	return 0;
}

void dp_bitplane_add_cycles(uint32_t rows, uint32_t pes, uint64_t per_row,
			    uint64_t broadcast, uint32_t batch,
			    struct eie_cycles *cycles, uint64_t *pe_busy)
{
	for (uint32_t p = 0; p < pes; p++) {
		uint64_t busy = (uint64_t)batch * per_row *
				DCACCEL_EIE_PE_ROWS(rows, pes, p);

		cycles->busy += busy;
		if (pe_busy)
			pe_busy[p] += busy;
	}
	/* PE 0 holds the most rows; the broadcast comes first */
	cycles->cycles += (uint64_t)batch *
			  (broadcast + per_row * DCACCEL_EIE_PE_ROWS(rows, pes, 0));
}

void dp_bitplane_model_cycles(const struct dp_bitplane *l, uint32_t batch,
			      struct eie_cycles *cycles, uint64_t *pe_busy)
{
	const uint64_t words = DCACCEL_PLANE_WORDS(l->cols);

	dp_bitplane_add_cycles(l->rows, l->pes,
			       (uint64_t)l->w_planes * l->a_planes * words,
			       l->a_planes * words, batch, cycles, pe_busy);
}
