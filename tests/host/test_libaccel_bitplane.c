// SPDX-License-Identifier: MIT
/*
 * libaccel on .dcm version 3 (bit-plane layers and their quantizers)
 * without a device: the CPU reference against the datapath's functions
 * called directly, layer after layer, every output and counter; what
 * accel_model_layer_shape(), accel_model_layer() and accel_model_dense()
 * say of the new kinds; the device path's ops, placed and written as a
 * device load does, run through the device core (qemu-device/core) on the
 * host: the same outputs and counters, and its work and bytes what the
 * device decodes; a device without the ops, or of another PE count or
 * smaller limits, refused naming the layer; damaged, truncated and
 * reordered images refused with a message, never a crash (ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "rng.h"
#include "dev_rig.h"
#include "dcm_damage.h"
#include "eie_arith.h"
#include "../../userspace/libaccel/accel_internal.h"
#include "../../userspace/libaccel/guest-tests/bitplane_fixture.h"
#include "../../userspace/common/q15.h"
#include "../../userspace/dcm/dcm_layout.h"
#include "../../qemu-device/core/dev_le.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcm_cnn_fixture.h"
#include "bitplane_conv_run.h"

#define PES	4	/* the graphs' layers' (the device core's too) */
#define REC	DCM_LAYER_BYTES_V3

static struct dcdev_result res;	/* per-PE counters: not on the stack */

/* Graph g made for pes PEs, serialized; its inputs per vector. */
static uint8_t *graph_image(enum bpf_graph g, uint32_t pes, uint64_t seed,
			    size_t *len, uint32_t *inputs)
{
	struct dcm_model m;
	struct dcm_error err;
	uint8_t *buf = NULL;

	*inputs = bpf_graph(&m, g, pes, seed);
	if (dcm_write_buffer(&m, &buf, len, &err)) {
		DIAG("%s: dcm_write_buffer: %s", bpf_graph_name(g), err.msg);
		tap_failures++;
		buf = NULL;
	}
	dcm_free(&m);
	return buf;
}

/* ---- the reference: the datapath's functions, one layer at a time ---- */

/* Bytes per vector of what layer l reads and writes (hardware.rst). */
static uint64_t ref_in_bytes(const struct dcm_layer *l)
{
	uint64_t px = l->kind == DCM_BITPLANE_CONV ? (uint64_t)l->in_h * l->in_w : 1;

	if (dcm_kind_is_bitplane(l->kind))
		return 8 * l->a_planes * px * DCACCEL_PLANE_WORDS((uint64_t)l->cols);
	return 2 * dcm_layer_inputs(l);
}

static uint64_t ref_out_bytes(const struct dcm_layer *l)
{
	uint64_t c = dcm_layer_is_map(l) ? l->channels : l->cols;
	uint64_t px = dcm_layer_is_map(l) ? (uint64_t)l->in_h * l->in_w : 1;

	if (l->kind == DCM_QUANT)
		return 8 * l->quant_bits * px * DCACCEL_PLANE_WORDS(c);
	return 2 * dcm_layer_outputs(l);
}

static void ref_layer(const struct dcm_layer *l, uint32_t n, const void *x,
		      void *y, void *ws, struct eie_stats *es)
{
	struct dp_conv c = { .in_channels = l->channels };
	struct dp_pool p = { .channels = l->channels, .mode = l->pool_mode };
	struct dp_bitplane_conv bc;
	struct dp_outq q;

	switch (l->kind) {
	case DCM_FC:
		dcm_layer_view(l, &c.filters);
		eie_run(&c.filters, n, x, y, ws, es);
		break;
	case DCM_CONV:
		dcm_layer_view(l, &c.filters);
		dcm_layer_window(l, &c.win);
		CHECK_EQ(dp_conv_run(&c, n, x, y, ws, es, NULL), 0);
		break;
	case DCM_POOL:
		dcm_layer_window(l, &p.win);
		CHECK_EQ(dp_pool_run(&p, n, x, y, NULL), 0);
		break;
	case DCM_QUANT:
		dcm_layer_outq(l, &q);
		if (dcm_layer_is_map(l))
			dp_outq_pack_map(&q, l->channels, l->in_h * l->in_w, n, x, y);
		else
			dp_outq_pack_fc(&q, l->cols, n, x, y);
		break;
	case DCM_BITPLANE:
		dcm_layer_bitplane(l, &bc.l);
		CHECK_EQ(dp_bitplane_run(&bc.l, n, x, y, es, NULL), 0);
		break;
	default:
		dcm_layer_bitplane_conv(l, &bc);
		CHECK_EQ(bpconv_run(&bc, n, x, y, es), 0);
		break;
	}
}

