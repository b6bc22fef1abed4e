// SPDX-License-Identifier: MIT
#include <errno.h>

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

/*
 * Bytes of one vector's (map's) outputs: `values` 16-bit values, or Ko
 * planes of `pixels` x ceil(channels / 64) words (an FC op: one pixel of
 * `values` channels).
 */
static uint64_t out_bytes(uint64_t values, uint64_t pixels, uint32_t channels,
			  const struct dp_energy_io *io)
{
	if (!io->out_planes)
		return values * 2;
	return (uint64_t)io->out_planes * pixels *
	       DCACCEL_PLANE_WORDS(channels) * 8;
}

/* The quantizer's thresholds and codes are weights too. */
static uint64_t quantizer_words(const struct dp_energy_io *io)
{
	const uint64_t levels = (uint64_t)1 << io->out_planes;

	return io->out_planes ? words((levels - 1) * 2) + words(levels) : 0;
}

/* Activations off chip, the outputs' SRAM words, the quantizer's words. */
static void add_io(uint64_t in_bytes, uint64_t out, uint32_t batch,
		   const struct dp_energy_io *io, struct dp_energy *e)
{
	if (!io->in_on_chip)
		e->dram_acts += words((uint64_t)batch * in_bytes);
	if (!io->out_on_chip)
		e->dram_acts += words((uint64_t)batch * out);
	e->sram += (uint64_t)batch * words(out);
	e->dram_weights += quantizer_words(io);
}

/*
 * A broadcast of column j to every PE of the streams: each reads its two
 * pointers and its run's entries; returns the run's non-padding entries.
 */
static uint64_t walk_column(const struct eie_layer *l, uint32_t j,
			    struct dp_energy *e)
{
	const uint32_t eb = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	const uint32_t stride = l->cols + 1;
	uint64_t macs = 0;

	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t e0 = l->colptr[p * stride + j];
		const uint32_t e1 = l->colptr[p * stride + j + 1];

		e->sram += 2 + words((uint64_t)(e1 - e0) * eb);
		for (uint32_t k = e0; k < e1; k++)
			macs += DCACCEL_EIE_ENTRY_WIDX(eie_entry_at(l->entries,
								    k, eb),
						       l->zbits) !=
				DCACCEL_EIE_PAD_INDEX;
	}
	return macs;
}

/* The filters' words, once per op. */
static void add_filters(const struct eie_layer *l, struct dp_energy *e)
{
	const uint32_t eb = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);

	e->dram_weights += words((uint64_t)l->codebook_len * 2) +
			   words((uint64_t)l->pes * (l->cols + 1) * 4) +
			   words((uint64_t)l->entry_count * eb) +
			   (l->bias ? words((uint64_t)l->rows * 4) : 0);
}

/* The multiply-accumulates, priced by what the codebook makes of them. */
static void add_arith(const struct eie_layer *l, uint64_t macs,
		      uint64_t outputs, struct dp_energy *e)
{
	switch (dp_codebook_kind(l->codebook, l->codebook_len)) {
	case DP_WEIGHTS_NONE:
		break;
	case DP_WEIGHTS_ONE_MAGNITUDE:
		e->addsub += macs;
		e->mul32 += outputs;
		break;
	case DP_WEIGHTS_POW2:
		e->shift_add += macs;
		break;
	case DP_WEIGHTS_GENERAL:
		e->mac16 += macs;
		break;
	}
}

/* The inputs the LNZD reads: n values of 2 bytes, or 4 as binary32. */
static uint64_t lnzd_words(uint64_t n, const struct dp_energy_io *io)
{
	return io->in_f32 ? n : words(n * 2);
}

/* Ask poll every this many non-zero inputs, as the runs do. */
#define POLL_EVERY	256

int dp_energy_fc_poll(const struct eie_layer *l, uint32_t batch,
		      const int16_t *in, const struct dp_energy_io *io,
		      struct dp_energy *e, const struct eie_poll *poll)
{
	uint64_t macs = 0, seen = 0;

	add_filters(l, e);
	add_io((uint64_t)l->cols * (io->in_f32 ? 4 : 2),
	       out_bytes(l->rows, 1, l->rows, io), batch, io, e);
	for (uint32_t b = 0; b < batch; b++) {
		const int16_t *x = in + (size_t)b * l->cols;

		e->sram += lnzd_words(l->cols, io);
		for (uint32_t j = 0; j < l->cols; j++) {
			if (!x[j])
				continue;
			if (++seen % POLL_EVERY == 0 && eie_poll_stop(poll))
				return -ECANCELED;
			macs += walk_column(l, j, e);
		}
	}
	add_arith(l, macs, (uint64_t)batch * l->rows, e);
	return 0;
}

void dp_energy_fc(const struct eie_layer *l, uint32_t batch,
		  const int16_t *in, const struct dp_energy_io *io,
		  struct dp_energy *e)
{
	dp_energy_fc_poll(l, batch, in, io, e, NULL);
}

int dp_energy_conv_poll(const struct dp_conv *c, uint32_t batch,
			const int16_t *in, const struct dp_energy_io *io,
			struct dp_energy *e, const struct eie_poll *poll)
{
	const struct eie_layer *l = &c->filters;
	const struct dp_window *w = &c->win;
	const uint32_t out_h = dp_window_out_h(w), out_w = dp_window_out_w(w);
	const uint64_t in_n = (uint64_t)c->in_channels * w->in_h * w->in_w;
	const uint64_t out_n = (uint64_t)l->rows * out_h * out_w;
	uint64_t macs = 0, seen = 0;

