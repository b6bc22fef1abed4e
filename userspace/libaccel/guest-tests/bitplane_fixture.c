// SPDX-License-Identifier: MIT
/* The version-3 graphs of bitplane_fixture.h. */
#include <stdlib.h>
#include <string.h>

#include "bitplane_fixture.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"
#include "../../../tests/host/dcm_cnn_fixture.h"
#include "../../../tests/lib/rng.h"

#define UNSIGNED	DCACCEL_PLANE_UNSIGNED
#define SIGNED		DCACCEL_PLANE_SIGNED

/* The FC and CONV layers' weights, for pes PEs. */
static struct dcm_fixture_style style(uint32_t pes)
{
	return (struct dcm_fixture_style){ pes, 3, 0.4, 100000 };
}

void bpf_quant(struct dcm_layer *l, uint8_t bits, uint8_t a_kind,
	       uint8_t in_frac, int16_t lo, int16_t hi, struct rng *r)
{
	const uint32_t levels = 1u << bits;
	const int32_t step = (hi - lo) / (int32_t)levels;
	int32_t prev = INT16_MIN;

	l->kind = DCM_QUANT;
	l->quant_bits = bits;
	l->a_kind = a_kind;
	l->in_frac = in_frac;
	l->thr = calloc(levels - 1, sizeof(*l->thr));
	l->codes = calloc(levels, 1);
	/* evenly spread, jittered by a quarter step, a tie now and then */
	for (uint32_t k = 0; k + 1 < levels; k++) {
		int32_t t = lo + (int32_t)(((int64_t)(hi - lo) * (k + 1)) / levels);

		if (step >= 4)
			t += (int32_t)rng_range(r, -step / 4, step / 4);
		if (t < prev || (k && rng_chance(r, 0.1)))
			t = prev;
		l->thr[k] = (int16_t)t;
		prev = t;
	}
	/* random codes, but the lowest and highest levels keep theirs */
	for (uint32_t k = 0; k < levels; k++)
		l->codes[k] = (uint8_t)rng_range(r, 0, levels - 1);
	l->codes[0] = 0;
	l->codes[levels - 1] = (uint8_t)(levels - 1);
}

void bpf_quant_vec(struct dcm_layer *l, uint32_t n)
{
	l->rows = l->cols = n;
}

void bpf_quant_map(struct dcm_layer *l, uint32_t c, uint32_t h, uint32_t w)
{
	l->channels = c;
	l->in_h = h;
	l->in_w = w;
}

void bpf_planes(struct dcm_layer *l, uint8_t kind, uint32_t rows,
		uint32_t cols, uint32_t pes, uint8_t kw, uint8_t ka,
		uint8_t w_kind, uint8_t a_kind, bool bias, struct rng *r)
{
	const uint32_t tail = cols % DCACCEL_PLANE_WORD_BITS;
	const uint64_t row = DCACCEL_PLANE_WORDS(cols);
	uint64_t words;

	l->kind = kind;
	l->rows = rows;
	l->cols = cols;
	l->pes = pes;
	l->w_planes = kw;
	l->a_planes = ka;
	l->w_kind = w_kind;
	l->a_kind = a_kind;
	l->bw_frac = 8;
	l->ba_frac = 6;
	l->out_frac = 4;
	l->relu = true;
	words = dcm_layer_plane_words(l);
	l->wplanes = calloc(words, sizeof(*l->wplanes));
	for (uint64_t t = 0; t < words; t++) {
		l->wplanes[t] = rng_next(r);
		/* the padding bits past the last column are 0 in a file */
		if (tail && t % row == row - 1)
			l->wplanes[t] &= ((uint64_t)1 << tail) - 1;
	}
	l->w_basis = calloc((size_t)rows * kw, sizeof(*l->w_basis));
	l->a_basis = calloc(ka, sizeof(*l->a_basis));
	for (size_t b = 0; b < (size_t)rows * kw; b++)
		l->w_basis[b] = (int16_t)rng_range(r, -300, 300);
	for (uint32_t v = 0; v < ka; v++)
		l->a_basis[v] = (int16_t)rng_range(r, -200, 200);
	if (bias) {
		l->bias = calloc(rows, sizeof(*l->bias));
		for (uint32_t i = 0; i < rows; i++)
			l->bias[i] = (int32_t)rng_range(r, -2000000, 2000000);
	}
}

/* An FC layer of rows x cols at in_frac, out_frac as given. */
static void fc(struct dcm_layer *l, uint32_t rows, uint32_t cols,
	       uint32_t pes, uint8_t in_frac, uint8_t out_frac, bool relu,
	       struct rng *r)
{
	const struct dcm_fixture_style s = style(pes);

	l->kind = DCM_FC;
	dcm_fixture_weights(l, rows, cols, in_frac, &s, r);
	l->out_frac = out_frac;
	l->relu = relu;
}

/* A CONV layer of k filters k x k over c x h x w, out_frac 10. */
static void conv(struct dcm_layer *l, uint32_t filters, uint32_t c,
		 uint32_t h, uint32_t w, uint8_t k, uint8_t pad, uint32_t pes,
		 bool relu, struct rng *r)
{
	const struct dcm_fixture_style s = style(pes);

	dcm_fixture_map(l, DCM_CONV, c, h, w, k, 1, pad);
	dcm_fixture_weights(l, filters, c * k * k, 14, &s, r);
	l->relu = relu;
}