/* Workspace bytes of the FC and CONV layers' runs. */
static size_t ref_ws_size(const struct dcm_model *dm)
{
	size_t ws = 8;

	for (uint32_t i = 0; i < dm->layer_count; i++) {
		const struct dcm_layer *l = &dm->layers[i];
		struct dp_conv c = { .in_channels = l->channels };
		size_t s = 0;

		dcm_layer_view(l, &c.filters);
		dcm_layer_window(l, &c.win);
		if (l->kind == DCM_FC)
			s = eie_run_ws_size(&c.filters);
		else if (l->kind == DCM_CONV)
			s = dp_conv_run_ws_size(&c);
		if (s > ws)
			ws = s;
	}
	return (ws + 7) & ~(size_t)7;
}

/* n vectors of int16 inputs q through every layer: its int16 outputs in y. */
static void ref_run(const struct dcm_model *dm, uint32_t n, const int16_t *q,
		    int16_t *y, struct eie_stats *es)
{
	uint64_t widest = 8;
	void *a, *b, *t, *ws = aligned_alloc(8, ref_ws_size(dm));
	const struct dcm_layer *last = &dm->layers[dm->layer_count - 1];

	for (uint32_t i = 0; i < dm->layer_count; i++) {
		if (ref_in_bytes(&dm->layers[i]) > widest)
			widest = ref_in_bytes(&dm->layers[i]);
		if (ref_out_bytes(&dm->layers[i]) > widest)
			widest = ref_out_bytes(&dm->layers[i]);
	}
	widest = (widest * n + 7) & ~7ull;
	a = aligned_alloc(8, widest);
	b = aligned_alloc(8, widest);
	memcpy(a, q, ref_in_bytes(&dm->layers[0]) * n);
	for (uint32_t i = 0; i < dm->layer_count; i++) {
		ref_layer(&dm->layers[i], n, a, b, ws, es);
		t = a;
		a = b;
		b = t;
	}
	memcpy(y, a, ref_out_bytes(last) * n);
	free(a);
	free(b);
	free(ws);
}

/* dcc's quantization of the model's float inputs. */
static void quantize(const struct dcm_model *dm, uint32_t n, uint32_t inputs,
		     const float *x, int16_t *q)
{
	for (size_t k = 0; k < (size_t)n * inputs; k++)
		q[k] = to_q15(x[k], dm->layers[0].in_frac);
}

/*
 * The image's model through accel_infer on the CPU against ref_run, on n
 * vectors: outputs (bit for bit) and counters. The int16 outputs in *yq
 * when asked (malloc()ed). Returns the mismatches.
 */
static uint32_t cpu_against_datapath(const uint8_t *img, size_t len,
				     const char *name, uint32_t n,
				     uint64_t seed, int16_t **yq)
{
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct accel_error err = { "" };
	struct accel_stats st;
	struct eie_stats es = { 0 };
	struct dcm_model dm;
	struct dcm_error de;
	uint32_t bad = 0;
	float *x, *out, scale;
	int16_t *q, *y;

	if (accel_model_load_buffer(NULL, img, len, name, &m, &err) ||
	    dcm_read_buffer(img, len, &dm, &de)) {
		DIAG("%s: %s", name, err.msg);
		accel_model_free(m);
		return 1;
	}
	accel_model_info(m, &mi, NULL);
	x = dcm_fixture_inputs(n, mi.inputs, 0.2, seed);
	out = malloc((size_t)n * mi.outputs * sizeof(*out));
	q = malloc((size_t)n * mi.inputs * sizeof(*q));
	y = malloc((size_t)n * mi.outputs * sizeof(*y));
	scale = 1.0f / (float)(1u << dm.layers[dm.layer_count - 1].out_frac);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, n, x, out, &st, &err), ACCEL_OK);
	quantize(&dm, n, mi.inputs, x, q);
	ref_run(&dm, n, q, y, &es);
	for (size_t k = 0; k < (size_t)n * mi.outputs; k++)
		bad += out[k] != (float)y[k] * scale;
	bad += st.macs != es.macs || st.entries != es.entries ||
	       st.nonzero_acts != es.nonzero_acts || st.jobs || st.cycles;
	if (yq)
		*yq = y;
	else
		free(y);
	dcm_free(&dm);
	accel_model_free(m);
	free(x);
	free(out);
	free(q);
	return bad;
}

/*
 * Every graph, on batches of one, a few and more than one pass of the
 * CPU reference's buffers (256 vectors): bit for bit the datapath's, its
 * counters too, and outputs that are neither all 0 nor saturated.
 */
