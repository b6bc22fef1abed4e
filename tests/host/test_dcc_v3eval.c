// SPDX-License-Identifier: MIT
/*
 * dcc on .dcm version 3: graphs mixing FC, CONV and POOL layers with
 * BITPLANE, BITPLANE_CONV and QUANT layers (libaccel's fixture graphs and
 * one of this file's) run through fixedpoint_run() and held, bit for bit,
 * to the spec's formulas computed here with plain loops over the +-1 and
 * 0/1 values of every weight and input bit (hardware.rst, "Bit-plane
 * layers", "Bit-plane convolution", "Quantized outputs"), sharing no
 * code with the datapath; before and after a write and read; the cycle
 * and energy models against the datapath's models summed by hand and
 * against the spec's closed forms; the statistics; the accuracy; what
 * dcc info's table and summary line say of them; and in-memory graphs
 * the .dcm writer would refuse refused with a message, never a crash.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
/* the fixtures' generator, renamed: dcc's net.h has a rng_next() too */
#define rng_next tests_rng_next
#include "rng.h"
#undef rng_next
#include "conv_reference.h"
#include "eie_reference.h"
#include "dcm_cnn_fixture.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_eie.h"
#include "dcaccel/dcaccel_energy.h"
#include "dcaccel/dcaccel_hw.h"
#include "../../qemu-device/datapath/dp_energy.h"
#include "../../userspace/common/q15.h"
#include "../../userspace/dcc/fixedpoint.h"
#include "../../userspace/dcc/report.h"
#include "../../userspace/libaccel/guest-tests/bitplane_fixture.h"

#define PES		4
#define UNSIGNED	DCACCEL_PLANE_UNSIGNED
#define SIGNED		DCACCEL_PLANE_SIGNED

/* ---- graphs ---- */

/*
 * This file's graph: a QUANT layer first over a 3 x 7 x 6 map (2
 * unsigned planes), a BITPLANE_CONV of 5 filters 3 x 2, stride 2 x 1, pad
 * 1 x 0 (unsigned x unsigned), the sign of its outputs, a BITPLANE_CONV
 * of 4 filters 2 x 2 pad 1 (XNOR: signed x signed, padded taps at every
 * border), average pooling 2 x 2 and an FC layer of 6 outputs.
 */
#define OWN_LAYERS	6
#define OWN_INPUTS	(3 * 7 * 6)

static void own_graph(struct dcm_model *m, uint64_t seed)
{
	static const struct dcm_fixture_style s = { PES, 3, 0.5, 20000 };
	struct rng r = { seed };
	struct dcm_layer *l = dcm_fixture_model(m, OWN_LAYERS);

	bpf_quant(&l[0], 2, UNSIGNED, 8, -200, 300, &r);
	bpf_quant_map(&l[0], 3, 7, 6);
	/* QNN's codes, the level itself: every code is met */
	for (uint32_t k = 0; k < 4; k++)
		l[0].codes[k] = (uint8_t)k;
	dcm_fixture_map(&l[1], DCM_BITPLANE_CONV, 3, 7, 6, 3, 2, 1);
	l[1].kernel_w = 2;
	l[1].stride_w = 1;
	l[1].pad_w = 0;
	bpf_planes(&l[1], DCM_BITPLANE_CONV, 5, 3, PES, 2, 2, UNSIGNED,
		   UNSIGNED, true, &r);
	l[1].relu = false;	/* the sign after it sees both */
	for (uint32_t k = 0; k < 5; k++)
		l[1].bias[k] /= 64;	/* nor do the biases decide it alone */
	bpf_quant(&l[2], 1, SIGNED, 4, 0, 0, &r);
	bpf_quant_map(&l[2], 5, 4, 5);
	dcm_fixture_map(&l[3], DCM_BITPLANE_CONV, 5, 4, 5, 2, 1, 1);
	bpf_planes(&l[3], DCM_BITPLANE_CONV, 4, 5, PES, 1, 1, SIGNED, SIGNED,
		   false, &r);
	l[3].relu = false;
	dcm_fixture_map(&l[4], DCM_POOL, 4, 5, 6, 2, 2, 0);
	l[4].pool_mode = DCACCEL_POOL_AVG;
	l[4].in_frac = l[4].out_frac = 4;
	l[5].kind = DCM_FC;
	dcm_fixture_weights(&l[5], 6, 4 * 2 * 3, 4, &s, &r);
	l[5].out_frac = 4;	/* its sums stay inside int16 */
}

/* Graph g of the fixture (BPF_GRAPHS: this file's), streams encoded. */
static uint32_t make_graph(struct dcm_model *m, uint32_t g, uint64_t seed)
{
	struct dcm_error de;
	uint32_t inputs = OWN_INPUTS;

	if (g < BPF_GRAPHS)
		inputs = bpf_graph(m, (enum bpf_graph)g, PES, seed);
	else
		own_graph(m, seed);
	for (uint32_t i = 0; i < m->layer_count; i++)
		CHECK_EQ(dcm_layer_encode(&m->layers[i], &de), 0);
	return inputs;
}

static const char *graph_name(uint32_t g)
{
	return g < BPF_GRAPHS ? bpf_graph_name((enum bpf_graph)g) :
	       "quant(map)-bitplane_conv-quant-bitplane_conv(xnor)-avgpool-fc";
}

#define GRAPHS	(BPF_GRAPHS + 1)

/* ---- the reference, from the spec's formulas ---- */

/* Bit j of the plane whose words start at `at`: bit j % 64 of word j / 64. */
static int plane_bit(const uint64_t *words, uint64_t at, uint32_t j)
{
	return (int)(words[at + j / 64] >> (j % 64) & 1);
}

/* A bit as its plane's kind reads it: SIGNED 1 is +1 and 0 is -1. */
static int64_t bit_value(int bit, uint8_t kind)
{
	return kind == SIGNED ? 2 * bit - 1 : bit;
}

/* codes[number of thresholds t with y >= t], each threshold looked at. */
static int16_t quant_code(const struct dcm_layer *q, int16_t y)
{
	uint32_t level = 0;

	for (uint32_t t = 0; t + 1 < (1u << q->quant_bits); t++)
		level += y >= q->thr[t];
	return q->codes[level];
}

/*
 * The code input j of a BITPLANE layer reads from QUANT layer q: a
 * vector's value j, or of a map pixel by pixel, channel j % (64 Lc) of
 * pixel j / (64 Lc); a channel past the map's is a padding bit, 0.
 */
