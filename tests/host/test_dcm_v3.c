// SPDX-License-Identifier: MIT
/*
 * .dcm version 3 (model-format.rst, "Version 3"): BITPLANE,
 * BITPLANE_CONV and QUANT layers round-trip byte for byte, the writer
 * picks version 3 for them (2 otherwise), and the reader refuses
 * every field out of range, every payload that does not add up, padding
 * bits, bad quantizers, layers out of order and truncated files with a
 * message naming the layer and what is wrong.
 *
 * With DCM_V3_SEEDS=DIR in the environment it also writes its models to
 * DIR as seeds for fuzz/fuzz_dcm_read.c (fuzz/corpus/fuzz_dcm_read/v3-*).
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "rng.h"
#include "../../userspace/dcm/dcm.h"
#include "../../userspace/dcm/dcm_layout.h"
#include "../../qemu-device/datapath/dp_bitplane_conv.h"
#include "../../userspace/libaccel/guest-tests/bitplane_fixture.h"
#include "../../qemu-device/datapath/dp_outq.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dcaccel/dcaccel_hw.h"
#include "dcm_cnn_fixture.h"
#include "dcm_damage.h"

#define REC		DCM_LAYER_BYTES_V3
#define UNSIGNED	DCACCEL_PLANE_UNSIGNED
#define SIGNED		DCACCEL_PLANE_SIGNED

static const struct dcm_fixture_style style = { 4, 3, 0.4, 100000 };

/* ---- models ---- */

/* Ko planes read as a_kind: libaccel's fixture's quantizer over -2000..2000. */
static void quant_vec(struct dcm_layer *l, uint32_t n, uint8_t bits,
		      uint8_t a_kind, uint8_t in_frac, struct rng *r)
{
	bpf_quant(l, bits, a_kind, in_frac, -2000, 2000, r);
	bpf_quant_vec(l, n);
}

static void quant_map(struct dcm_layer *l, uint32_t c, uint32_t h, uint32_t w,
		      uint8_t bits, uint8_t a_kind, uint8_t in_frac,
		      struct rng *r)
{
	bpf_quant(l, bits, a_kind, in_frac, -2000, 2000, r);
	bpf_quant_map(l, c, h, w);
}

/*
 * Random planes (padding bits 0), bases and, with bias, biases whose last
 * is 5 (a one-byte varint the tests lengthen), for 4 PEs (libaccel's
 * fixture, bpf_planes()). A convolution's window is set before.
 */
static void planes(struct dcm_layer *l, uint8_t kind, uint32_t rows,
		   uint32_t cols, uint8_t kw, uint8_t ka, uint8_t w_kind,
		   uint8_t a_kind, bool bias, struct rng *r)
{
	bpf_planes(l, kind, rows, cols, 4, kw, ka, w_kind, a_kind, bias, r);
	l->out_frac = 10;
	if (bias)
		l->bias[rows - 1] = 5;
}

/*
 * A: fc 20 -> 70, QUANT (2 unsigned planes), BITPLANE 70 -> 40 (bias),
 * QUANT (1 signed plane), BITPLANE 40 -> 10 (no bias, no ReLU), fc 10 -> 5.
 */
static void model_fc_chain(struct dcm_model *m)
{
	struct rng r = { 11 };
	struct dcm_layer *l = dcm_fixture_model(m, 6);

	dcm_fixture_weights(&l[0], 70, 20, 12, &style, &r);
	l[0].relu = true;
	quant_vec(&l[1], 70, 2, UNSIGNED, 10, &r);
	planes(&l[2], DCM_BITPLANE, 40, 70, 2, 2, SIGNED, UNSIGNED, true, &r);
	quant_vec(&l[3], 40, 1, SIGNED, 10, &r);
	planes(&l[4], DCM_BITPLANE, 10, 40, 1, 1, SIGNED, SIGNED, false, &r);
	l[4].relu = false;
	dcm_fixture_weights(&l[5], 5, 10, 10, &style, &r);
}

/* B: QUANT first (3 planes of 64 inputs), BITPLANE 64 -> 16 with bias. */
static void model_quant_first(struct dcm_model *m)
{
	struct rng r = { 12 };
	struct dcm_layer *l = dcm_fixture_model(m, 2);

	quant_vec(&l[0], 64, 3, UNSIGNED, 8, &r);
	planes(&l[1], DCM_BITPLANE, 16, 64, 3, 3, UNSIGNED, UNSIGNED, true, &r);
}

/*
 * C: conv 2x8x8 -> 4 (3x3, pad 1), QUANT over the 4x8x8 map (2 signed
 * planes), BITPLANE_CONV 6 filters 3x3 stride 2 pad 1 (bias) -> 6x4x4,
 * max pool -> 6x2x2, fc 24 -> 10.
 */
static void model_conv_chain(struct dcm_model *m)
{
	struct rng r = { 13 };
	struct dcm_layer *l = dcm_fixture_model(m, 5);

	dcm_fixture_map(&l[0], DCM_CONV, 2, 8, 8, 3, 1, 1);
	dcm_fixture_weights(&l[0], 4, 2 * 9, 14, &style, &r);
	l[0].relu = true;
	quant_map(&l[1], 4, 8, 8, 2, SIGNED, 10, &r);
	dcm_fixture_map(&l[2], DCM_BITPLANE_CONV, 4, 8, 8, 3, 2, 1);
	planes(&l[2], DCM_BITPLANE_CONV, 6, 4, 2, 2, SIGNED, SIGNED, true, &r);
	dcm_fixture_map(&l[3], DCM_POOL, 6, 4, 4, 2, 2, 0);
	l[3].in_frac = l[3].out_frac = 10;
	dcm_fixture_weights(&l[4], 10, 24, 10, &style, &r);
}

/*
 * D: conv 2x2x2 -> 64 (1x1), QUANT over the 64x2x2 map (2 signed
 * planes), BITPLANE reading the map as 256 inputs pixel by pixel.
 */
static void model_quant_map_fc(struct dcm_model *m)
{
	struct rng r = { 14 };
	struct dcm_layer *l = dcm_fixture_model(m, 3);

	dcm_fixture_map(&l[0], DCM_CONV, 2, 2, 2, 1, 1, 0);
	dcm_fixture_weights(&l[0], 64, 2, 12, &style, &r);
	quant_map(&l[1], 64, 2, 2, 2, SIGNED, 10, &r);
	planes(&l[2], DCM_BITPLANE, 8, 256, 1, 2, UNSIGNED, SIGNED, false, &r);
}