static void test_cpu_matches_datapath(void)
{
	static const uint32_t batches[] = { 1, 7, 300 };

	for (int g = 0; g < BPF_GRAPHS; g++) {
		for (size_t b = 0; b < sizeof(batches) / sizeof(batches[0]); b++) {
			uint32_t n = batches[b], inputs, outs, bad, zero = 0, sat = 0;
			struct dcm_model dm;
			struct dcm_error de;
			size_t len;
			uint8_t *img = graph_image(g, PES, 100 + g, &len, &inputs);
			int16_t *y = NULL;

			if (!img)
				continue;
			bad = cpu_against_datapath(img, len, bpf_graph_name(g), n,
						   7 * b + g, &y);
			CHECK_EQ(bad, 0);
			CHECK_EQ(dcm_read_buffer(img, len, &dm, &de), 0);
			outs = (uint32_t)dcm_layer_outputs(&dm.layers[dm.layer_count - 1]);
			for (size_t k = 0; y && k < (size_t)n * outs; k++) {
				zero += y[k] == 0;
				sat += y[k] == INT16_MAX || y[k] == INT16_MIN;
			}
			/* ReLU makes about half of them 0 */
			if (b == 2) {
				DIAG("%s: %u outputs, %u zero, %u saturated",
				     bpf_graph_name(g), n * outs, zero, sat);
				CHECK(zero < n * outs * 3 / 4 && sat < n * outs / 8);
			}
			dcm_free(&dm);
			free(y);
			free(img);
		}
	}
}

/*
 * A map quantized to 8 planes of one channel a pixel: 512 KiB of planes
 * per input, so that the CPU reference takes fewer inputs a pass than
 * its 256 (its buffers stay within 64 MiB); 130 inputs take two passes.
 */
static void test_wide_planes(void)
{
	struct dcm_model m;
	struct dcm_error de;
	struct rng r = { 17 };
	struct dcm_layer *l = dcm_fixture_model(&m, 2);
	uint8_t *img = NULL;
	size_t len;

	bpf_quant(&l[0], 8, DCACCEL_PLANE_UNSIGNED, 8, 0, 256, &r);
	bpf_quant_map(&l[0], 1, 128, 64);
	dcm_fixture_map(&l[1], DCM_BITPLANE_CONV, 1, 128, 64, 1, 1, 0);
	bpf_planes(&l[1], DCM_BITPLANE_CONV, 2, 1, PES, 1, 8,
		   DCACCEL_PLANE_SIGNED, DCACCEL_PLANE_UNSIGNED, true, &r);
	l[1].out_frac = 0;
	CHECK_EQ(dcm_write_buffer(&m, &img, &len, &de), 0);
	dcm_free(&m);
	if (img)
		CHECK_EQ(cpu_against_datapath(img, len, "wide", 130, 1, NULL), 0);
	free(img);
}

/* The level of y among the thresholds (hardware.rst, "Quantized outputs"). */
static uint32_t level_of(const struct dcm_layer *l, int16_t y)
{
	uint32_t level = 0;

	for (uint32_t k = 0; k + 1 < 1u << l->quant_bits; k++)
		level += y >= l->thr[k];
	return level;
}

/*
 * Every QUANT layer of the graphs meets its lowest and highest levels
 * on the fixture's inputs: the chains are no network of one code.
 */
static void test_levels_met(void)
{
	for (int g = 0; g < BPF_GRAPHS; g++) {
		const uint32_t n = 50;
		struct dcm_model dm;
		struct dcm_error de;
		uint32_t inputs, count;
		size_t len;
		uint8_t *img = graph_image(g, PES, 100 + g, &len, &inputs);
		float *x = dcm_fixture_inputs(n, inputs, 0.2, 5);
		int16_t *q = malloc((size_t)n * inputs * sizeof(*q));

		if (!img || dcm_read_buffer(img, len, &dm, &de)) {
			tap_failures++;
			free(img);
			free(x);
			free(q);
			continue;
		}
		quantize(&dm, n, inputs, x, q);
		count = dm.layer_count;
		for (uint32_t i = 0; i < count; i++) {
			const struct dcm_layer *l = &dm.layers[i];
			uint32_t levels = 1u << l->quant_bits, met = 0;
			uint64_t values = n * dcm_layer_inputs(l);
			bool seen[256] = { false };
			int16_t *y;

			if (l->kind != DCM_QUANT)
				continue;
			/* the int16 values it reads: the layers before it */
			y = malloc(2 * values);
			dm.layer_count = i;
			if (i)
				ref_run(&dm, n, q, y, &(struct eie_stats){ 0 });
			else
				memcpy(y, q, 2 * values);
			dm.layer_count = count;
			for (uint64_t k = 0; k < values; k++)
				seen[level_of(l, y[k])] = true;
			for (uint32_t v = 0; v < levels; v++)
				met += seen[v];
			DIAG("%s: layer %u (quant, %u bits) meets %u of %u levels",
			     bpf_graph_name(g), i, l->quant_bits, met, levels);
			CHECK(seen[0] && seen[levels - 1]);
			free(y);
		}
		dcm_free(&dm);
		free(img);
		free(x);
		free(q);
	}
}

/* ---- what the model says of itself ---- */