static int16_t fc_input_code(const struct dcm_layer *q, const int16_t *codes,
			     uint32_t j)
{
	uint32_t lanes, pixels, c;

	if (q->rows)
		return codes[j];
	lanes = 64 * DCACCEL_PLANE_WORDS(q->channels);
	pixels = q->in_h * q->in_w;
	c = j % lanes;
	return c < q->channels ? codes[(size_t)c * pixels + j / lanes] : 0;
}

static unsigned int shift_of(const struct dcm_layer *l)
{
	return l->bw_frac + l->ba_frac - l->out_frac;
}

/* y[i] = finish(sum over u, v of bw[i][u] ba[v] dot(Wp[u][i], Ap[v]) + b[i]) */
static void ref_bitplane(const struct dcm_layer *l, const struct dcm_layer *q,
			 const int16_t *codes, int16_t *y)
{
	const uint64_t words = DCACCEL_PLANE_WORDS(l->cols);

	for (uint32_t i = 0; i < l->rows; i++) {
		int64_t acc = l->bias ? l->bias[i] : 0;

		for (uint32_t u = 0; u < l->w_planes; u++)
			for (uint32_t v = 0; v < l->a_planes; v++) {
				int64_t dot = 0;

				for (uint32_t j = 0; j < l->cols; j++) {
					int w = plane_bit(l->wplanes,
							  ((uint64_t)u * l->rows + i) * words, j);
					int a = fc_input_code(q, codes, j) >> v & 1;

					dot += bit_value(w, l->w_kind) *
					       bit_value(a, l->a_kind);
				}
				acc += (int64_t)l->w_basis[i * l->w_planes + u] *
				       l->a_basis[v] * dot;
			}
		y[i] = ref_finish(acc, l->relu, shift_of(l));
	}
}

static void geometry(const struct dcm_layer *l, struct ref_geometry *g)
{
	*g = (struct ref_geometry){ l->channels, l->in_h, l->in_w, l->kernel_h,
				    l->kernel_w, l->stride_h, l->stride_w,
				    l->pad_h, l->pad_w };
}

/* The same over each output pixel's taps inside the map, codes CHW. */
static void ref_bitplane_conv(const struct dcm_layer *l, const int16_t *codes,
			      int16_t *y)
{
	const uint64_t lc = DCACCEL_PLANE_WORDS(l->cols);
	struct ref_geometry g;
	uint32_t oh, ow;

	geometry(l, &g);
	oh = ref_out_h(&g);
	ow = ref_out_w(&g);
	for (uint32_t k = 0; k < l->rows; k++)
		for (uint32_t oy = 0; oy < oh; oy++)
			for (uint32_t ox = 0; ox < ow; ox++) {
				int64_t acc = l->bias ? l->bias[k] : 0;

				for (uint32_t u = 0; u < l->w_planes; u++)
					for (uint32_t v = 0; v < l->a_planes; v++) {
						int64_t dot = 0;

						for (uint32_t r = 0; r < g.kernel_h; r++)
							for (uint32_t s = 0; s < g.kernel_w; s++) {
								int64_t iy = (int64_t)oy * g.stride_h - g.pad_h + r;
								int64_t ix = (int64_t)ox * g.stride_w - g.pad_w + s;
								uint64_t tap = (((uint64_t)u * l->rows + k) *
										g.kernel_h + r) * g.kernel_w + s;

								/* a padded tap is left out, for either kind */
								if (iy < 0 || iy >= g.in_h || ix < 0 || ix >= g.in_w)
									continue;
								for (uint32_t c = 0; c < l->cols; c++) {
									int w = plane_bit(l->wplanes, tap * lc, c);
									int a = codes[((uint64_t)c * g.in_h + iy) *
										      g.in_w + ix] >> v & 1;

									dot += bit_value(w, l->w_kind) *
									       bit_value(a, l->a_kind);
								}
							}
						acc += (int64_t)l->w_basis[k * l->w_planes + u] *
						       l->a_basis[v] * dot;
					}
				y[((size_t)k * oh + oy) * ow + ox] =
					ref_finish(acc, l->relu, shift_of(l));
			}
}

/* Every layer's outputs for one input (a QUANT layer's: its codes). */
struct ref_acts {
	int16_t *out[DCM_LAYERS_MAX];
};

static void ref_alloc(const struct dcm_model *m, struct ref_acts *a)
{
	for (uint32_t i = 0; i < m->layer_count; i++)
		a->out[i] = calloc(dcm_layer_outputs(&m->layers[i]), sizeof(int16_t));
}

static void ref_release(const struct dcm_model *m, struct ref_acts *a)
{
	for (uint32_t i = 0; i < m->layer_count; i++)
		free(a->out[i]);
}

static void ref_run(const struct dcm_model *m, const int16_t *in,
		    struct ref_acts *a)
{
	const int16_t *x = in;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];
		int16_t *y = a->out[i];
		struct ref_geometry g;

		geometry(l, &g);
		if (l->kind == DCM_FC) {
			struct ref_layer f = { l->rows, l->cols, l->widx, l->codebook,
					       l->bias, l->in_frac, l->w_frac,
					       l->out_frac, l->relu };

			ref_fc(&f, x, y);
		} else if (l->kind == DCM_CONV) {
			struct ref_conv c = { .g = g, .out_channels = l->rows,
					      .widx = l->widx, .codebook = l->codebook,
					      .bias = l->bias, .in_frac = l->in_frac,
					      .w_frac = l->w_frac, .out_frac = l->out_frac,
					      .relu = l->relu };

			ref_conv(&c, x, y);
		} else if (l->kind == DCM_POOL) {
			ref_pool(&g, l->pool_mode == DCACCEL_POOL_AVG, x, y);
		} else if (l->kind == DCM_QUANT) {
			for (uint64_t k = 0; k < dcm_layer_inputs(l); k++)
				y[k] = quant_code(l, x[k]);
		} else if (l->kind == DCM_BITPLANE) {
			ref_bitplane(l, &m->layers[i - 1], x, y);
		} else {
			ref_bitplane_conv(l, x, y);
		}
		x = y;
	}
}

/* ---- helpers ---- */