/* E: fc 70 -> 70 at 0 fraction bits, QUANT, BITPLANE: layers to reorder. */
static void model_order(struct dcm_model *m)
{
	struct rng r = { 15 };
	struct dcm_layer *l = dcm_fixture_model(m, 3);

	dcm_fixture_weights(&l[0], 70, 70, 0, &style, &r);
	l[0].out_frac = 0;
	quant_vec(&l[1], 70, 2, UNSIGNED, 0, &r);
	planes(&l[2], DCM_BITPLANE, 40, 70, 1, 2, UNSIGNED, UNSIGNED, false, &r);
}

/* ---- files ---- */

static uint8_t *write_ok(struct dcm_model *m, size_t *len)
{
	struct dcm_error err = { "" };
	uint8_t *buf = NULL;

	if (dcm_write_buffer(m, &buf, len, &err)) {
		DIAG("write: %s", err.msg);
		tap_failures++;
		return NULL;
	}
	return buf;
}

static uint8_t *rec(uint8_t *buf, uint32_t i)
{
	return buf + DCM_HEADER_BYTES + (size_t)i * REC;
}

/* A byte of the file (a payload's) xor-ed with x, resealed: refused with msg. */
static void refused_byte(const uint8_t *buf, size_t len, size_t at, uint8_t x,
			 const char *msg)
{
	uint8_t *bad = malloc(len);

	memcpy(bad, buf, len);
	bad[at] ^= x;
	reseal(bad, len);
	refused_buf(bad, len, msg);
	free(bad);
}

/*
 * n bytes inserted at `at` of a version-3 file: the payloads from there
 * on move, the header's size grows, resealed.
 */
static uint8_t *insert(const uint8_t *buf, size_t len, size_t at,
		       const uint8_t *bytes, size_t n, size_t *out_len)
{
	uint8_t *out = malloc(len + n);
	uint32_t count = dcm_get32(buf + DCM_H_LAYER_COUNT);

	memcpy(out, buf, at);
	memcpy(out + at, bytes, n);
	memcpy(out + at + n, buf + at, len - at);
	for (uint32_t i = 0; i < count; i++) {
		uint8_t *r = rec(out, i);
		uint32_t off = dcm_get32(r + DCM_L_PAYLOAD_OFFSET);

		if (dcm_get32(r + DCM_L_PAYLOAD_BYTES) && off >= at)
			dcm_put32(r + DCM_L_PAYLOAD_OFFSET, off + (uint32_t)n);
	}
	dcm_put32(out + DCM_H_FILE_BYTES, (uint32_t)(len + n));
	*out_len = len + n;
	reseal(out, *out_len);
	return out;
}

static void add32(uint8_t *p, uint32_t v)
{
	dcm_put32(p, dcm_get32(p) + v);
}

struct piece {
	const uint8_t *file;
	uint32_t layer;
};

/*
 * A version-3 file of layers taken from version-3 files, records as
 * they are, payloads placed after the table again: for orders the writer
 * refuses to write.
 */
static uint8_t *relayer(const struct piece *p, uint32_t n, size_t *len)
{
	size_t total = DCM_HEADER_BYTES + (size_t)n * REC + 4, at;
	uint8_t *out;

	for (uint32_t i = 0; i < n; i++)
		total += dcm_get32(rec((uint8_t *)p[i].file, p[i].layer) +
				   DCM_L_PAYLOAD_BYTES);
	out = calloc(1, total);
	memcpy(out, p[0].file, DCM_HEADER_BYTES);
	dcm_put32(out + DCM_H_LAYER_COUNT, n);
	dcm_put32(out + DCM_H_FILE_BYTES, (uint32_t)total);
	at = DCM_HEADER_BYTES + (size_t)n * REC;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *src = rec((uint8_t *)p[i].file, p[i].layer);
		uint32_t bytes = dcm_get32(src + DCM_L_PAYLOAD_BYTES);

		memcpy(rec(out, i), src, REC);
		if (bytes) {
			memcpy(out + at, p[i].file + dcm_get32(src + DCM_L_PAYLOAD_OFFSET), bytes);
			dcm_put32(rec(out, i) + DCM_L_PAYLOAD_OFFSET, (uint32_t)at);
		}
		at += bytes;
	}
	*len = total;
	reseal(out, total);
	return out;
}

/* ---- round trips ---- */

static void same_layer(const struct dcm_layer *a, const struct dcm_layer *b)
{
	CHECK_EQ(a->kind, b->kind);
	CHECK(a->rows == b->rows && a->cols == b->cols && a->pes == b->pes);
	CHECK(a->channels == b->channels && a->in_h == b->in_h && a->in_w == b->in_w);
	CHECK(a->kernel_h == b->kernel_h && a->kernel_w == b->kernel_w &&
	      a->stride_h == b->stride_h && a->stride_w == b->stride_w &&
	      a->pad_h == b->pad_h && a->pad_w == b->pad_w &&
	      a->pool_mode == b->pool_mode);
	CHECK(a->in_frac == b->in_frac && a->out_frac == b->out_frac &&
	      a->w_frac == b->w_frac && a->relu == b->relu);
	CHECK(a->w_planes == b->w_planes && a->a_planes == b->a_planes &&
	      a->w_kind == b->w_kind && a->a_kind == b->a_kind &&
	      a->bw_frac == b->bw_frac && a->ba_frac == b->ba_frac &&
	      a->quant_bits == b->quant_bits);
	CHECK_EQ(a->payload_bytes, b->payload_bytes);
	if (a->kind == DCM_FC || a->kind == DCM_CONV) {
		CHECK(!memcmp(a->widx, b->widx, (size_t)a->rows * a->cols));
		CHECK(!memcmp(a->bias, b->bias, (size_t)a->rows * 4));
		CHECK(b->streams.entry_count > 0);
	} else if (dcm_kind_is_bitplane(a->kind)) {
		CHECK(!memcmp(a->wplanes, b->wplanes, dcm_layer_plane_words(a) * 8));
		CHECK(!memcmp(a->w_basis, b->w_basis, (size_t)a->rows * a->w_planes * 2));
		CHECK(!memcmp(a->a_basis, b->a_basis, (size_t)a->a_planes * 2));
		CHECK_EQ(!a->bias, !b->bias);
		if (a->bias && b->bias)
			CHECK(!memcmp(a->bias, b->bias, (size_t)a->rows * 4));
		CHECK_EQ(b->streams.entry_count, 0);
	} else if (a->kind == DCM_QUANT) {
		CHECK(!memcmp(a->thr, b->thr, ((1u << a->quant_bits) - 1) * 2));
		CHECK(!memcmp(a->codes, b->codes, 1u << a->quant_bits));
		CHECK(!b->bias && !b->wplanes);
	}
}