static void check_shape(struct accel_model *m, uint32_t i, uint32_t kind,
			uint32_t ic, uint32_t ih, uint32_t iw, uint32_t oc,
			uint32_t oh, uint32_t ow, uint8_t wp, uint8_t ap,
			uint64_t work)
{
	struct accel_layer_shape s;
	struct accel_error err;

	CHECK_EQ(accel_model_layer_shape(m, i, &s, &err), ACCEL_OK);
	CHECK_EQ(s.kind, kind);
	CHECK(s.in_channels == ic && s.in_height == ih && s.in_width == iw);
	CHECK(s.out_channels == oc && s.out_height == oh && s.out_width == ow);
	CHECK(s.inputs == ic * ih * iw && s.outputs == oc * oh * ow);
	CHECK(s.w_planes == wp && s.a_planes == ap);
	CHECK_EQ(s.work, work);
}

static void test_describe(void)
{
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct accel_layer_shape s;
	struct accel_layer_info li;
	struct accel_error err;
	struct dcm_model dm;
	struct dcm_error de;
	uint32_t inputs;
	size_t len;
	uint8_t *img = graph_image(BPF_FC_CHAIN, PES, 1, &len, &inputs);

	CHECK_EQ(accel_model_load_buffer(NULL, img, len, "chain", &m, &err), ACCEL_OK);
	CHECK_EQ(dcm_read_buffer(img, len, &dm, &de), 0);
	CHECK_EQ(accel_model_info(m, &mi, &err), ACCEL_OK);
	CHECK(mi.layer_count == 6 && mi.inputs == 20 && mi.outputs == 5 &&
	      mi.file_bytes == len && !mi.on_device);
	check_shape(m, 0, ACCEL_LAYER_FC, 20, 1, 1, 70, 1, 1, 0, 0,
		    DCACCEL_FC_WORK(70, 20, 4, 1, 16, dm.layers[0].streams.entry_count));
	check_shape(m, 1, ACCEL_LAYER_QUANT, 70, 1, 1, 70, 1, 1, 0, 2,
		    DCACCEL_QUANT_WORK(70, 1, 2, 1));
	check_shape(m, 2, ACCEL_LAYER_BITPLANE, 70, 1, 1, 40, 1, 1, 2, 2,
		    DCACCEL_BITPLANE_WORK(40, 70, 2, 2, 1));
	check_shape(m, 3, ACCEL_LAYER_QUANT, 40, 1, 1, 40, 1, 1, 0, 1,
		    DCACCEL_QUANT_WORK(40, 1, 1, 1));
	check_shape(m, 4, ACCEL_LAYER_BITPLANE, 40, 1, 1, 10, 1, 1, 1, 1,
		    DCACCEL_BITPLANE_WORK(10, 40, 1, 1, 1));
	CHECK_EQ(accel_model_layer_shape(m, 2, &s, &err), ACCEL_OK);
	CHECK(s.in_frac == 0 && s.out_frac == 4 && s.relu == 0 && s.kernel_h == 0);
	CHECK_EQ(accel_model_layer_shape(m, 1, &s, &err), ACCEL_OK);
	CHECK(s.in_frac == 10 && s.out_frac == 0 && s.relu == 0);
	/* a bit-plane layer's planes, a quantizer's none */
	CHECK_EQ(accel_model_layer(m, 2, &li, &err), ACCEL_OK);
	CHECK(li.rows == 40 && li.cols == 70 && li.pes == 4 && li.file_pes == 4);
	CHECK(li.wbits == 0 && li.codebook_len == 0 && li.entry_count == 0 &&
	      li.nonzeros == 0 && li.padding_count == 0 && li.relu == 0);
	CHECK(li.in_frac == 0 && li.out_frac == 4);
	CHECK_EQ(li.payload_bytes, dm.layers[2].payload_bytes);
	CHECK_EQ(accel_model_layer(m, 1, &li, &err), ACCEL_OK);
	CHECK(li.rows == 0 && li.cols == 0 && li.pes == 0 && li.in_frac == 10);
	CHECK_EQ(li.payload_bytes, 3 * 4 - 2);
	dcm_free(&dm);
	accel_model_free(m);
	free(img);

	img = graph_image(BPF_CONV_CHAIN, PES, 2, &len, &inputs);
	m = NULL;
	CHECK_EQ(accel_model_load_buffer(NULL, img, len, "conv", &m, &err), ACCEL_OK);
	check_shape(m, 1, ACCEL_LAYER_QUANT, 4, 8, 8, 4, 8, 8, 0, 2,
		    DCACCEL_QUANT_WORK(4, 64, 2, 1));
	check_shape(m, 2, ACCEL_LAYER_BITPLANE_CONV, 4, 8, 8, 6, 4, 4, 2, 2,
		    DCACCEL_BITPLANE_CONV_WORK(6, 4, 8, 8, 4, 4, 3, 3, 2, 2, 1));
	CHECK_EQ(accel_model_layer_shape(m, 2, &s, &err), ACCEL_OK);
	CHECK(s.kernel_h == 3 && s.kernel_w == 3 && s.stride_h == 2 &&
	      s.pad_w == 1 && s.relu == 1);
	/* a convolution's filters are K x C R S, as a CONV layer's */
	CHECK_EQ(accel_model_layer(m, 2, &li, &err), ACCEL_OK);
	CHECK(li.rows == 6 && li.cols == 36 && li.relu == 1);
	accel_model_free(m);
	free(img);
}