/* n inputs at layer 0's in_frac, within +-1.0, a fifth of them 0. */
static int16_t *random_inputs(const struct dcm_model *m, uint32_t n,
			      uint64_t seed)
{
	const uint64_t dim = dcm_layer_inputs(&m->layers[0]);
	const int64_t one = (int64_t)1 << m->layers[0].in_frac;
	int16_t *x = malloc(n * dim * sizeof(*x));
	uint64_t s = seed;

	for (uint64_t k = 0; k < n * dim; k++) {
		int64_t v = rng_next(&s) % 5 == 0 ? 0 :
			    (int64_t)(rng_next(&s) % (uint64_t)(2 * one + 1)) - one;

		x[k] = (int16_t)(v > INT16_MAX ? INT16_MAX : v);
	}
	return x;
}

/* How many different values v holds. */
static uint32_t distinct(const int16_t *v, size_t n)
{
	uint8_t *seen = calloc(1u << 16, 1);
	uint32_t d = 0;

	for (size_t k = 0; k < n; k++) {
		d += !seen[(uint16_t)v[k]];
		seen[(uint16_t)v[k]] = 1;
	}
	free(seen);
	return d;
}

/*
 * dcc's outputs for n inputs against the reference's: the mismatches.
 * per_layer[i] gets how many different values layer i gave (QUANT:
 * codes), *vectors how many inputs gave other outputs than the first.
 */
static uint64_t mismatches(const struct dcm_model *m, const int16_t *in,
			   uint32_t n, uint32_t *per_layer, uint32_t *vectors)
{
	const uint64_t dim = dcm_layer_inputs(&m->layers[0]);
	const uint64_t classes = dcm_layer_outputs(&m->layers[m->layer_count - 1]);
	int16_t *got = calloc(n * classes, sizeof(*got));
	int16_t *seen[DCM_LAYERS_MAX];
	struct dcc_error err = { "" };
	struct ref_acts a;
	uint64_t bad = 0;

	memset(per_layer, 0, m->layer_count * sizeof(*per_layer));
	*vectors = 0;
	if (fixedpoint_run(m, in, n, got, NULL, &err)) {
		DIAG("fixedpoint_run: %s", err.msg);
		free(got);
		return n * classes;
	}
	ref_alloc(m, &a);
	for (uint32_t i = 0; i < m->layer_count; i++)
		seen[i] = calloc(n * dcm_layer_outputs(&m->layers[i]), sizeof(int16_t));
	for (uint32_t b = 0; b < n; b++) {
		ref_run(m, in + b * dim, &a);

		for (uint64_t k = 0; k < classes; k++)
			bad += got[b * classes + k] != a.out[m->layer_count - 1][k];
		*vectors += memcmp(got, got + b * classes, classes * sizeof(*got)) != 0;
		for (uint32_t i = 0; i < m->layer_count; i++) {
			uint64_t o = dcm_layer_outputs(&m->layers[i]);

			memcpy(seen[i] + b * o, a.out[i], o * sizeof(int16_t));
		}
	}
	for (uint32_t i = 0; i < m->layer_count; i++) {
		per_layer[i] = distinct(seen[i], n * dcm_layer_outputs(&m->layers[i]));
		free(seen[i]);
	}
	ref_release(m, &a);
	free(got);
	return bad;
}

/* ---- outputs ---- */

/*
 * Every graph, random inputs: dcc's outputs are the reference's, in
 * memory and after the .dcm round trip, and the layers give varied
 * values (no graph collapses to one code or one output).
 */
static void test_outputs_bit_exact(void)
{
	for (uint32_t g = 0; g < GRAPHS; g++) {
		const uint32_t n = 16;
		uint32_t varied[DCM_LAYERS_MAX], back_varied[DCM_LAYERS_MAX];
		uint32_t vectors, back_vectors;
		struct dcm_model m, back;
		struct dcm_error de;
		uint8_t *buf = NULL;
		int16_t *in;
		size_t len;

		make_graph(&m, g, 100 + g);
		in = random_inputs(&m, n, 7 + g);
		CHECK_EQ(mismatches(&m, in, n, varied, &vectors), 0);
		/* the inputs decide the outputs: most differ from the first's */
		CHECK(vectors > n / 2);
		for (uint32_t i = 0; i < m.layer_count; i++)
			if (varied[i] < 2) {
				DIAG("%s: layer %u (%s) gave one value only", graph_name(g),
				     i, dcm_kind_name(m.layers[i].kind));
				CHECK(0);
			}
		{
			char list[DCM_LAYERS_MAX * 12] = "";
			size_t at = 0;

			for (uint32_t i = 0; i < m.layer_count; i++)
				at += (size_t)snprintf(list + at, sizeof(list) - at, " %u",
						       varied[i]);
			DIAG("%s: different values per layer over %u inputs:%s",
			     graph_name(g), n, list);
		}
		CHECK(varied[m.layer_count - 1] > 4);
		CHECK_EQ(dcm_model_version(&m), DCM_VERSION_BITPLANE);
		CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &de), 0);
		if (!dcm_read_buffer(buf, len, &back, &de)) {
			CHECK_EQ(back.version, DCM_VERSION_BITPLANE);
			CHECK_EQ(mismatches(&back, in, n, back_varied, &back_vectors), 0);
			dcm_free(&back);
		} else {
			DIAG("%s: read back: %s", graph_name(g), de.msg);
			CHECK(0);
		}
		free(buf);
		free(in);
		dcm_free(&m);
	}
}

/* The run's int16 outputs are the same batch by batch as all at once. */
static void test_outputs_batch_independent(void)
{
	struct dcm_model m;
	struct dcc_error err;
	const uint32_t n = 9;
	uint64_t dim, classes;
	int16_t *in, *all, *one;

	dim = make_graph(&m, BPF_WIDE_CHANNELS, 3);
	classes = dcm_layer_outputs(&m.layers[m.layer_count - 1]);
	in = random_inputs(&m, n, 4);
	all = calloc(n * classes, sizeof(*all));
	one = calloc(classes, sizeof(*one));
	CHECK_EQ(fixedpoint_run(&m, in, n, all, NULL, &err), 0);
	for (uint32_t b = 0; b < n; b++) {
		CHECK_EQ(fixedpoint_run(&m, in + b * dim, 1, one, NULL, &err), 0);
		CHECK_EQ(memcmp(one, all + b * classes, classes * sizeof(*one)), 0);
	}
	free(in);
	free(all);
	free(one);
	dcm_free(&m);
}

/* ---- statistics, cycles and energy ---- */