/* The datapath validates every read layer, by kind. */
static void datapath_accepts(const struct dcm_model *m)
{
	for (uint32_t i = 0; i < m->layer_count; i++) {
		const struct dcm_layer *l = &m->layers[i];
		struct eie_error ee = { "" };
		struct dp_bitplane_conv c;
		struct dp_outq q;

		if (l->kind == DCM_BITPLANE) {
			dcm_layer_bitplane(l, &c.l);
			CHECK_EQ(dp_bitplane_validate(&c.l, &ee), 0);
		} else if (l->kind == DCM_BITPLANE_CONV) {
			dcm_layer_bitplane_conv(l, &c);
			CHECK_EQ(dp_bitplane_conv_validate(&c, &ee), 0);
			CHECK(c.win.kernel_h == l->kernel_h && c.l.cols == l->channels);
		} else if (l->kind == DCM_QUANT) {
			dcm_layer_outq(l, &q);
			CHECK_EQ(dp_outq_validate(&q, &ee), 0);
		}
	}
}

/*
 * Write m (version 0: the writer's pick), read it back: the same layers;
 * write what was read: the same bytes. Returns the file.
 */
static uint8_t *round_trip(struct dcm_model *m, uint16_t want, size_t *len)
{
	struct dcm_model back;
	struct dcm_error err = { "" };
	uint8_t *buf = write_ok(m, len), *again = NULL;
	size_t len2 = 0, payloads = 0;

	if (!buf)
		return NULL;
	CHECK_EQ(dcm_get16(buf + DCM_H_VERSION), want);
	CHECK_EQ(*len, m->file_bytes);
	for (uint32_t i = 0; i < m->layer_count; i++)
		payloads += m->layers[i].payload_bytes;
	CHECK_EQ(*len, DCM_HEADER_BYTES + (size_t)m->layer_count *
		 dcm_record_bytes(want) + payloads + 4);
	if (dcm_read_buffer(buf, *len, &back, &err)) {
		DIAG("read: %s", err.msg);
		tap_failures++;
		return buf;
	}
	CHECK_EQ(back.version, want);
	CHECK_EQ(back.layer_count, m->layer_count);
	for (uint32_t i = 0; i < back.layer_count; i++)
		same_layer(&m->layers[i], &back.layers[i]);
	datapath_accepts(&back);
	/* the model as read writes back the file it came from */
	CHECK_EQ(dcm_write_buffer(&back, &again, &len2, &err), 0);
	CHECK_EQ(len2, *len);
	CHECK(again && len2 == *len && !memcmp(again, buf, *len));
	free(again);
	dcm_free(&back);
	return buf;
}

static void test_fc_quant_bitplane_round_trip(void)
{
	struct dcm_model m;
	const struct dcm_layer *l;
	uint8_t *buf;
	size_t len;

	model_fc_chain(&m);
	buf = round_trip(&m, 3, &len);
	l = &m.layers[2];
	/* planes 2 x 40 x 2 words, bases 40 x 2 and 2, the bias varints */
	CHECK_EQ(l->payload_bytes, 8 * 2 * 40 * 2 + 2 * 40 * 2 + 2 * 2 +
		 dcm_get32(rec(buf, 2) + DCM_L_BIAS_BYTES));
	CHECK_EQ(rec(buf, 2)[DCM_L_FLAGS], DCM_FLAG_RELU | DCM_FLAG_BIAS);
	CHECK_EQ(rec(buf, 4)[DCM_L_FLAGS], 0);
	CHECK_EQ(dcm_get32(rec(buf, 4) + DCM_L_BIAS_BYTES), 0);
	CHECK_EQ(m.layers[1].payload_bytes, 3 * 4 - 2);
	CHECK_EQ(m.layers[3].payload_bytes, 3 * 2 - 2);
	CHECK_EQ(dcm_layer_outputs(&m.layers[1]), 70);
	CHECK_EQ(dcm_layer_inputs(&m.layers[2]), 70);
	CHECK_EQ(dcm_layer_outputs(&m.layers[2]), 40);
	CHECK(!dcm_layer_is_map(&m.layers[1]) && !dcm_layer_is_map(&m.layers[2]));
	CHECK_STR_CONTAINS(dcm_kind_name(DCM_BITPLANE), "bitplane");
	CHECK_STR_CONTAINS(dcm_kind_name(DCM_QUANT), "quant");
	free(buf);
	dcm_free(&m);
}

static void test_quant_first_round_trip(void)
{
	struct dcm_model m;
	uint8_t *buf;
	size_t len;

	model_quant_first(&m);
	buf = round_trip(&m, 3, &len);
	CHECK_EQ(dcm_layer_inputs(&m.layers[0]), 64);
	CHECK_EQ(m.layers[0].in_frac, 8);
	CHECK_EQ(m.layers[0].payload_bytes, 3 * 8 - 2);
	free(buf);
	dcm_free(&m);
}

static void test_conv_quant_bitplane_conv_round_trip(void)
{
	struct dcm_model m;
	const struct dcm_layer *l;
	uint8_t *buf;
	size_t len;

	model_conv_chain(&m);
	buf = round_trip(&m, 3, &len);
	l = &m.layers[2];
	CHECK(dcm_layer_is_map(&m.layers[1]) && dcm_layer_is_map(l));
	CHECK_EQ(dcm_layer_outputs(&m.layers[1]), 4 * 8 * 8);
	CHECK_EQ(dcm_layer_out_channels(&m.layers[1]), 4);
	CHECK_EQ(dcm_layer_out_h(&m.layers[1]), 8);
	CHECK_EQ(dcm_layer_outputs(l), 6 * 4 * 4);
	/* Kw K R S Lc words: a row plane per tap */
	CHECK_EQ(dcm_layer_plane_words(l), 2 * 6 * 3 * 3 * 1);
	/* the pool's record, version 3 or not, has no payload */
	CHECK_EQ(dcm_get32(rec(buf, 3) + DCM_L_PAYLOAD_OFFSET), 0);
	free(buf);
	dcm_free(&m);

	/* a BITPLANE reading a quantized map of 64 channels, pixel by pixel */
	model_quant_map_fc(&m);
	buf = round_trip(&m, 3, &len);
	CHECK_EQ(dcm_layer_outputs(&m.layers[1]), 256);
	free(buf);
	dcm_free(&m);
}