/* ---- dense weights ---- */

/* Input (c, y, x) of a map of Ka planes, weighed by the bases: at ba_frac. */
static int64_t act_value(const struct dcm_layer *l, const uint64_t *in,
			 uint32_t h, uint32_t w, uint32_t c, uint32_t y,
			 uint32_t x)
{
	const uint64_t lc = DCACCEL_PLANE_WORDS((uint64_t)l->cols);
	int64_t v = 0;

	for (uint32_t p = 0; p < l->a_planes; p++) {
		uint64_t word = in[(((uint64_t)p * h + y) * w + x) * lc + c / 64];
		int bit = (int)(word >> (c % 64) & 1);

		v += l->a_basis[p] * (l->a_kind == DCACCEL_PLANE_SIGNED ? 2 * bit - 1 : bit);
	}
	return v;
}

/*
 * Output (k, oy, ox) from the dense weights and bias, in exact integers
 * (a bit-plane FC layer is a 1 x 1 map of cols channels, one 1 x 1 tap).
 */
static int16_t dense_output(const struct dcm_layer *l, const struct dp_window *win,
			    const float *wts, const float *bias,
			    const uint64_t *in, uint32_t k, uint32_t oy,
			    uint32_t ox)
{
	const double wscale = (double)(1u << l->bw_frac);
	double acc = (double)bias[k] * (double)(1ull << (l->bw_frac + l->ba_frac));

	for (uint32_t c = 0; c < l->cols; c++)
		for (uint32_t r = 0; r < win->kernel_h; r++)
			for (uint32_t s = 0; s < win->kernel_w; s++) {
				int64_t iy = (int64_t)oy * win->stride_h - win->pad_h + r;
				int64_t ix = (int64_t)ox * win->stride_w - win->pad_w + s;
				size_t at = (((size_t)k * l->cols + c) * win->kernel_h + r) *
					    win->kernel_w + s;

				if (iy < 0 || ix < 0 || iy >= win->in_h || ix >= win->in_w)
					continue;	/* padding contributes nothing */
				acc += (double)wts[at] * wscale *
				       (double)act_value(l, in, win->in_h, win->in_w, c,
							 (uint32_t)iy, (uint32_t)ix);
			}
	return eie_finish((int64_t)acc, l->relu, l->bw_frac + l->ba_frac - l->out_frac);
}

/* Layer i's dense weights give the datapath's outputs on random planes. */
static void dense_matches(struct accel_model *m, const struct dcm_layer *l,
			  uint32_t i)
{
	struct dp_bitplane_conv bc;
	struct accel_layer_info li;
	struct dp_window win = { 1, 1, 1, 1, 1, 1, 0, 0 };
	struct rng r = { 31 + i };
	uint64_t words;
	uint32_t outs, bad = 0;
	float *w, *b;
	uint64_t *in;
	int16_t *y;

	accel_model_layer(m, i, &li, NULL);
	if (l->kind == DCM_BITPLANE_CONV)
		dcm_layer_window(l, &win);
	words = (uint64_t)l->a_planes * win.in_h * win.in_w *
		DCACCEL_PLANE_WORDS((uint64_t)l->cols);
	outs = l->rows * dp_window_out_h(&win) * dp_window_out_w(&win);
	w = malloc((size_t)li.rows * li.cols * sizeof(*w));
	b = malloc(li.rows * sizeof(*b));
	in = malloc(words * 8);
	y = malloc(outs * sizeof(*y));
	for (uint64_t t = 0; t < words; t++)
		in[t] = rng_next(&r);	/* padding bits too: they are masked */
	CHECK_EQ(accel_model_dense(m, i, w, b, NULL), ACCEL_OK);
	dcm_layer_bitplane_conv(l, &bc);
	if (l->kind == DCM_BITPLANE)
		dp_bitplane_run(&bc.l, 1, in, y, NULL, NULL);
	else
		CHECK_EQ(bpconv_run(&bc, 1, in, y, NULL), 0);
	for (uint32_t k = 0, at = 0; k < l->rows; k++)
		for (uint32_t oy = 0; oy < dp_window_out_h(&win); oy++)
			for (uint32_t ox = 0; ox < dp_window_out_w(&win); ox++, at++)
				bad += dense_output(l, &win, w, b, in, k, oy, ox) != y[at];
	CHECK_EQ(bad, 0);
	free(w);
	free(b);
	free(in);
	free(y);
}

