// SPDX-License-Identifier: MIT
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_eie.h"
#include "dcaccel/dcaccel_energy.h"
#include "dp_energy.h"
#include "eie_entry.h"

static uint64_t words(uint64_t bytes)
{
	return (bytes + 3) / 4;
}

enum dp_weight_kind dp_codebook_kind(const int16_t *codebook, uint32_t len)
{
	int32_t first = 0;
	bool one = true, pow2 = true;

	for (uint32_t i = 1; i < len; i++) {
		int32_t a = codebook[i] < 0 ? -(int32_t)codebook[i] :
					      codebook[i];

		if (!a)
			continue;
		if (!first)
			first = a;
		one &= a == first;
		pow2 &= (a & (a - 1)) == 0;
	}
	if (!first)
		return DP_WEIGHTS_NONE;
	if (one)
		return DP_WEIGHTS_ONE_MAGNITUDE;
	return pow2 ? DP_WEIGHTS_POW2 : DP_WEIGHTS_GENERAL;
}

/* Bytes of one vector's outputs: 16-bit values, or Ko planes. */
static uint64_t out_bytes(uint32_t m, const struct dp_energy_io *io)
{
	return io->out_planes ?
	       (uint64_t)io->out_planes * DCACCEL_PLANE_WORDS(m) * 8 :
	       (uint64_t)m * 2;
}

/* The quantizer's thresholds and codes are weights too. */
static uint64_t quantizer_words(const struct dp_energy_io *io)
{
	const uint64_t levels = (uint64_t)1 << io->out_planes;

	return io->out_planes ? words((levels - 1) * 2) + words(levels) : 0;
}

/* Activations off chip, and the outputs' SRAM words. */
static void add_io(uint64_t in_bytes, uint32_t m, uint32_t batch,
		   const struct dp_energy_io *io, struct dp_energy *e)
{
	if (!io->in_on_chip)
		e->dram_acts += words((uint64_t)batch * in_bytes);
	if (!io->out_on_chip)
		e->dram_acts += words((uint64_t)batch * out_bytes(m, io));
	e->sram += (uint64_t)batch * words(out_bytes(m, io));
	e->dram_weights += quantizer_words(io);
}

void dp_energy_fc(const struct eie_layer *l, uint32_t batch,
		  const int16_t *in, const struct dp_energy_io *io,
		  struct dp_energy *e)
{
	const uint32_t eb = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	const uint32_t stride = l->cols + 1;
	uint64_t macs = 0;

	e->dram_weights += words((uint64_t)l->codebook_len * 2) +
			   words((uint64_t)l->pes * stride * 4) +
			   words((uint64_t)l->entry_count * eb) +
			   (l->bias ? words((uint64_t)l->rows * 4) : 0);
	add_io((uint64_t)l->cols * (io->in_f32 ? 4 : 2), l->rows, batch, io, e);
	for (uint32_t b = 0; b < batch; b++) {
		const int16_t *x = in + (size_t)b * l->cols;

		/* the LNZD reads the inputs */
		e->sram += io->in_f32 ? l->cols : words((uint64_t)l->cols * 2);
		for (uint32_t j = 0; j < l->cols; j++) {
			if (!x[j])
				continue;
			for (uint32_t p = 0; p < l->pes; p++) {
				const uint32_t e0 = l->colptr[p * stride + j];
				const uint32_t e1 = l->colptr[p * stride + j + 1];

				e->sram += 2 + words((uint64_t)(e1 - e0) * eb);
				for (uint32_t k = e0; k < e1; k++)
					macs += DCACCEL_EIE_ENTRY_WIDX(
						eie_entry_at(l->entries, k, eb),
						l->zbits) != DCACCEL_EIE_PAD_INDEX;
			}
		}
	}
	switch (dp_codebook_kind(l->codebook, l->codebook_len)) {
	case DP_WEIGHTS_NONE:
		break;
	case DP_WEIGHTS_ONE_MAGNITUDE:
		e->addsub += macs;
		e->mul32 += (uint64_t)batch * l->rows;
		break;
	case DP_WEIGHTS_POW2:
		e->shift_add += macs;
		break;
	case DP_WEIGHTS_GENERAL:
		e->mac16 += macs;
		break;
	}
}

void dp_energy_bitplane(const struct dp_bitplane *l, uint32_t batch,
			const struct dp_energy_io *io, struct dp_energy *e)
{
	const uint64_t lw = DCACCEL_PLANE_WORDS(l->cols);
	const uint64_t pairs = (uint64_t)l->w_planes * l->a_planes;
	const uint64_t word_pairs = pairs * l->rows * lw;

	e->dram_weights += words((uint64_t)l->w_planes * l->rows * lw * 8) +
			   words((uint64_t)l->rows * l->w_planes * 2) +
			   words((uint64_t)l->a_planes * 2) +
			   (l->bias ? words((uint64_t)l->rows * 4) : 0);
	add_io((uint64_t)l->a_planes * lw * 8, l->rows, batch, io, e);
	/* per vector: the weight words, the activation words broadcast */
	e->sram += (uint64_t)batch * (2 * word_pairs + 2 * l->a_planes * lw);
	e->popcount64 += (uint64_t)batch * word_pairs;
	e->mul32 += (uint64_t)batch * l->rows * pairs;
	e->add32 += (uint64_t)batch * l->rows * pairs;
}

void dp_energy_price(const struct dp_energy *e, struct dp_energy_fj *fj)
{
	fj->dram_weights = e->dram_weights * DCACCEL_ENERGY_DRAM32_FJ;
	fj->dram_acts = e->dram_acts * DCACCEL_ENERGY_DRAM32_FJ;
	fj->sram = e->sram * DCACCEL_ENERGY_SRAM32_FJ;
	fj->arith = e->addsub * DCACCEL_ENERGY_ADDSUB_FJ +
		    e->shift_add * DCACCEL_ENERGY_SHIFT_ADD_FJ +
		    e->mac16 * DCACCEL_ENERGY_MAC16_FJ +
		    e->mul32 * DCACCEL_ENERGY_MUL32_FJ +
		    e->add32 * DCACCEL_ENERGY_ADD32_FJ;
	fj->bitops = e->popcount64 * DCACCEL_ENERGY_POPCOUNT64_FJ;
}