/* (output pixel, tap) pairs whose input pixel is inside the map: V. */
static uint64_t inside_pairs(const struct dcm_layer *l)
{
	struct ref_geometry g;
	uint64_t v = 0;

	geometry(l, &g);
	for (uint32_t oy = 0; oy < ref_out_h(&g); oy++)
		for (uint32_t ox = 0; ox < ref_out_w(&g); ox++)
			for (uint32_t r = 0; r < g.kernel_h; r++)
				for (uint32_t s = 0; s < g.kernel_w; s++) {
					int64_t iy = (int64_t)oy * g.stride_h - g.pad_h + r;
					int64_t ix = (int64_t)ox * g.stride_w - g.pad_w + s;

					v += iy >= 0 && iy < g.in_h && ix >= 0 && ix < g.in_w;
				}
	return v;
}

/* Word pairs per input of a bit-plane layer: m Kw Ka L, or K Kw Ka Lc V. */
static uint64_t word_pairs(const struct dcm_layer *l)
{
	uint64_t p = (uint64_t)l->rows * l->w_planes * l->a_planes *
		     DCACCEL_PLANE_WORDS(l->cols);

	return l->kind == DCM_BITPLANE_CONV ? p * inside_pairs(l) : p;
}

/*
 * The statistics dcc's run adds for the bit-plane layers (hardware.rst,
 * "Cycle model" of "Bit-plane layers"), none for a QUANT layer.
 */
static void test_stats(void)
{
	for (uint32_t g = 0; g < GRAPHS; g++) {
		struct eie_stats st[DCM_LAYERS_MAX];
		struct dcm_model m;
		struct dcc_error err;
		const uint32_t n = 3;
		int16_t *in, *out;

		memset(st, 0, sizeof(st));
		make_graph(&m, g, 50 + g);
		in = random_inputs(&m, n, g);
		out = calloc(n * dcm_layer_outputs(&m.layers[m.layer_count - 1]),
			     sizeof(*out));
		CHECK_EQ(fixedpoint_run(&m, in, n, out, st, &err), 0);
		for (uint32_t i = 0; i < m.layer_count; i++) {
			const struct dcm_layer *l = &m.layers[i];
			uint64_t ins = l->kind == DCM_BITPLANE_CONV ?
				       dcm_layer_inputs(l) : l->cols;
			uint64_t macs = (uint64_t)l->rows * l->w_planes * l->a_planes *
					(l->kind == DCM_BITPLANE_CONV ?
					 l->cols * inside_pairs(l) : l->cols);

			if (l->kind == DCM_QUANT) {
				CHECK(!st[i].nonzero_acts && !st[i].entries && !st[i].macs);
				continue;
			}
			if (!dcm_kind_is_bitplane(l->kind))
				continue;
			CHECK_EQ(st[i].nonzero_acts, n * ins);
			CHECK_EQ(st[i].entries, n * word_pairs(l));
			CHECK_EQ(st[i].macs, n * macs);
			CHECK_EQ(st[i].padding, 0);
		}
		free(in);
		free(out);
		dcm_free(&m);
	}
}

/* A data set of n images for graph m: pixels k / 255, labels b % classes. */
static void make_data(const struct dcm_model *m, uint32_t n, uint64_t seed,
		      struct dataset *ds)
{
	const uint64_t classes = dcm_layer_outputs(&m->layers[m->layer_count - 1]);

	ds->count = n;
	ds->dim = (uint32_t)dcm_layer_inputs(&m->layers[0]);
	ds->x = dcm_fixture_inputs(n, ds->dim, 0.2, seed);
	ds->y = malloc(n);
	for (uint32_t b = 0; b < n; b++)
		ds->y[b] = (uint8_t)(b % classes);
}

/* The data set's images as dcc feeds them: at layer 0's in_frac. */
static int16_t *data_inputs(const struct dcm_model *m, const struct dataset *ds)
{
	int16_t *x = malloc((size_t)ds->count * ds->dim * sizeof(*x));

	for (size_t k = 0; k < (size_t)ds->count * ds->dim; k++)
		x[k] = to_q15(ds->x[k], m->layers[0].in_frac);
	return x;
}

/* The datapath's view of each kind, for the models by hand. */
struct views {
	struct dp_conv conv;	/* FC: conv.filters */
	struct dp_pool pool;
	struct dp_bitplane_conv bp;	/* BITPLANE: bp.l */
};

static void views_of(const struct dcm_layer *l, struct views *v)
{
	memset(v, 0, sizeof(*v));
	if (l->kind == DCM_FC || l->kind == DCM_CONV) {
		dcm_layer_view(l, &v->conv.filters);
		v->conv.in_channels = l->channels;
		dcm_layer_window(l, &v->conv.win);
	} else if (l->kind == DCM_POOL) {
		v->pool.channels = l->channels;
		v->pool.mode = l->pool_mode;
		dcm_layer_window(l, &v->pool.win);
	} else if (l->kind == DCM_BITPLANE) {
		dcm_layer_bitplane(l, &v->bp.l);
	} else if (l->kind == DCM_BITPLANE_CONV) {
		dcm_layer_bitplane_conv(l, &v->bp);
	}
}

/* A QUANT layer's values as the QUANT op takes them. */
static uint32_t quant_channels(const struct dcm_layer *l)
{
	return l->rows ? l->cols : l->channels;
}

static uint32_t quant_pixels(const struct dcm_layer *l)
{
	return l->rows ? 1 : l->in_h * l->in_w;
}

/* Words of b bytes, each array on its own. */
static uint64_t words(uint64_t b)
{
	return (b + 3) / 4;
}

/*
 * The spec's counts ("Energy model", "QUANT op") of one input through a
 * QUANT, BITPLANE, BITPLANE_CONV or POOL layer, written from the text:
 * the device's ops, a QUANT op counted on its own.
 */
static void spec_energy(const struct dcm_layer *l, bool in_on, bool out_on,
			struct dp_energy *e)
{
	uint64_t in_bytes, out_bytes, out_sram;