static void test_dense(void)
{
	static const enum bpf_graph graphs[] = {
		BPF_FC_CHAIN, BPF_CONV_CHAIN, BPF_WIDE_CHANNELS, BPF_QUANT_FIRST,
	};

	for (size_t g = 0; g < sizeof(graphs) / sizeof(graphs[0]); g++) {
		struct accel_model *m = NULL;
		struct accel_error err = { "" };
		struct dcm_model dm;
		struct dcm_error de;
		uint32_t inputs;
		size_t len;
		uint8_t *img = graph_image(graphs[g], PES, 9, &len, &inputs);
		float w[4], b[4];

		if (!img || dcm_read_buffer(img, len, &dm, &de) ||
		    accel_model_load_buffer(NULL, img, len, "dense", &m, &err)) {
			tap_failures++;
			free(img);
			continue;
		}
		for (uint32_t i = 0; i < dm.layer_count; i++) {
			if (dcm_kind_is_bitplane(dm.layers[i].kind))
				dense_matches(m, &dm.layers[i], i);
			if (dm.layers[i].kind != DCM_QUANT)
				continue;
			/* a quantizer is no matrix */
			CHECK_EQ(accel_model_dense(m, i, w, b, &err), ACCEL_E_INVALID);
			CHECK_STR_CONTAINS(err.msg, "(quant) has no dense float form");
		}
		dcm_free(&dm);
		accel_model_free(m);
		free(img);
	}
}

/* ---- the device path, through the device core ---- */

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

/* Bytes the device counts for the decoded op (hardware.rst, "Limits"). */
static uint64_t device_bytes(const struct dcdev_op *op)
{
	switch (op->opcode) {
	case DCACCEL_OP_FC: return dcdev_fc_bytes(&op->fc);
	case DCACCEL_OP_CONV: return dcdev_conv_bytes(&op->conv);
	case DCACCEL_OP_POOL: return dcdev_pool_bytes(&op->pool);
	case DCACCEL_OP_BITPLANE: return dcdev_bitplane_bytes(&op->bitplane);
	case DCACCEL_OP_QUANT: return dcdev_quant_bytes(&op->quant);
	default: return dcdev_bitplane_conv_bytes(&op->bpconv);
	}
}

/*
 * The model's arrays placed as a device load places them (one read-only
 * BO), its input quantized as accel_submit() does, one op per layer over
 * an activation buffer each: the command buffer libaccel writes. Its VAs
 * in va[0] (the model), va[1] (the input), va[2 + i] (layer i's output).
 */
static void build_job(struct rig *r, struct accel_model *m, uint32_t n,
		      const float *x, uint64_t *va)
{
	uint64_t size = 0;
	uint8_t *base;
	int16_t *q = malloc((size_t)n * m->inputs * sizeof(*q));

	for (uint32_t i = 0; i < m->layer_count; i++)
		size = accelp_layer_place(&m->layers[i], size);
	base = calloc(1, size + 8);
	for (uint32_t i = 0; i < m->layer_count; i++)
		accelp_layer_copy(&m->layers[i], base);
	va[0] = rig_array(r, base, size + 8, DCACCEL_PTE_READ);
	accel_quantize(m, n, x, q, NULL);
	va[1] = rig_array(r, q, 2ull * n * m->inputs, DCACCEL_PTE_READ);
	r->cmd_len = 0;
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct accel_mlayer *ml = &m->layers[i];

		va[2 + i] = rig_array(r, NULL, n * ml->out_bytes, RW);
		accelp_layer_op(ml, n, va[0], va[1 + i], va[2 + i],
				r->cmd + r->cmd_len);
		r->cmd_len += ml->op_size;
	}
	free(base);
	free(q);
}

/* Each op decodes, its work and bytes what libaccel counted. */
static uint32_t ops_as_counted(struct rig *r, const struct accel_model *m,
			       uint32_t n)
{
	uint32_t bad = 0, off = 0, detail;

	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct accel_mlayer *ml = &m->layers[i];
		struct dcdev_op op;
		uint64_t fixed, per;

		accelp_layer_bytes(ml, &fixed, &per);
		if (dcdev_op_decode(r->cmd, r->cmd_len, off, &r->caps, &op, &detail) ||
		    op.size != ml->op_size ||
		    dcdev_op_work(&op) != accelp_layer_work(ml, n) ||
		    device_bytes(&op) != fixed + n * per) {
			DIAG("layer %u (%s): decode detail %u, work %llu vs %llu",
			     i, dcm_kind_name(ml->kind), detail,
			     (unsigned long long)dcdev_op_work(&op),
			     (unsigned long long)accelp_layer_work(ml, n));
			bad++;
		}
		off += ml->op_size;
	}
	return bad;
}