/* Version 2, or 3 for a bit-plane kind, or the one asked for. */
static void test_version_picked(void)
{
	struct dcm_model m;
	struct dcm_error err = { "" };
	struct rng r = { 1 };
	uint8_t *buf = NULL;
	size_t len;

	dcm_fixture_model(&m, 2);
	dcm_fixture_weights(&m.layers[0], 30, 20, 12, &style, &r);
	dcm_fixture_weights(&m.layers[1], 10, 30, 10, &style, &r);
	CHECK_EQ(dcm_model_version(&m), 2);
	m.version = 1;		/* on request: 48-byte records */
	free(round_trip(&m, 1, &len));
	CHECK_EQ(len, DCM_HEADER_BYTES + 2 * DCM_LAYER_BYTES_V1 + m.layers[0].payload_bytes +
		 m.layers[1].payload_bytes + 4);
	/* asked for: a later version holds an earlier one's kinds */
	m.version = 2;
	free(round_trip(&m, 2, &len));
	m.version = 3;
	free(round_trip(&m, 3, &len));
	m.version = 4;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "format version 4: this writer knows 1 to 3");
	dcm_free(&m);

	dcm_cnn_fixture(&m, 1);
	CHECK_EQ(dcm_model_version(&m), 2);
	free(round_trip(&m, 2, &len));
	m.version = 3;
	free(round_trip(&m, 3, &len));
	dcm_free(&m);

	model_fc_chain(&m);
	CHECK_EQ(dcm_model_version(&m), 3);
	m.version = 2;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (quant): format version 2 holds fc, conv and pool layers only");
	m.version = 1;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (quant): format version 1 holds fully connected layers only");
	m.version = 0;
	buf = write_ok(&m, &len);
	if (buf) {
		/* a later version than this reader's */
		dcm_put16(buf + DCM_H_VERSION, 4);
		reseal(buf, len);
		refused_buf(buf, len, "format version 4, this reader knows 1 to 3");
	}
	free(buf);
	dcm_free(&m);

	/* a bit-plane kind in a version-2 file */
	dcm_cnn_fixture(&m, 1);
	buf = write_ok(&m, &len);
	if (buf) {
		buf[DCM_HEADER_BYTES + DCM_LAYER_BYTES + DCM_L_KIND] = DCM_QUANT;
		reseal(buf, len);
		refused_buf(buf, len, "layer 1: kind 5 (quant) in a version-2 file: the bit-plane kinds are version 3's");
	}
	free(buf);
	dcm_free(&m);
}

/* ---- the reader's refusals ---- */

/*
 * One field of a layer's record set to v (bytes wide, at), resealed:
 * refused with msg. A case without msg is a field set together with the
 * next case's.
 */
struct field_case {
	uint32_t layer;
	unsigned int at, bytes;
	uint32_t v;
	const char *msg;
};

/* The n cases, each on a copy of file b. */
static void cases_refused(const uint8_t *b, size_t len,
			  const struct field_case *c, size_t n)
{
	uint8_t *bad = malloc(len);

	memcpy(bad, b, len);
	for (size_t k = 0; k < n; k++) {
		set_field(bad, c[k].layer, c[k].at, c[k].bytes, c[k].v);
		if (!c[k].msg)
			continue;
		reseal(bad, len);
		refused_buf(bad, len, c[k].msg);
		memcpy(bad, b, len);
	}
	free(bad);
}

/* The n cases on the file of the model make() builds. */
static void fields_refused(void (*make)(struct dcm_model *),
			   const struct field_case *c, size_t n)
{
	struct dcm_model m;
	uint8_t *b;
	size_t len;

	make(&m);
	b = write_ok(&m, &len);
	if (b)
		cases_refused(b, len, c, n);
	free(b);
	dcm_free(&m);
}

/* A's BITPLANE layer 2, and the other layers' version-3 bytes. */
static void test_bitplane_fields_refused(void)
{
	static const struct field_case cases[] = {
		{ 2, DCM_L_ROWS, 4, 0, "layer 2 (bitplane): shape 0 x 70 (rows and cols must be 1..65536)" },
		{ 2, DCM_L_ROWS, 4, 65537, "shape 65537 x 70" },
		{ 2, DCM_L_COLS, 4, 0, "shape 40 x 0" },
		{ 2, DCM_L_COLS, 4, 65537, "shape 40 x 65537" },
		{ 2, DCM_L_PES, 4, 0, "layer 2 (bitplane): 0 PEs (must be 1..256)" },
		{ 2, DCM_L_PES, 4, 257, "257 PEs" },
		{ 2, DCM_L_WBITS, 1, 4, "layer 2 (bitplane): wbits 4, zbits 0, w_frac 0, codebook_len 0 must be 0" },
		{ 2, DCM_L_ZBITS, 1, 4, "zbits 4" },
		{ 2, DCM_L_W_FRAC, 1, 3, "w_frac 3" },
		{ 2, DCM_L_CODEBOOK_LEN, 4, 2, "codebook_len 2" },
		{ 2, DCM_L_W_PLANES, 1, 0, "layer 2 (bitplane): w_planes 0 / a_planes 2 must be 1..8" },
		{ 2, DCM_L_W_PLANES, 1, 9, "w_planes 9" },
		{ 2, DCM_L_A_PLANES, 1, 0, "a_planes 0 must be" },
		{ 2, DCM_L_A_PLANES, 1, 9, "a_planes 9 must be" },
		{ 2, DCM_L_W_KIND, 1, 2, "layer 2 (bitplane): w_kind 2 / a_kind 0 must be 0 (unsigned) or 1 (signed)" },
		{ 2, DCM_L_A_KIND, 1, 2, "a_kind 2 must be" },
		{ 2, DCM_L_BW_FRAC, 1, 16, "layer 2 (bitplane): bw_frac 16 / ba_frac 6 must be at most 15" },
		{ 2, DCM_L_BA_FRAC, 1, 16, "ba_frac 16 must be" },
		{ 2, DCM_L_QUANT_BITS, 1, 2, "layer 2 (bitplane): quant_bits 2 set" },
		{ 2, DCM_L_IN_FRAC, 1, 1, "layer 2 (bitplane): in_frac 1 must be 0" },
		{ 2, DCM_L_OUT_FRAC, 1, 15, "layer 2 (bitplane): out_frac 15 exceeds 15 or bw_frac + ba_frac = 14" },
		{ 2, DCM_L_OUT_FRAC, 1, 16, "out_frac 16 exceeds" },
		{ 2, DCM_L_FLAGS, 1, 7, "layer 2 (bitplane): flags 0x07 (bit 0 ReLU, bit 1 bias)" },
		{ 2, DCM_L_FLAGS, 1, 1, "layer 2 (bitplane): bias_bytes" },
		{ 2, DCM_L_RUN_BITS, 1, 3, "layer 2 (bitplane): run_bits 3 or reserved byte 0 set" },
		{ 2, DCM_L_RESERVED, 1, 1, "run_bits 0 or reserved byte 1 set" },
		{ 2, DCM_L_STORED_ENTRIES, 4, 1, "layer 2 (bitplane): stored_entries is 1, must be 0" },
		{ 2, DCM_L_STREAM_BYTES, 4, 1, "stream_bytes is 1" },
		{ 2, DCM_L_NONZEROS, 4, 1, "nonzeros is 1" },
		{ 2, DCM_L_RESERVED3, 1, 1, "layer 2: reserved record byte 71 is 1" },
		{ 2, REC - 1, 1, 1, "reserved record byte 79 is 1" },
		{ 2, DCM_L_CHANNELS, 4, 1, "layer 2 (bitplane): map or window fields set" },
		{ 2, DCM_L_KERNEL_H, 1, 1, "layer 2 (bitplane): map or window fields set" },
		{ 2, DCM_L_POOL_MODE, 1, 1, "layer 2 (bitplane): pool mode 1 set" },
		{ 2, DCM_L_KIND, 1, 6, "layer 2: unknown kind 6" },
		/* the version-2 kinds leave the version-3 bytes 0 */
		{ 0, DCM_L_W_PLANES, 1, 1, "layer 0 (fc): bit-plane fields set" },
		{ 0, DCM_L_QUANT_BITS, 1, 1, "layer 0 (fc): bit-plane fields set" },
		{ 5, REC - 1, 1, 1, "layer 5: reserved record byte 79" },
		/* payload sizes and places */
		{ 2, DCM_L_BIAS_BYTES, 4, 0, "does not match its parts" },
		{ 2, DCM_L_PAYLOAD_OFFSET, 4, 0x7fffff00, "layer 2: payload at 2147483392, version 3 puts it at" },
		/* a bias flag without its bias block: the block is cut short */
		{ 4, DCM_L_FLAGS, 1, DCM_FLAG_BIAS, "layer 4 (bitplane): bias 0 is cut short" },
		/* the order rules that a record field breaks */
		{ 2, DCM_L_A_PLANES, 1, 3, "layer 2 (bitplane): a_planes 3 is not layer 1's quant_bits 2" },
		{ 2, DCM_L_A_KIND, 1, SIGNED, "layer 2 (bitplane): a_kind 1 is not layer 1's a_kind 0" },
		{ 4, DCM_L_A_KIND, 1, UNSIGNED, "layer 4 (bitplane): a_kind 0 is not layer 3's a_kind 1" },
		{ 4, DCM_L_COLS, 4, 41, "layer 4 (bitplane) takes 41 inputs (41 x 1 x 1) but layer 3 (quant) gives 40" },
	};
	struct dcm_model m;
	uint8_t *b;
	size_t len;

	model_fc_chain(&m);
	b = write_ok(&m, &len);
	if (b) {
		cases_refused(b, len, cases, sizeof(cases) / sizeof(cases[0]));
		/* a payload a byte longer than its parts */
		refused(b, len, 2, DCM_L_PAYLOAD_BYTES, 4,
			m.layers[2].payload_bytes + 1, "layer 2 (bitplane): payload of");
	}
	free(b);
	dcm_free(&m);
}