	if (l->kind == DCM_QUANT) {
		const uint64_t c = quant_channels(l), px = quant_pixels(l);
		const uint64_t levels = 1ull << l->quant_bits;

		in_bytes = 2 * c * px;
		out_bytes = 8 * l->quant_bits * px * DCACCEL_PLANE_WORDS(c);
		e->dram_weights += words(2 * (levels - 1)) + words(levels);
		e->sram += (c * px + 1) / 2 + out_bytes / 4;
		out_sram = 0;
	} else if (l->kind == DCM_POOL) {
		struct ref_geometry g;
		uint64_t outs, taps;

		geometry(l, &g);
		outs = (uint64_t)g.channels * ref_out_h(&g) * ref_out_w(&g);
		taps = (uint64_t)g.kernel_h * g.kernel_w;
		in_bytes = 2 * dcm_layer_inputs(l);
		out_bytes = 2 * outs;
		out_sram = (outs + 1) / 2;
		e->sram += outs * ((taps + 1) / 2);
		e->add32 += outs * taps;
	} else {
		const bool conv = l->kind == DCM_BITPLANE_CONV;
		const uint64_t lw = DCACCEL_PLANE_WORDS(l->cols);
		const uint64_t taps = conv ? (uint64_t)l->kernel_h * l->kernel_w : 1;
		const uint64_t pixels = conv ? (uint64_t)l->in_h * l->in_w : 1;
		const uint64_t outs = dcm_layer_outputs(l);
		const uint64_t pairs = word_pairs(l);

		in_bytes = 8 * l->a_planes * pixels * lw;
		out_bytes = 2 * outs;
		out_sram = (outs + 1) / 2;
		e->dram_weights += words(8 * l->w_planes * l->rows * taps * lw) +
				   words(2 * l->rows * l->w_planes) +
				   words(2 * l->a_planes) +
				   (l->bias ? l->rows : 0);
		e->sram += 2 * pairs + 2 * l->a_planes * pixels * lw;
		e->popcount64 += pairs;
		e->mul32 += outs * l->w_planes * l->a_planes;
		e->add32 += outs * l->w_planes * l->a_planes;
	}
	e->dram_acts += (in_on ? 0 : words(in_bytes)) + (out_on ? 0 : words(out_bytes));
	e->sram += out_sram;
}

/* The spec's cycle model of a bit-plane layer per input, busy too. */
static void spec_cycles(const struct dcm_layer *l, struct eie_cycles *c)
{
	const bool conv = l->kind == DCM_BITPLANE_CONV;
	const uint64_t lw = DCACCEL_PLANE_WORDS(l->cols);
	const uint64_t pixels = conv ? (uint64_t)l->in_h * l->in_w : 1;
	const uint64_t per_row = (uint64_t)l->w_planes * l->a_planes * lw *
				 (conv ? inside_pairs(l) : 1);
	const uint64_t rows0 = (l->rows + l->pes - 1) / l->pes;

	c->cycles += l->a_planes * pixels * lw + rows0 * per_row;
	c->busy += (uint64_t)l->rows * per_row;
}

/* Two sets of counts field by field. */
static void check_counts(const struct dp_energy *a, const struct dp_energy *b)
{
	CHECK_EQ(a->dram_weights, b->dram_weights);
	CHECK_EQ(a->dram_acts, b->dram_acts);
	CHECK_EQ(a->sram, b->sram);
	CHECK_EQ(a->addsub, b->addsub);
	CHECK_EQ(a->shift_add, b->shift_add);
	CHECK_EQ(a->mac16, b->mac16);
	CHECK_EQ(a->mul32, b->mul32);
	CHECK_EQ(a->add32, b->add32);
	CHECK_EQ(a->popcount64, b->popcount64);
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-9 * fmax(1.0, fabs(b));
}

/* The models summed by hand, layer by layer. */
struct by_hand {
	struct eie_cycles dp[DCM_LAYERS_MAX];	/* the datapath's cycle models */
	struct eie_cycles spec[DCM_LAYERS_MAX];	/* the spec's, bit-plane layers */
	struct dp_energy e;	/* the datapath's counts */
	struct dp_energy se;	/* the spec's; FC and CONV the datapath's */
};

/* Layer i of m on its one input `in`, as one op of a job of the graph. */
static void layer_by_hand(const struct dcm_model *m, uint32_t i,
			  const int16_t *in, void *ws, struct by_hand *h)
{
	const struct dcm_layer *l = &m->layers[i];
	const struct dp_energy_io io = {
		.in_on_chip = i > 0, .out_on_chip = i + 1 < m->layer_count,
	};
	const uint32_t q = DCACCEL_EIE_QUEUE_DEFAULT;
	struct views v;

	views_of(l, &v);
	if (l->kind == DCM_FC) {
		CHECK_EQ(eie_model_cycles(&v.conv.filters, q, 1, in, ws, &h->dp[i],
					  NULL), 0);
		dp_energy_fc(&v.conv.filters, 1, in, &io, &h->e);
		dp_energy_fc(&v.conv.filters, 1, in, &io, &h->se);
		return;
	}
	if (l->kind == DCM_CONV) {
		CHECK_EQ(dp_conv_model_cycles(&v.conv, q, 1, in, ws, &h->dp[i],
					      NULL, NULL), 0);
		dp_energy_conv(&v.conv, 1, in, &io, &h->e);
		dp_energy_conv(&v.conv, 1, in, &io, &h->se);
		return;
	}
	spec_energy(l, io.in_on_chip, io.out_on_chip, &h->se);
	if (l->kind == DCM_POOL) {
		/* a pool job runs on all of the device's PEs */
		dp_pool_model_cycles(&v.pool, DCACCEL_EIE_PES_DEFAULT, 1, &h->dp[i],
				     NULL);
		dp_energy_pool(&v.pool, 1, &io, &h->e);
	} else if (l->kind == DCM_QUANT) {
		/* the QUANT op: no cycles, its own counts */
		dp_energy_quant(quant_channels(l), quant_pixels(l), l->quant_bits,
				1, &io, &h->e);
	} else if (l->kind == DCM_BITPLANE) {
		dp_bitplane_model_cycles(&v.bp.l, 1, &h->dp[i], NULL);
		dp_energy_bitplane(&v.bp.l, 1, &io, &h->e);
		spec_cycles(l, &h->spec[i]);
	} else {
		dp_bitplane_conv_model_cycles(&v.bp, 1, &h->dp[i], NULL);
		dp_energy_bitplane_conv(&v.bp, 1, &io, &h->e);
		spec_cycles(l, &h->spec[i]);
	}
}