static void device_core_graph(enum bpf_graph g, uint32_t pes, uint32_t n)
{
	struct accel_model *m = NULL;
	struct accel_error err = { "" };
	struct accel_stats st;
	struct rig r;
	uint64_t va[2 + 8];
	uint32_t inputs, outs, bad = 0;
	size_t len;
	uint8_t *img = graph_image(g, pes, 40 + g, &len, &inputs);
	float *x = dcm_fixture_inputs(n, inputs, 0.2, 3 + g), *out, scale;
	int16_t *y;

	if (!img || accel_model_load_buffer(NULL, img, len, "core", &m, &err)) {
		DIAG("%s: %s", bpf_graph_name(g), err.msg);
		tap_failures++;
		free(img);
		free(x);
		return;
	}
	outs = m->outputs;
	out = malloc((size_t)n * outs * sizeof(*out));
	y = malloc((size_t)n * outs * sizeof(*y));
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, n, x, out, &st, &err), ACCEL_OK);
	rig_init(&r, pes);
	build_job(&r, m, n, x, va);
	CHECK_EQ(ops_as_counted(&r, m, n), 0);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, va[1 + m->layer_count], y, 2ull * n * outs);
	scale = 1.0f / (float)(1u << m->layers[m->layer_count - 1].out_frac);
	for (size_t k = 0; k < (size_t)n * outs; k++)
		bad += (float)(int16_t)dcdev_ld16((const uint8_t *)&y[k]) * scale != out[k];
	CHECK_EQ(bad, 0);
	CHECK(res.stats.macs == st.macs && res.stats.entries == st.entries &&
	      res.stats.nonzero_acts == st.nonzero_acts);
	CHECK(res.cycles.cycles > 0);
	guest_free(&r.g);
	accel_model_free(m);
	free(img);
	free(x);
	free(out);
	free(y);
}

/*
 * Every graph as libaccel's device path writes it, run by the device
 * core (of the graph's PE count, 4 or the default 64): the CPU
 * reference's outputs and counters, bit for bit.
 */
static void test_device_core(void)
{
	for (int g = 0; g < BPF_GRAPHS; g++) {
		device_core_graph(g, PES, 1);
		device_core_graph(g, PES, 13);
		device_core_graph(g, 64, 13);
	}
}

/* What a device load checks first, layer by layer (place_on_device). */
static int device_fits(struct accel_model *m, const struct accel_device_info *d,
		       const char *name, struct accel_error *err)
{
	for (uint32_t i = 0; i < m->layer_count; i++) {
		int st = accelp_layer_fits(&m->layers[i], d, name, i, err);

		if (st)
			return st;
	}
	return ACCEL_OK;
}

static void test_device_refusals(void)
{
	struct accel_device_info d = {
		.node = "/dev/accel/accel9", .hw_version = 1u << 16 | 2,
		.pes = PES, .max_wbits = 8, .max_zbits = 8, .max_dim = 65536,
		.max_batch = 1024,
	};
	struct accel_model *m = NULL, *w = NULL;
	struct accel_error err = { "" };
	uint32_t inputs;
	size_t len, wlen;
	uint8_t *img = graph_image(BPF_FC_CHAIN, PES, 5, &len, &inputs);
	uint8_t *wide = graph_image(BPF_MAP_FC, PES, 5, &wlen, &inputs);

	CHECK_EQ(accel_model_load_buffer(NULL, img, len, "chain", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_model_load_buffer(NULL, wide, wlen, "wide", &w, &err), ACCEL_OK);
	if (!m || !w)
		goto out;
	CHECK_EQ(device_fits(m, &d, "chain", &err), ACCEL_OK);
	/* hardware 1.1: no QUANT op, nor the bit-plane ones */
	d.hw_version = 1u << 16 | 1;
	CHECK_EQ(device_fits(m, &d, "chain", &err), ACCEL_E_UNSUPPORTED);
	CHECK_STR_CONTAINS(err.msg, "chain: layer 1 (quant): /dev/accel/accel9 (hardware 1.1) has no BITPLANE, BITPLANE_CONV or QUANT op");
	d.hw_version = 1u << 16 | 2;
	/* a bit-plane layer is made for the device's PEs: never re-encoded */
	d.pes = 8;
	CHECK_EQ(device_fits(m, &d, "chain", &err), ACCEL_E_MODEL);
	CHECK_STR_CONTAINS(err.msg, "chain: layer 2 (bitplane): made for 4 PEs, the device has 8");
	d.pes = PES;
	/* the ops' per-field caps */
	d.max_dim = 64;
	CHECK_EQ(device_fits(w, &d, "wide", &err), ACCEL_E_MODEL);
	CHECK_STR_CONTAINS(err.msg, "wide: layer 2 (bitplane): cols 256 is over the device's limit 64");
	d.max_dim = 63;
	CHECK_EQ(device_fits(w, &d, "wide", &err), ACCEL_E_MODEL);
	CHECK_STR_CONTAINS(err.msg, "wide: layer 0 (conv): out_channels 64 is over the device's limit 63");
out:
	accel_model_free(m);
	accel_model_free(w);
	free(img);
	free(wide);
}

/* ---- damaged images ---- */

/*
 * Every byte of the image flipped: refused naming the file, CRC and all;
 * and resealed, refused so or, when the reader takes it (a plane's bit,
 * a basis), run by the CPU reference bit for bit as the datapath runs it.
 */
static void flips(enum bpf_graph g)
{
	uint32_t inputs, accepted = 0, wrong = 0, mism = 0;
	size_t len;
	uint8_t *img = graph_image(g, PES, 77, &len, &inputs), *copy;

	if (!img)
		return;
	copy = malloc(len);
	for (size_t at = 0; at < len; at++) {
		for (int sealed = 0; sealed < 2; sealed++) {
			struct accel_model *m = (void *)1;
			struct accel_error err = { "" };
			int st;

			memcpy(copy, img, len);
			copy[at] ^= 0x21;
			if (sealed)
				reseal(copy, len);
			st = accel_model_load_buffer(NULL, copy, len, "flip.dcm", &m, &err);
			if (st == ACCEL_OK) {
				accepted++;
				wrong += !sealed;
				accel_model_free(m);
				mism += cpu_against_datapath(copy, len, "flip.dcm", 3, at, NULL);
			} else if (st != ACCEL_E_MODEL || m || !strstr(err.msg, "flip.dcm: ")) {
				if (wrong++ < 3)
					DIAG("byte %zu: %d %s", at, st, err.msg);
			}
		}
	}
	DIAG("%s: %zu bytes, %u flips taken (resealed) and run", bpf_graph_name(g),
	     len, accepted);
	CHECK_EQ(wrong, 0);
	CHECK_EQ(mism, 0);
	CHECK(accepted > 0);
	free(copy);
	free(img);
}

static void test_flipped(void)
{
	flips(BPF_FC_CHAIN);
	flips(BPF_WIDE_CHANNELS);
}

static void test_truncated(void)
{
	uint32_t inputs, bad = 0;
	size_t len;
	uint8_t *img = graph_image(BPF_CONV_CHAIN, PES, 3, &len, &inputs);

	for (size_t cut = 0; img && cut < len; cut++) {
		struct accel_model *m = (void *)1;
		struct accel_error err = { "" };
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, img, cut);
		if (accel_model_load_buffer(NULL, copy, cut, "cut.dcm", &m, &err) !=
		    ACCEL_E_MODEL || m || !strstr(err.msg, "cut.dcm: "))
			bad++;
		free(copy);
	}
	CHECK_EQ(bad, 0);
	free(img);
}