/* C's BITPLANE_CONV layer 2. */
static void test_bitplane_conv_fields_refused(void)
{
	static const struct field_case cases[] = {
		{ 2, DCM_L_COLS, 4, 5, "layer 2 (bitplane_conv): cols 5 must equal channels 4" },
		{ 2, DCM_L_CHANNELS, 4, 5, "layer 2 (bitplane_conv): cols 4 must equal channels 5" },
		{ 2, DCM_L_KERNEL_H, 1, 12, "layer 2 (bitplane_conv): kernel_h must be 1..11" },
		{ 2, DCM_L_STRIDE_W, 1, 9, "stride_w must be 1..8" },
		{ 2, DCM_L_PAD_H, 1, 3, "pad_h 3 must be below kernel_h 3" },
		{ 2, DCM_L_IN_HEIGHT, 2, 0, "in_h must be 1..4096" },
		{ 2, DCM_L_IN_WIDTH, 2, 4097, "in_w must be 1..4096" },
		{ 2, DCM_L_POOL_MODE, 1, 1, "layer 2 (bitplane_conv): pool mode 1 set" },
		{ 2, DCM_L_ROWS, 4, 65537, "layer 2 (bitplane_conv): shape 65537 x 4" },
		/* the map it reads is the QUANT layer's */
		{ 2, DCM_L_IN_WIDTH, 2, 7, "layer 2 (bitplane_conv) takes 224 inputs (4 x 8 x 7) but layer 1 (quant) gives 256 (4 x 8 x 8)" },
		/* a wider window: the pool after it no longer takes its map */
		{ 2, DCM_L_STRIDE_H, 1, 1, "layer 3 (pool) takes 96 inputs (6 x 4 x 4) but layer 2 (bitplane_conv) gives 192 (6 x 8 x 4)" },
		{ 2, DCM_L_A_KIND, 1, UNSIGNED, "layer 2 (bitplane_conv): a_kind 0 is not layer 1's a_kind 1" },
	};

	fields_refused(model_conv_chain, cases, sizeof(cases) / sizeof(cases[0]));
}