/* n inputs x (dim each) through m, each one job, into h. */
static void graph_by_hand(const struct dcm_model *m, const int16_t *x,
			  uint32_t n, uint32_t dim, struct by_hand *h)
{
	size_t ws_size = 8;
	struct ref_acts a;
	void *ws;

	memset(h, 0, sizeof(*h));
	for (uint32_t i = 0; i < m->layer_count; i++) {
		struct views v;
		size_t s = 0;

		views_of(&m->layers[i], &v);
		if (m->layers[i].kind == DCM_FC)
			s = eie_cycles_ws_size(v.conv.filters.pes,
					       DCACCEL_EIE_QUEUE_DEFAULT);
		else if (m->layers[i].kind == DCM_CONV)
			s = dp_conv_cycles_ws_size(&v.conv, DCACCEL_EIE_QUEUE_DEFAULT);
		ws_size = s > ws_size ? s : ws_size;
	}
	ws = aligned_alloc(8, (ws_size + 7) & ~(size_t)7);
	ref_alloc(m, &a);
	/* each layer's real input: the reference's outputs before it */
	for (uint32_t b = 0; b < n; b++) {
		const int16_t *in = x + (size_t)b * dim;

		ref_run(m, in, &a);
		for (uint32_t i = 0; i < m->layer_count; i++)
			layer_by_hand(m, i, i ? a.out[i - 1] : in, ws, h);
	}
	ref_release(m, &a);
	free(ws);
}

/*
 * dcc's cycle and energy models per inference of each graph against the
 * datapath's models called here layer by layer on each layer's real
 * inputs, each image one job (activations between the layers on chip),
 * a QUANT layer the device's QUANT op on its own (no cycles, its
 * thresholds and codes its weights); and those of the new kinds and
 * pooling against the spec's closed forms.
 */
static void test_cycles_energy_by_hand(void)
{
	static struct by_hand h;

	for (uint32_t g = 0; g < GRAPHS; g++) {
		struct eie_cycles got[DCM_LAYERS_MAX];
		struct fixedpoint_energy fe;
		struct dp_energy_fj fj;
		struct dcc_error err;
		struct dataset ds;
		struct dcm_model m;
		double per_layer[DCM_LAYERS_MAX], total, want_total = 0;
		const uint32_t n = 7;
		int16_t *x;

		memset(got, 0, sizeof(got));
		make_graph(&m, g, 30 + g);
		make_data(&m, n, 40 + g, &ds);
		x = data_inputs(&m, &ds);
		graph_by_hand(&m, x, n, ds.dim, &h);
		check_counts(&h.se, &h.e);

		CHECK_EQ(fixedpoint_model_cycles(&m, &ds, n, got, &err), 0);
		for (uint32_t i = 0; i < m.layer_count; i++) {
			const struct dcm_layer *l = &m.layers[i];

			CHECK_EQ(got[i].cycles, h.dp[i].cycles);
			CHECK_EQ(got[i].busy, h.dp[i].busy);
			CHECK_EQ(got[i].lnzd_stalls, h.dp[i].lnzd_stalls);
			if (l->kind == DCM_QUANT)
				CHECK_EQ(got[i].cycles, 0);
			if (dcm_kind_is_bitplane(l->kind)) {
				CHECK_EQ(got[i].cycles, h.spec[i].cycles);
				CHECK_EQ(got[i].busy, h.spec[i].busy);
				CHECK_EQ(got[i].lnzd_stalls, 0);
			}
			want_total += (double)h.dp[i].cycles / n;
		}
		CHECK_EQ(fixedpoint_cycles_per_inference(&m, &ds, per_layer, &total, &err), 0);
		CHECK(near(total, want_total));
		for (uint32_t i = 0; i < m.layer_count; i++)
			CHECK(near(per_layer[i], (double)h.dp[i].cycles / n));

		CHECK_EQ(fixedpoint_energy_per_inference(&m, &ds, &fe, &err), 0);
		dp_energy_price(&h.e, &fj);
		CHECK(near(fe.dram_weights_nj, fj.dram_weights / 1e6 / n));
		CHECK(near(fe.dram_acts_nj, fj.dram_acts / 1e6 / n));
		CHECK(near(fe.sram_nj, fj.sram / 1e6 / n));
		CHECK(near(fe.arith_nj, (fj.arith + fj.bitops) / 1e6 / n));
		CHECK(near(fe.total_nj, (fj.dram_weights + fj.dram_acts + fj.sram +
					 fj.arith + fj.bitops) / 1e6 / n));
		/* the table's prices, from the spec's own constants */
		CHECK_EQ(fj.dram_weights, h.e.dram_weights * DCACCEL_ENERGY_DRAM32_FJ);
		CHECK_EQ(fj.bitops, h.e.popcount64 * DCACCEL_ENERGY_POPCOUNT64_FJ);
		DIAG("%s: %.0f cycles, %.2f nJ (%.2f with the weights on chip) per inference",
		     graph_name(g), total, fe.total_nj, fe.total_nj - fe.dram_weights_nj);
		free(x);
		free(ds.x);
		free(ds.y);
		dcm_free(&m);
	}
}

/*
 * The quant-first graph's numbers from the spec alone, by hand: QUANT of
 * 100 values to 8 planes, BITPLANE 16 x 100 of 8 x 8 planes, 4 PEs.
 */
static void test_quant_first_worked(void)
{
	struct eie_cycles c[DCM_LAYERS_MAX];
	struct fixedpoint_energy fe;
	struct dcc_error err;
	struct dataset ds;
	struct dcm_model m;
	uint64_t dw, da, sram, pop, arith;

	memset(c, 0, sizeof(c));
	make_graph(&m, BPF_QUANT_FIRST, 9);
	make_data(&m, 5, 2, &ds);
	CHECK_EQ(fixedpoint_model_cycles(&m, &ds, 5, c, &err), 0);
	/* Ka L + rows(0) Kw Ka L = 8 x 2 + 4 x 8 x 8 x 2 per image */
	CHECK_EQ(c[0].cycles, 0);
	CHECK_EQ(c[1].cycles, 5 * (16 + 512));
	CHECK_EQ(c[1].busy, 5 * 16 * 128);
	/*
	 * Per image: QUANT thresholds 128 + codes 64 words, BITPLANE planes
	 * 512 (256 u64) + w_basis 64 + a_basis 4 + bias 16; the inputs 50
	 * words in, the outputs 8 out; SRAM: QUANT reads 50 and writes 32,
	 * BITPLANE 2 x 2048 weight words, 2 x 16 activation words, 8
	 * outputs; 2048 popcounts, 1024 multiplies and 1024 adds.
	 */
	dw = 128 + 64 + 512 + 64 + 4 + 16;
	da = 50 + 8;
	sram = 50 + 32 + 4096 + 32 + 8;
	pop = 2048;
	arith = 1024 * DCACCEL_ENERGY_MUL32_FJ + 1024 * DCACCEL_ENERGY_ADD32_FJ;
	CHECK_EQ(fixedpoint_energy_per_inference(&m, &ds, &fe, &err), 0);
	CHECK(near(fe.dram_weights_nj, dw * DCACCEL_ENERGY_DRAM32_FJ / 1e6));
	CHECK(near(fe.dram_acts_nj, da * DCACCEL_ENERGY_DRAM32_FJ / 1e6));
	CHECK(near(fe.sram_nj, sram * DCACCEL_ENERGY_SRAM32_FJ / 1e6));
	CHECK(near(fe.arith_nj, (arith + pop * DCACCEL_ENERGY_POPCOUNT64_FJ) / 1e6));
	free(ds.x);
	free(ds.y);
	dcm_free(&m);
}