	add_filters(l, e);
	add_io(in_n * (io->in_f32 ? 4 : 2),
	       out_bytes(out_n, (uint64_t)out_h * out_w, l->rows, io), batch,
	       io, e);
	for (uint32_t b = 0; b < batch; b++) {
		const int16_t *x = in + (size_t)b * in_n;

		e->sram += lnzd_words(in_n, io);
		for (uint64_t i = 0; i < in_n; i++) {
			const uint32_t ch = (uint32_t)(i / ((uint64_t)w->in_h * w->in_w));
			const uint32_t iy = (uint32_t)(i / w->in_w % w->in_h);
			const uint32_t ix = (uint32_t)(i % w->in_w);
			uint32_t ylo, yhi, xlo, xhi;

			if (!x[i])
				continue;
			if (++seen % POLL_EVERY == 0 && eie_poll_stop(poll))
				return -ECANCELED;
			dp_window_taps(iy, w->kernel_h, w->stride_h, w->pad_h,
				       out_h, &ylo, &yhi);
			dp_window_taps(ix, w->kernel_w, w->stride_w, w->pad_w,
				       out_w, &xlo, &xhi);
			for (uint32_t oy = ylo; oy < yhi; oy++)
				for (uint32_t ox = xlo; ox < xhi; ox++) {
					uint32_t r = iy + w->pad_h - oy * w->stride_h;
					uint32_t s = ix + w->pad_w - ox * w->stride_w;

					macs += walk_column(l, (ch * w->kernel_h + r) *
							    w->kernel_w + s, e);
				}
		}
	}
	add_arith(l, macs, (uint64_t)batch * out_n, e);
	return 0;
}

void dp_energy_conv(const struct dp_conv *c, uint32_t batch,
		    const int16_t *in, const struct dp_energy_io *io,
		    struct dp_energy *e)
{
	dp_energy_conv_poll(c, batch, in, io, e, NULL);
}

void dp_energy_pool(const struct dp_pool *p, uint32_t batch,
		    const struct dp_energy_io *io, struct dp_energy *e)
{
	const struct dp_window *w = &p->win;
	const uint64_t outs = (uint64_t)p->channels * dp_window_out_h(w) *
			      dp_window_out_w(w);
	const uint64_t taps = (uint64_t)w->kernel_h * w->kernel_w;
	/* a pooling's outputs are 16-bit values: no quantizer */
	const struct dp_energy_io pio = { .in_on_chip = io->in_on_chip,
					  .out_on_chip = io->out_on_chip };

	add_io((uint64_t)p->channels * w->in_h * w->in_w * 2, outs * 2, batch,
	       &pio, e);
	e->sram += (uint64_t)batch * outs * words(taps * 2);
	e->add32 += (uint64_t)batch * outs * taps;
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
	add_io((uint64_t)l->a_planes * lw * 8,
	       out_bytes(l->rows, 1, l->rows, io), batch, io, e);
	/* per vector: the weight words, the activation words broadcast */
	e->sram += (uint64_t)batch * (2 * word_pairs + 2 * l->a_planes * lw);
	e->popcount64 += (uint64_t)batch * word_pairs;
	e->mul32 += (uint64_t)batch * l->rows * pairs;
	e->add32 += (uint64_t)batch * l->rows * pairs;
}

void dp_energy_bitplane_conv(const struct dp_bitplane_conv *c, uint32_t batch,
			     const struct dp_energy_io *io, struct dp_energy *e)
{
	const struct dp_bitplane *l = &c->l;
	const struct dp_window *w = &c->win;
	const uint64_t lc = DCACCEL_PLANE_WORDS(l->cols);
	const uint64_t pairs = (uint64_t)l->w_planes * l->a_planes;
	const uint64_t pixels_out = (uint64_t)dp_window_out_h(w) * dp_window_out_w(w);
	const uint64_t word_pairs = pairs * l->rows * lc *
				    dp_bitplane_conv_pairs(w);
	const uint64_t outs = (uint64_t)l->rows * pixels_out;

	e->dram_weights += words((uint64_t)l->w_planes * l->rows * w->kernel_h *
				 w->kernel_w * lc * 8) +
			   words((uint64_t)l->rows * l->w_planes * 2) +
			   words((uint64_t)l->a_planes * 2) +
			   (l->bias ? words((uint64_t)l->rows * 4) : 0);
	add_io((uint64_t)l->a_planes * w->in_h * w->in_w * lc * 8,
	       out_bytes(outs, pixels_out, l->rows, io), batch, io, e);
	/* per map: the weight words, the activation words broadcast */
	e->sram += (uint64_t)batch * (2 * word_pairs +
				      2 * l->a_planes * w->in_h * w->in_w * lc);
	e->popcount64 += (uint64_t)batch * word_pairs;
	e->mul32 += (uint64_t)batch * outs * pairs;
	e->add32 += (uint64_t)batch * outs * pairs;
}

void dp_energy_quant(uint32_t channels, uint32_t pixels, uint8_t bits,
		     uint32_t batch, const struct dp_energy_io *io,
		     struct dp_energy *e)
{
	const uint64_t values = (uint64_t)channels * pixels;
	/* its outputs are always planes; thresholds and codes its weights */
	const struct dp_energy_io qio = { .in_on_chip = io->in_on_chip,
					  .out_on_chip = io->out_on_chip,
					  .out_planes = bits };

	add_io(values * 2, out_bytes(values, pixels, channels, &qio), batch,
	       &qio, e);
	e->sram += (uint64_t)batch * words(values * 2);
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