/* A's QUANT layer 1, a vector, and C's, a map. */
static void test_quant_fields_refused(void)
{
	static const struct field_case vector[] = {
		{ 1, DCM_L_QUANT_BITS, 1, 0, "layer 1 (quant): quant_bits 0 (must be 1..8)" },
		{ 1, DCM_L_QUANT_BITS, 1, 9, "layer 1 (quant): quant_bits 9 (must be 1..8)" },
		{ 1, DCM_L_A_KIND, 1, 2, "layer 1 (quant): a_kind 2 must be 0 (unsigned) or 1 (signed)" },
		{ 1, DCM_L_W_PLANES, 1, 1, "layer 1 (quant): w_planes 1, a_planes 0, w_kind 0, bw_frac 0, ba_frac 0 must be 0" },
		{ 1, DCM_L_A_PLANES, 1, 1, "a_planes 1, w_kind 0" },
		{ 1, DCM_L_W_KIND, 1, 1, "w_kind 1, bw_frac" },
		{ 1, DCM_L_BW_FRAC, 1, 1, "bw_frac 1, ba_frac" },
		{ 1, DCM_L_BA_FRAC, 1, 1, "ba_frac 1 must be 0" },
		{ 1, DCM_L_PES, 4, 4, "layer 1 (quant): a quantizer has no PEs, weight fields, ReLU, bias or out_frac (pes 4" },
		{ 1, DCM_L_WBITS, 1, 1, "a quantizer has no PEs" },
		{ 1, DCM_L_CODEBOOK_LEN, 4, 1, "a quantizer has no PEs" },
		{ 1, DCM_L_OUT_FRAC, 1, 3, "out_frac 3)" },
		{ 1, DCM_L_FLAGS, 1, DCM_FLAG_RELU, "a quantizer has no PEs, weight fields, ReLU" },
		{ 1, DCM_L_FLAGS, 1, DCM_FLAG_BIAS, "layer 1 (quant): flags 0x02 (bit 0 ReLU, bit 1 bias; a QUANT layer has none)" },
		{ 1, DCM_L_BIAS_BYTES, 4, 1, "layer 1 (quant): bias_bytes 1 without the bias flag" },
		{ 1, DCM_L_IN_FRAC, 1, 16, "layer 1 (quant): in_frac 16 must be at most 15" },
		{ 1, DCM_L_ROWS, 4, 71, "layer 1 (quant): a vector has rows = cols = 1..65536 and no map, got rows 71 cols 70" },
		{ 1, DCM_L_ROWS, 4, 0, "got rows 0 cols 70" },
		{ 1, DCM_L_CHANNELS, 4, 70, "map 70 x 0 x 0" },
		{ 1, DCM_L_KERNEL_W, 1, 1, "layer 1 (quant): window fields set" },
		{ 1, DCM_L_STRIDE_H, 1, 1, "layer 1 (quant): window fields set" },
		{ 1, DCM_L_POOL_MODE, 1, 1, "layer 1 (quant): window fields set" },
		{ 1, DCM_L_STORED_ENTRIES, 4, 1, "layer 1 (quant): stored_entries is 1" },
		{ 1, DCM_L_RUN_BITS, 1, 1, "layer 1 (quant): run_bits 1" },
		{ 1, DCM_L_PAYLOAD_BYTES, 4, 9, "layer 1 (quant): payload of 9 bytes does not match its parts (10 + 0 bias bytes)" },
		{ 1, DCM_L_IN_FRAC, 1, 9, "layer 1 (quant): in_frac 9 is not layer 0's out_frac 10" },
	};
	static const struct field_case map[] = {
		{ 1, DCM_L_CHANNELS, 4, 0, "layer 1 (quant): channels 0 (must be 1..65536)" },
		{ 1, DCM_L_CHANNELS, 4, 65537, "channels 65537 (must be 1..65536)" },
		{ 1, DCM_L_IN_HEIGHT, 2, 0, "layer 1 (quant): map of 0 x 8 pixels (in_h and in_w must be 1..4096)" },
		{ 1, DCM_L_IN_WIDTH, 2, 4097, "map of 8 x 4097 pixels" },
		{ 1, DCM_L_KERNEL_H, 1, 1, "layer 1 (quant): window fields set" },
		{ 1, DCM_L_COLS, 4, 256, "got rows 0 cols 256" },
		/* 65536 channels of 16 x 32: above the 2^24 values of a map */
		{ 1, DCM_L_CHANNELS, 4, 65536, NULL },
		{ 1, DCM_L_IN_HEIGHT, 2, 16, NULL },
		{ 1, DCM_L_IN_WIDTH, 2, 32, "layer 1 (quant): a map of 33554432 values (at most 16777216)" },
		/* not the conv's map */
		{ 1, DCM_L_IN_HEIGHT, 2, 4, "layer 1 (quant) takes 128 inputs (4 x 4 x 8) but layer 0 (conv) gives 256 (4 x 8 x 8)" },
		/* Ko sizes the payload */
		{ 1, DCM_L_QUANT_BITS, 1, 3, "layer 1 (quant): payload of 10 bytes does not match its parts (22 + 0 bias bytes)" },
	};

	fields_refused(model_fc_chain, vector, sizeof(vector) / sizeof(vector[0]));
	fields_refused(model_conv_chain, map, sizeof(map) / sizeof(map[0]));
}