/* Top-1 accuracy on a data set: the reference's argmax (first best). */
static void test_accuracy(void)
{
	for (uint32_t g = 0; g < GRAPHS; g++) {
		struct dcc_error err;
		struct dataset ds;
		struct dcm_model m;
		struct ref_acts a;
		const uint32_t n = 230;	/* more than dcc's chunk of 200 */
		uint32_t right = 0;
		uint64_t classes;
		int16_t *x;
		double acc;

		make_graph(&m, g, 70 + g);
		make_data(&m, n, 80 + g, &ds);
		classes = dcm_layer_outputs(&m.layers[m.layer_count - 1]);
		x = data_inputs(&m, &ds);
		ref_alloc(&m, &a);
		for (uint32_t b = 0; b < n; b++) {
			const int16_t *z;
			uint32_t best = 0;

			ref_run(&m, x + (size_t)b * ds.dim, &a);
			z = a.out[m.layer_count - 1];
			for (uint32_t k = 1; k < classes; k++)
				if (z[k] > z[best])
					best = k;
			right += best == ds.y[b];
		}
		acc = fixedpoint_accuracy(&m, &ds, NULL, &err);
		CHECK(acc == 100.0 * right / n);
		ref_release(&m, &a);
		free(x);
		free(ds.x);
		free(ds.y);
		dcm_free(&m);
	}
}

/* ---- dcc info's report ---- */