static void fc_chain(struct dcm_layer *l, uint32_t pes, struct rng *r)
{
	fc(&l[0], 70, 20, pes, 12, 10, true, r);
	bpf_quant(&l[1], 2, UNSIGNED, 10, 0, 400, r);
	bpf_quant_vec(&l[1], 70);
	bpf_planes(&l[2], DCM_BITPLANE, 40, 70, pes, 2, 2, SIGNED, UNSIGNED,
		   true, r);
	l[2].relu = false;
	/* XNOR-Net's sign of the activations */
	bpf_quant(&l[3], 1, SIGNED, 4, 0, 0, r);
	bpf_quant_vec(&l[3], 40);
	bpf_planes(&l[4], DCM_BITPLANE, 10, 40, pes, 1, 1, SIGNED, SIGNED,
		   false, r);
	l[4].relu = false;
	fc(&l[5], 5, 10, pes, 4, 6, false, r);
}

static void quant_first(struct dcm_layer *l, uint32_t pes, struct rng *r)
{
	/* inputs k / 255 at 8 fraction bits: 0 .. 256 */
	bpf_quant(&l[0], 8, UNSIGNED, 8, 0, 256, r);
	bpf_quant_vec(&l[0], 100);
	bpf_planes(&l[1], DCM_BITPLANE, 16, 100, pes, 8, 8, UNSIGNED,
		   UNSIGNED, true, r);
	l[1].out_frac = 0;
}

static void conv_chain(struct dcm_layer *l, uint32_t pes, struct rng *r)
{
	conv(&l[0], 4, 2, 8, 8, 3, 1, pes, true, r);
	bpf_quant(&l[1], 2, SIGNED, 10, 0, 500, r);
	bpf_quant_map(&l[1], 4, 8, 8);
	dcm_fixture_map(&l[2], DCM_BITPLANE_CONV, 4, 8, 8, 3, 2, 1);
	bpf_planes(&l[2], DCM_BITPLANE_CONV, 6, 4, pes, 2, 2, SIGNED, SIGNED,
		   true, r);
	dcm_fixture_map(&l[3], DCM_POOL, 6, 4, 4, 2, 2, 0);
	l[3].in_frac = l[3].out_frac = 4;
	fc(&l[4], 10, 24, pes, 4, 6, false, r);
}

static void map_fc(struct dcm_layer *l, uint32_t pes, struct rng *r)
{
	conv(&l[0], 64, 2, 2, 2, 1, 0, pes, false, r);
	bpf_quant(&l[1], 2, SIGNED, 10, -400, 400, r);
	bpf_quant_map(&l[1], 64, 2, 2);
	bpf_planes(&l[2], DCM_BITPLANE, 8, 256, pes, 1, 2, UNSIGNED, SIGNED,
		   false, r);
	l[2].relu = false;
}

static void wide_channels(struct dcm_layer *l, uint32_t pes, struct rng *r)
{
	conv(&l[0], 70, 1, 6, 6, 3, 1, pes, true, r);
	bpf_quant(&l[1], 3, UNSIGNED, 10, 0, 1500, r);
	bpf_quant_map(&l[1], 70, 6, 6);
	dcm_fixture_map(&l[2], DCM_BITPLANE_CONV, 70, 6, 6, 3, 1, 1);
	bpf_planes(&l[2], DCM_BITPLANE_CONV, 5, 70, pes, 3, 3, SIGNED,
		   UNSIGNED, false, r);
	l[2].relu = false;
	l[2].out_frac = 2;
	bpf_quant(&l[3], 1, SIGNED, 2, 0, 0, r);
	bpf_quant_vec(&l[3], 180);
	bpf_planes(&l[4], DCM_BITPLANE, 10, 180, pes, 2, 1, SIGNED, SIGNED,
		   true, r);
}

static const struct {
	const char *name;
	uint32_t layers, inputs;
	void (*make)(struct dcm_layer *l, uint32_t pes, struct rng *r);
} graphs[BPF_GRAPHS] = {
	[BPF_FC_CHAIN] = { "fc-quant-bitplane-quant-bitplane-fc", 6, 20, fc_chain },
	[BPF_QUANT_FIRST] = { "quant-bitplane (8 x 8 planes)", 2, 100, quant_first },
	[BPF_CONV_CHAIN] = { "conv-quant-bitplane_conv-pool-fc", 5, 128, conv_chain },
	[BPF_MAP_FC] = { "conv-quant(map)-bitplane", 3, 8, map_fc },
	[BPF_WIDE_CHANNELS] = { "conv-quant(70 ch)-bitplane_conv-quant-bitplane",
				5, 36, wide_channels },
};

uint32_t bpf_graph(struct dcm_model *m, enum bpf_graph g, uint32_t pes,
		   uint64_t seed)
{
	struct rng r = { seed };

	graphs[g].make(dcm_fixture_model(m, graphs[g].layers), pes, &r);
	return graphs[g].inputs;
}

const char *bpf_graph_name(enum bpf_graph g)
{
	return graphs[g].name;
}