/* Padding bits, thresholds, codes and biases in the payloads. */
static void test_payloads_refused(void)
{
	static const uint8_t zero = 0;
	struct dcm_model m;
	uint8_t *b, *bad;
	size_t len, len2, off, end;

	model_fc_chain(&m);
	b = write_ok(&m, &len);
	if (!b)
		goto out;
	/* layer 2: 70 columns, 2 words a row plane; word 1's bits 6..63 are padding */
	off = dcm_get32(rec(b, 2) + DCM_L_PAYLOAD_OFFSET);
	refused_byte(b, len, off + 8 + 7, 0x80, "layer 2 (bitplane): weight plane word 1 has padding bits set (0x8000000000000000, past column 69)");
	refused_byte(b, len, off + 8 * (2 * 2 * 40 - 1), 0x40, "weight plane word 159 has padding bits set (0x0000000000000040");
	/* and any other bit is a weight: it reads */
	{
		struct dcm_model back;
		struct dcm_error err;

		bad = malloc(len);
		memcpy(bad, b, len);
		bad[off + 8] ^= 0x20;
		reseal(bad, len);
		CHECK_EQ(dcm_read_buffer(bad, len, &back, &err), 0);
		if (back.layers)
			CHECK_EQ(back.layers[2].wplanes[1], m.layers[2].wplanes[1] ^ 0x20);
		dcm_free(&back);
		free(bad);
	}
	/* layer 1: thresholds -2000.. in 3 s16, then 4 codes */
	off = dcm_get32(rec(b, 1) + DCM_L_PAYLOAD_OFFSET);
	bad = malloc(len);
	memcpy(bad, b, len);
	dcm_put16(bad + off + 2, (uint16_t)(m.layers[1].thr[0] - 1));
	reseal(bad, len);
	refused_buf(bad, len, "layer 1 (quant): quantizer thresholds must not decrease");
	free(bad);
	refused_byte(b, len, off + 6, m.layers[1].codes[0] ^ 4, "layer 1 (quant): quantizer code 0 is 4, not below 2^2");
	refused_byte(b, len, off + 9, m.layers[1].codes[3] ^ 0x81, "quantizer code 3 is 129, not below 2^2");
	/* layer 3: one plane, codes below 2 */
	off = dcm_get32(rec(b, 3) + DCM_L_PAYLOAD_OFFSET);
	refused_byte(b, len, off + 2, m.layers[3].codes[0] ^ 2, "layer 3 (quant): quantizer code 0 is 2, not below 2^1");

	/* a byte between two payloads, and after the last */
	off = dcm_get32(rec(b, 2) + DCM_L_PAYLOAD_OFFSET);
	bad = insert(b, len, off, &zero, 1, &len2);
	refused_buf(bad, len2, "layer 2: payload at");
	refused_buf(bad, len2, "version 3 puts it at");
	free(bad);
	bad = insert(b, len, len - 4, &zero, 1, &len2);
	refused_buf(bad, len2, "1 bytes after the last payload, before the CRC32");
	free(bad);
	/* the payloads in another order */
	bad = malloc(len);
	memcpy(bad, b, len);
	dcm_put32(rec(bad, 1) + DCM_L_PAYLOAD_OFFSET,
		  dcm_get32(rec(b, 1) + DCM_L_PAYLOAD_OFFSET) + m.layers[2].payload_bytes);
	dcm_put32(rec(bad, 2) + DCM_L_PAYLOAD_OFFSET,
		  dcm_get32(rec(b, 1) + DCM_L_PAYLOAD_OFFSET));
	reseal(bad, len);
	refused_buf(bad, len, "layer 1: payload at");
	free(bad);
	free(b);
	dcm_free(&m);

	/* the bias block of B's last layer, which ends the payloads */
	model_quant_first(&m);
	b = write_ok(&m, &len);
	if (!b)
		goto out;
	end = dcm_get32(rec(b, 1) + DCM_L_PAYLOAD_OFFSET) + m.layers[1].payload_bytes;
	CHECK_EQ(end, len - 4);
	CHECK_EQ(b[end - 1], 10);	/* zigzag(5) */
	/* a stray byte after the biases */
	bad = insert(b, len, end, &zero, 1, &len2);
	add32(rec(bad, 1) + DCM_L_PAYLOAD_BYTES, 1);
	add32(rec(bad, 1) + DCM_L_BIAS_BYTES, 1);
	reseal(bad, len2);
	refused_buf(bad, len2, "layer 1 (bitplane): 1 stray bytes after the biases");
	/* 5 as 0x8a 0x00: a varint longer than it needs to be */
	bad[end - 1] = 0x8a;
	reseal(bad, len2);
	refused_buf(bad, len2, "layer 1 (bitplane): bias 15 takes 2 bytes, its shortest form 1");
	/* and one cut short */
	bad[end] = 0x80;
	reseal(bad, len2);
	refused_buf(bad, len2, "layer 1 (bitplane): bias 15 is cut short or malformed");
	free(bad);
	/* a weight plane padding bit of a convolution's tap (4 channels) */
	free(b);
	dcm_free(&m);
	model_conv_chain(&m);
	b = write_ok(&m, &len);
	if (!b)
		goto out;
	off = dcm_get32(rec(b, 2) + DCM_L_PAYLOAD_OFFSET);
	refused_byte(b, len, off + 8 * 5, 0x10, "layer 2 (bitplane_conv): weight plane word 5 has padding bits set (0x0000000000000010, past column 3)");
out:
	free(b);
	dcm_free(&m);
}

/* The layers p[0..n) as one file (relayer()): read, or with msg refused. */
static void order_read(const struct piece *p, uint32_t n, const char *msg)
{
	size_t len;
	uint8_t *f = relayer(p, n, &len);

	if (msg)
		refused_buf(f, len, msg);
	else
		CHECK_EQ(read_err(f, len, &(struct dcm_error){ "" }), 0);
	free(f);
}

/* A bit-plane layer reads a QUANT layer's planes, and only it. */
static void test_order_refused(void)
{
	/* C's QUANT layer 1 made a vector: the convolution reads a map */
	static const struct field_case as_vector[] = {
		{ 1, DCM_L_ROWS, 4, 256, NULL },
		{ 1, DCM_L_COLS, 4, 256, NULL },
		{ 1, DCM_L_CHANNELS, 4, 0, NULL },
		{ 1, DCM_L_IN_HEIGHT, 2, 0, NULL },
		{ 1, DCM_L_IN_WIDTH, 2, 0, "layer 2 (bitplane_conv) reads a map, layer 1 (quant) quantizes a vector of 256 values" },
	};
	struct dcm_model e, c, d;
	uint8_t *fe, *fc, *fd;
	size_t le, lc, ld;

	model_order(&e);
	model_conv_chain(&c);
	model_quant_map_fc(&d);
	fe = write_ok(&e, &le);
	fc = write_ok(&c, &lc);
	fd = write_ok(&d, &ld);
	if (!fe || !fc || !fd)
		goto out;
	/* the QUANT and bit-plane parts read as written, other orders do not */
	order_read((const struct piece[]){ { fe, 1 }, { fe, 2 } }, 2, NULL);
	order_read((const struct piece[]){ { fe, 2 } }, 1, "layer 0 (bitplane): a bit-plane layer is never first: it reads the planes of a QUANT layer before it");
	order_read((const struct piece[]){ { fc, 1 }, { fc, 2 } }, 2, NULL);
	order_read((const struct piece[]){ { fc, 2 }, { fc, 3 } }, 2, "layer 0 (bitplane_conv): a bit-plane layer is never first");
	order_read((const struct piece[]){ { fe, 0 }, { fe, 1 } }, 2, "layer 1 (quant) is the last layer: a QUANT layer is followed by a bit-plane layer");
	order_read((const struct piece[]){ { fe, 0 }, { fe, 2 } }, 2, "layer 1 (bitplane) follows layer 0 (fc): a bit-plane layer reads the planes of a QUANT layer");
	order_read((const struct piece[]){ { fe, 1 }, { fe, 0 } }, 2, "layer 1 (fc) follows layer 0 (quant): only a bit-plane layer reads a QUANT layer's planes");
	order_read((const struct piece[]){ { fe, 1 }, { fe, 1 }, { fe, 2 } }, 3, "layer 1 (quant) follows layer 0 (quant): only a bit-plane layer reads");
	order_read((const struct piece[]){ { fe, 1 }, { fe, 2 }, { fe, 2 } }, 3, "layer 2 (bitplane) takes 70 inputs");
	/* a quantized map of 4 channels read as a vector: not pixel-aligned */
	order_read((const struct piece[]){ { fc, 1 }, { fd, 2 } }, 2, "layer 1 (bitplane) reads layer 0's quantized map pixel by pixel: its 4 channels must be a multiple of 64");
	cases_refused(fc, lc, as_vector, sizeof(as_vector) / sizeof(as_vector[0]));
out:
	free(fe);
	free(fc);
	free(fd);
	dcm_free(&e);
	dcm_free(&c);
	dcm_free(&d);
}