/* report_table() and report_summary() of m into a string (free it). */
static char *report_of(const struct dcm_model *m)
{
	const struct stage_acc acc = { -1, -1, -1, 75.5 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	report_table(f, m, &acc);
	report_summary(f, m, &acc, 1234, 5.5, 4.25);
	fclose(f);
	return text;
}

/* The line of text starting with `start`, copied to line. */
static bool line_of(const char *text, const char *start, char *line, size_t size)
{
	const size_t n = strlen(start);
	const char *p = text;

	while (p && *p) {
		const char *end = strchr(p, '\n');

		if (!strncmp(p, start, n)) {
			size_t l = end ? (size_t)(end - p) : strlen(p);

			l = l < size - 1 ? l : size - 1;
			memcpy(line, p, l);
			line[l] = 0;
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

/*
 * The table's rows and totals and the summary line of a graph read back
 * (its bytes known): a bit-plane layer's row has rows x cols (K C R S)
 * weights, all stored, w_planes bits, no Huffman or index bits, its
 * payload; a QUANT layer has no row but its bytes count; the dense size
 * counts a bit-plane layer's weights once and its biases only with the
 * flag (model-format.rst).
 */
static void check_report(uint32_t g, const char *const *names,
			 const char *wbits, const char *abits)
{
	struct dcm_model m, back;
	struct dcm_error de;
	char line[512], want[160], *text;
	double dense = 0, pq, weights = 0, nz = 0;
	uint8_t *buf;
	size_t len;
	uint32_t row = 0;

	make_graph(&m, g, 5);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &de), 0);
	CHECK_EQ(dcm_read_buffer(buf, len, &back, &de), 0);
	pq = DCM_HEADER_BYTES + DCM_LAYER_BYTES_V3 * back.layer_count + 4;
	text = report_of(&back);
	for (uint32_t i = 0; i < back.layer_count; i++) {
		const struct dcm_layer *l = &back.layers[i];
		double w = (double)l->rows * l->cols;

		if (l->kind == DCM_QUANT) {
			CHECK_EQ(l->payload_bytes, 3 * (1u << l->quant_bits) - 2);
			pq += l->payload_bytes;
			continue;
		}
		if (l->kind == DCM_POOL)
			continue;
		if (!line_of(text, names[row], line, sizeof(line))) {
			DIAG("no row %s in:\n%s", names[row], text);
			CHECK(0);
			row++;
			continue;
		}
		row++;
		if (dcm_kind_is_bitplane(l->kind)) {
			if (l->kind == DCM_BITPLANE_CONV)
				w *= (double)l->kernel_h * l->kernel_w;
			dense += 4 * (w + (l->bias ? l->rows : 0));
			pq += l->payload_bytes;
			nz += w;
			snprintf(want, sizeof(want), "| %6u %8s | %6s %8s | %9u %9u | %6.2f%% %6.2f%% | %10s",
				 l->w_planes, "-", "-", "-", l->payload_bytes,
				 l->payload_bytes,
				 100.0 * l->payload_bytes / (4 * (w + (l->bias ? l->rows : 0))),
				 100.0 * l->payload_bytes / (4 * (w + (l->bias ? l->rows : 0))),
				 "-");
			CHECK_STR_CONTAINS(line, want);
			CHECK_STR_CONTAINS(line, "100.00%");
		} else {
			dense += 4 * (w + l->rows);
			pq += l->stored_entries * (l->wbits + l->run_bits) / 8.0 +
			      2.0 * l->codebook_len + 4.0 * l->rows;
			nz += l->nonzeros;
		}
		weights += w;
	}
	CHECK(!strstr(text, "quant"));
	CHECK(line_of(text, "Total", line, sizeof(line)));
	snprintf(want, sizeof(want), "%9.0f %9u", pq, back.file_bytes);
	CHECK_STR_CONTAINS(line, want);
	snprintf(want, sizeof(want), "Dense fp32: %.0f bytes. Compressed: %.0f bytes",
		 dense, pq);
	CHECK_STR_CONTAINS(text, want);
	snprintf(want, sizeof(want), "summary: bytes=%u rate=%.2f density=%.4f wbits=%s abits=%s dense=",
		 back.file_bytes, dense / back.file_bytes, nz / weights, wbits, abits);
	CHECK_STR_CONTAINS(text, want);
	CHECK_STR_CONTAINS(text, "fixed=75.50 cycles=1234 energy_nj=5.50 onchip_nj=4.25");
	free(text);
	free(buf);
	dcm_free(&back);
	dcm_free(&m);
}

static void test_report(void)
{
	static const char *const fc_chain[] = { "fc1 ", "bfc2 ", "bfc3 ", "fc4 " };
	static const char *const conv_chain[] = { "conv1 ", "bconv2 ", "fc1 " };
	static const char *const own[] = { "bconv1 ", "bconv2 ", "fc1 " };

	check_report(BPF_FC_CHAIN, fc_chain, "4,2,1,4", "16,2,1,16");
	check_report(BPF_CONV_CHAIN, conv_chain, "4,2,4", "16,2,16");
	check_report(BPF_GRAPHS, own, "2,1,4", "2,1,16");
}

/* ---- in-memory graphs the writer would refuse ---- */

/* Every entry point refuses m with a message holding `what`. */
static void refused(const struct dcm_model *m, const char *what)
{
	const uint64_t dim = m->layer_count ? dcm_layer_inputs(&m->layers[0]) : 0;
	int16_t *in = calloc(dim + 1, sizeof(*in)), out[4096];
	struct eie_cycles c[DCM_LAYERS_MAX];
	struct fixedpoint_energy fe;
	struct dcc_error err = { "" };
	struct dataset ds = { 2, (uint32_t)dim, NULL, NULL };
	double total;

	ds.x = calloc(2 * dim + 1, sizeof(float));
	ds.y = calloc(2, 1);
	memset(c, 0, sizeof(c));
	CHECK_EQ(fixedpoint_run(m, in, 1, out, NULL, &err), -1);
	CHECK_STR_CONTAINS(err.msg, what);
	err.msg[0] = 0;
	CHECK(fixedpoint_accuracy(m, &ds, NULL, &err) < 0);
	CHECK_STR_CONTAINS(err.msg, what);
	err.msg[0] = 0;
	CHECK_EQ(fixedpoint_model_cycles(m, &ds, 2, c, &err), -1);
	CHECK_STR_CONTAINS(err.msg, what);
	err.msg[0] = 0;
	CHECK_EQ(fixedpoint_cycles_per_inference(m, &ds, NULL, &total, &err), -1);
	CHECK_STR_CONTAINS(err.msg, what);
	err.msg[0] = 0;
	CHECK_EQ(fixedpoint_energy_per_inference(m, &ds, &fe, &err), -1);
	CHECK_STR_CONTAINS(err.msg, what);
	free(in);
	free(ds.x);
	free(ds.y);
}

static void test_malformed_refused(void)
{
	uint32_t varied[DCM_LAYERS_MAX], vectors;
	struct dcm_model m, part;
	struct dcm_layer *l;
	int16_t *basis, *in, t;
	uint8_t code;

	/* fc 20 -> 70, QUANT 2, BITPLANE 70 -> 40, QUANT 1, BITPLANE 40 -> 10, fc */
	make_graph(&m, BPF_FC_CHAIN, 11);
	l = m.layers;

	/* a QUANT layer of more bits than the next one's a_planes */
	l[1].quant_bits = 3;
	refused(&m, "layer 2 (bitplane): a_planes 2 is not layer 1's quant_bits 3");
	l[1].quant_bits = 2;
	/* and a bit-plane layer of more planes than the QUANT layer's */
	l[4].a_planes = 2;
	refused(&m, "layer 4 (bitplane): a_planes 2 is not layer 3's quant_bits 1");
	l[4].a_planes = 1;
	/* planes read as another kind than written */
	l[3].a_kind = UNSIGNED;
	refused(&m, "a_kind 1 is not layer 3's a_kind 0");
	l[3].a_kind = SIGNED;
	/* sizes that do not chain */
	l[2].cols = 71;
	refused(&m, "layer 2 (bitplane) takes 71 inputs");
	l[2].cols = 70;
	/* a QUANT layer's in_frac not the out_frac before it */
	l[1].in_frac = 9;
	refused(&m, "layer 1 (quant): in_frac 9 is not layer 0's out_frac 10");
	l[1].in_frac = 10;
	/* fields out of range */
	l[2].out_frac = 15;
	refused(&m, "layer 2 (bitplane): out_frac 15");
	l[2].out_frac = 4;
	l[3].quant_bits = 9;
	refused(&m, "layer 3 (quant): quant_bits 9");
	l[3].quant_bits = 1;
	l[4].kind = 9;
	refused(&m, "unknown kind 9");
	l[4].kind = DCM_BITPLANE;
	/* thresholds out of order, a code too large, a missing array */
	t = l[1].thr[0];
	l[1].thr[0] = (int16_t)(l[1].thr[2] + 1);
	refused(&m, "layer 1 (quant) is not valid for the datapath: "
		"quantizer thresholds must not decrease");
	l[1].thr[0] = t;
	code = l[1].codes[1];
	l[1].codes[1] = 4;
	refused(&m, "quantizer code 1 is 4, not below 2^2");
	l[1].codes[1] = code;
	basis = l[2].a_basis;
	l[2].a_basis = NULL;
	refused(&m, "layer 2 (bitplane) is not valid for the datapath: a bit-plane layer needs");
	l[2].a_basis = basis;
	/* a QUANT layer last, and a bit-plane layer first */
	m.layer_count = 4;
	refused(&m, "layer 3 (quant) is the last layer");
	m.layer_count = 6;
	part = (struct dcm_model){ .layer_count = 4, .layers = &l[2] };
	refused(&part, "layer 0 (bitplane): a bit-plane layer is never first");
	/* each refused before running: the graph, put back, runs as before */
	in = random_inputs(&m, 4, 1);
	CHECK_EQ(mismatches(&m, in, 4, varied, &vectors), 0);
	free(in);
	dcm_free(&m);

	/* a map QUANT read by a BITPLANE layer: whole words of channels */
	make_graph(&m, BPF_MAP_FC, 12);
	m.layers[1].channels = 60;
	m.layers[0].rows = 60;
	m.layers[2].cols = 240;
	refused(&m, "its 60 channels must be a multiple of 64");
	m.layers[0].rows = 64;
	m.layers[1].channels = 64;
	m.layers[2].cols = 256;
	dcm_free(&m);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_outputs_bit_exact),
	TAP_TEST(test_outputs_batch_independent),
	TAP_TEST(test_stats),
	TAP_TEST(test_cycles_energy_by_hand),
	TAP_TEST(test_quant_first_worked),
	TAP_TEST(test_accuracy),
	TAP_TEST(test_report),
	TAP_TEST(test_malformed_refused),
};

TAP_MAIN(tests)