/* img with layer i's record byte `at` set to v, resealed: refused with msg. */
static void refused_field(const uint8_t *img, size_t len, uint32_t i,
			  unsigned int at, uint8_t v, const char *msg)
{
	struct accel_model *m = (void *)1;
	struct accel_error err = { "" };
	uint8_t *copy = malloc(len);

	memcpy(copy, img, len);
	copy[DCM_HEADER_BYTES + (size_t)i * REC + at] = v;
	reseal(copy, len);
	CHECK_EQ(accel_model_load_buffer(NULL, copy, len, "bad.dcm", &m, &err),
		 ACCEL_E_MODEL);
	CHECK(m == NULL);
	CHECK_STR_CONTAINS(err.msg, msg);
	free(copy);
}

/* Chains that do not hold together, named by layer and field. */
static void test_bad_chains(void)
{
	uint32_t inputs;
	size_t len;
	uint8_t *img = graph_image(BPF_FC_CHAIN, PES, 8, &len, &inputs);
	uint8_t *copy;
	uint32_t thr_at;

	if (!img)
		return;
	/* the bit-plane layer reads its planes as another kind */
	refused_field(img, len, 2, DCM_L_A_KIND, 1,
		      "bad.dcm: layer 2 (bitplane): a_kind 1 is not layer 1's a_kind 0");
	/* its inputs are planes: no fraction bits */
	refused_field(img, len, 2, DCM_L_IN_FRAC, 3,
		      "bad.dcm: layer 2 (bitplane): in_frac 3 must be 0");
	/* a QUANT layer in the place of a bit-plane one */
	refused_field(img, len, 4, DCM_L_KIND, DCM_QUANT, "bad.dcm: layer 4 (quant)");
	/* a quantizer whose thresholds go down */
	copy = malloc(len);
	memcpy(copy, img, len);
	thr_at = dcm_get32(copy + DCM_HEADER_BYTES + 1 * REC + DCM_L_PAYLOAD_OFFSET);
	copy[thr_at] = 0xff;
	copy[thr_at + 1] = 0x7f;	/* thr[0] = 32767 */
	reseal(copy, len);
	{
		struct accel_model *m = (void *)1;
		struct accel_error err = { "" };

		CHECK_EQ(accel_model_load_buffer(NULL, copy, len, "bad.dcm", &m, &err),
			 ACCEL_E_MODEL);
		CHECK_STR_CONTAINS(err.msg, "bad.dcm: layer 1 (quant): quantizer thresholds must not decrease");
	}
	free(copy);
	free(img);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_cpu_matches_datapath),
	TAP_TEST(test_wide_planes),
	TAP_TEST(test_levels_met),
	TAP_TEST(test_describe),
	TAP_TEST(test_dense),
	TAP_TEST(test_device_core),
	TAP_TEST(test_device_refusals),
	TAP_TEST(test_flipped),
	TAP_TEST(test_truncated),
	TAP_TEST(test_bad_chains),
};

TAP_MAIN(tests)