/* The writer refuses what the reader would. */
static void test_writer_refuses(void)
{
	struct dcm_model m, one;
	struct dcm_error err = { "" };
	uint8_t *buf = NULL;
	size_t len;

	model_quant_first(&m);
	one = (struct dcm_model){ .layer_count = 1, .layers = &m.layers[1] };
	CHECK_EQ(dcm_write_buffer(&one, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (bitplane): a bit-plane layer is never first");
	one.layers = &m.layers[0];
	CHECK_EQ(dcm_write_buffer(&one, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (quant) is the last layer");

	m.layers[1].wplanes[0] |= (uint64_t)1 << 63;	/* 64 columns: no padding */
	free(round_trip(&m, 3, &len));
	m.layers[1].cols = 63;
	m.layers[0].rows = m.layers[0].cols = 63;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (bitplane): weight plane word 0 has padding bits set (0x8000000000000000, past column 62)");
	m.layers[1].cols = 64;
	m.layers[0].rows = m.layers[0].cols = 64;

	m.layers[1].a_kind = SIGNED;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (bitplane): a_kind 1 is not layer 0's a_kind 0");
	m.layers[1].a_kind = UNSIGNED;
	m.layers[0].thr[5] = (int16_t)(m.layers[0].thr[4] - 1);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (quant): quantizer thresholds must not decrease");
	m.layers[0].thr[5] = m.layers[0].thr[4];
	m.layers[0].codes[7] = 8;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (quant): quantizer code 7 is 8, not below 2^3");
	m.layers[0].codes[7] = 7;
	m.layers[0].bias = m.layers[1].bias;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (quant): a quantizer has no PEs, weight fields, ReLU, bias");
	m.layers[0].bias = NULL;
	{
		int16_t *keep = m.layers[1].a_basis;

		m.layers[1].a_basis = NULL;
		CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
		CHECK_STR_CONTAINS(err.msg, "layer 1 (bitplane): a bit-plane layer needs its weight planes and both bases");
		m.layers[1].a_basis = keep;
	}
	{
		uint8_t *keep = m.layers[0].codes;

		m.layers[0].codes = NULL;
		CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
		CHECK_STR_CONTAINS(err.msg, "layer 0 (quant): an output quantizer needs its thresholds and codes");
		m.layers[0].codes = keep;
	}
	m.layers[1].wbits = 4;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (bitplane): wbits 4");
	m.layers[1].wbits = 0;
	free(round_trip(&m, 3, &len));
	dcm_free(&m);

	/* an FC layer with bit-plane fields would lose them */
	model_fc_chain(&m);
	m.layers[5].a_kind = SIGNED;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 5 (fc): bit-plane fields set");
	dcm_free(&m);
}

/*
 * Every shorter file is refused: cut, and cut with the size and CRC made
 * right again (the reader then meets the cut table or payloads).
 */
static void test_truncated_refused(void)
{
	void (*const models[])(struct dcm_model *) = {
		model_fc_chain, model_quant_first, model_conv_chain,
		model_quant_map_fc,
	};

	for (size_t k = 0; k < sizeof(models) / sizeof(models[0]); k++) {
		struct dcm_model m;
		struct dcm_error err = { "" };
		uint8_t *b, *cut;
		size_t len;
		unsigned int accepted = 0, named = 0;

		models[k](&m);
		b = write_ok(&m, &len);
		if (!b) {
			dcm_free(&m);
			continue;
		}
		cut = malloc(len);
		for (size_t n = 0; n < len; n++) {
			accepted += read_err(b, n, &err) == 0;
			named += strstr(err.msg, n < 28 ? "shorter than a .dcm header" :
					"truncated") != NULL;
			if (n < 28)
				continue;
			memcpy(cut, b, n - 4);
			dcm_put32(cut + DCM_H_FILE_BYTES, (uint32_t)n);
			reseal(cut, n);
			accepted += read_err(cut, n, &err) == 0;
		}
		CHECK_EQ(accepted, 0);
		CHECK_EQ(named, len);
		free(cut);
		free(b);
		dcm_free(&m);
	}
}

/* Every byte of every record changed: read or refused, never a crash. */
static void test_record_bytes_mutated(void)
{
	struct dcm_model m;
	uint8_t *b, *bad;
	size_t len;

	model_conv_chain(&m);
	b = write_ok(&m, &len);
	if (!b)
		goto out;
	bad = malloc(len);
	for (size_t at = 0; at < DCM_HEADER_BYTES + 5 * REC; at++)
		for (unsigned int x = 1; x < 256; x <<= 1) {
			struct dcm_model back;
			struct dcm_error err = { "" };

			memcpy(bad, b, len);
			bad[at] ^= (uint8_t)x;
			reseal(bad, len);
			if (!dcm_read_buffer(bad, len, &back, &err)) {
				datapath_accepts(&back);
				dcm_free(&back);
			} else {
				CHECK(err.msg[0] != 0);
			}
		}
	free(bad);
out:
	free(b);
	dcm_free(&m);
}

/* DCM_V3_SEEDS=DIR: the models as seeds for fuzz_dcm_read. */
static void write_seeds(void)
{
	static const struct {
		const char *name;
		void (*make)(struct dcm_model *);
	} seeds[] = {
		{ "v3-fc-quant-bitplane.dcm", model_fc_chain },
		{ "v3-quant-first.dcm", model_quant_first },
		{ "v3-conv-quant-bitplane-conv.dcm", model_conv_chain },
		{ "v3-conv-quantmap-bitplane.dcm", model_quant_map_fc },
	};
	const char *dir = getenv("DCM_V3_SEEDS");

	for (size_t k = 0; dir && k < sizeof(seeds) / sizeof(seeds[0]); k++) {
		struct dcm_model m;
		struct dcm_error err = { "" };
		char path[4096];

		seeds[k].make(&m);
		snprintf(path, sizeof(path), "%s/%s", dir, seeds[k].name);
		CHECK_EQ(dcm_write_file(&m, path, &err), 0);
		DIAG("wrote %s (%u bytes)", path, m.file_bytes);
		dcm_free(&m);
	}
}

static const struct tap_test tests[] = {
	TAP_TEST(test_fc_quant_bitplane_round_trip),
	TAP_TEST(test_quant_first_round_trip),
	TAP_TEST(test_conv_quant_bitplane_conv_round_trip),
	TAP_TEST(test_version_picked),
	TAP_TEST(test_bitplane_fields_refused),
	TAP_TEST(test_bitplane_conv_fields_refused),
	TAP_TEST(test_quant_fields_refused),
	TAP_TEST(test_payloads_refused),
	TAP_TEST(test_order_refused),
	TAP_TEST(test_writer_refuses),
	TAP_TEST(test_truncated_refused),
	TAP_TEST(test_record_bytes_mutated),
	TAP_TEST(write_seeds),
};

TAP_MAIN(tests)
