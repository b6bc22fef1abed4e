// SPDX-License-Identifier: MIT
/*
 * libaccel on CNN graphs without a device: loading conv, pool and FC
 * layers, what accel_model_layer_shape() and accel_model_layer() say of
 * them, the CPU reference against the spec's reference layers run one
 * input at a time (bit for bit), graphs whose layers do not follow one
 * another refused with the layer and field named, corrupted images.
 */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "tap.h"
#include "rng.h"
#include <dcaccel/accel.h>
#include "../../userspace/dcm/dcm.h"
#include "../../userspace/common/q15.h"
#include "dcm_cnn_fixture.h"
#include "dcm_graph_reference.h"

/* A fixture serialized to *buf. */
static void make_image(void (*fixture)(struct dcm_model *, uint64_t),
		       uint64_t seed, uint8_t **buf, size_t *len)
{
	struct dcm_model m;
	struct dcm_error err;

	fixture(&m, seed);
	if (dcm_write_buffer(&m, buf, len, &err))
		DIAG("dcm_write_buffer: %s", err.msg);
	dcm_free(&m);
}

static void test_lenet_describes(void)
{
	static const struct {
		uint32_t kind, ic, ih, iw, oc, oh, ow;
	} want[LENET_FIXTURE_LAYERS] = {
		{ ACCEL_LAYER_CONV, 1, 16, 16, 6, 12, 12 },
		{ ACCEL_LAYER_POOL, 6, 12, 12, 6, 6, 6 },
		{ ACCEL_LAYER_CONV, 6, 6, 6, 8, 6, 6 },
		{ ACCEL_LAYER_POOL, 8, 6, 6, 8, 3, 3 },
		{ ACCEL_LAYER_FC, 72, 1, 1, 32, 1, 1 },
		{ ACCEL_LAYER_FC, 32, 1, 1, 10, 1, 1 },
	};
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct accel_layer_shape sh;
	struct accel_layer_info li;
	struct accel_error err;
	float *w = malloc(8 * 54 * sizeof(float)), b[8];
	uint8_t *buf;
	size_t len;
	int bad = 0;

	make_image(dcm_cnn_fixture_lenet, 1, &buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "lenet", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_model_info(m, &mi, &err), ACCEL_OK);
	CHECK_EQ(mi.layer_count, LENET_FIXTURE_LAYERS);
	CHECK_EQ(mi.inputs, LENET_FIXTURE_INPUTS);
	CHECK_EQ(mi.outputs, LENET_FIXTURE_OUTPUTS);
	for (uint32_t i = 0; i < LENET_FIXTURE_LAYERS; i++) {
		CHECK_EQ(accel_model_layer_shape(m, i, &sh, &err), ACCEL_OK);
		bad += sh.kind != want[i].kind || sh.in_channels != want[i].ic ||
		       sh.in_height != want[i].ih || sh.in_width != want[i].iw ||
		       sh.out_channels != want[i].oc || sh.out_height != want[i].oh ||
		       sh.out_width != want[i].ow ||
		       sh.inputs != want[i].ic * want[i].ih * want[i].iw ||
		       sh.outputs != want[i].oc * want[i].oh * want[i].ow ||
		       sh.in_frac != (i ? 10 : 14) || sh.out_frac != 10 || sh.work == 0;
	}
	CHECK_EQ(bad, 0);
	/* the windows, the pooling modes, the ReLUs */
	CHECK_EQ(accel_model_layer_shape(m, 2, &sh, &err), ACCEL_OK);
	CHECK(sh.kernel_h == 3 && sh.kernel_w == 3 && sh.stride_h == 1 && sh.pad_w == 1);
	CHECK_EQ(sh.relu, 1);
	CHECK_EQ(accel_model_layer_shape(m, 1, &sh, &err), ACCEL_OK);
	CHECK_EQ(sh.pool_mode, ACCEL_POOL_MAX);
	CHECK(sh.kernel_h == 2 && sh.stride_w == 2 && sh.pad_h == 0);
	CHECK_EQ(accel_model_layer_shape(m, 3, &sh, &err), ACCEL_OK);
	CHECK_EQ(sh.pool_mode, ACCEL_POOL_AVG);
	CHECK_EQ(accel_model_layer_shape(m, 5, &sh, &err), ACCEL_OK);
	CHECK(sh.relu == 0 && sh.kernel_h == 0);
	/* a convolution's filters are K x C R S; a pooling has no weights */
	CHECK_EQ(accel_model_layer(m, 2, &li, &err), ACCEL_OK);
	CHECK(li.rows == 8 && li.cols == 54 && li.pes == 4 && li.nonzeros > 0);
	CHECK_EQ(accel_model_layer(m, 3, &li, &err), ACCEL_OK);
	CHECK(li.rows == 0 && li.cols == 0 && li.nonzeros == 0 && li.payload_bytes == 0);
	CHECK_EQ(accel_model_dense(m, 2, w, b, &err), ACCEL_OK);
	CHECK_EQ(accel_model_dense(m, 3, w, b, &err), ACCEL_OK);
	/* bad arguments */
	CHECK_EQ(accel_model_layer_shape(m, 6, &sh, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "layer 6, the model has 6");
	CHECK_EQ(accel_model_layer_shape(m, 0, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_layer_shape(NULL, 0, &sh, &err), ACCEL_E_INVALID);
	accel_model_free(m);
	free(buf);
	free(w);
}

/*
 * accel_infer on the CPU against the reference layers, one input at a
 * time, for both fixtures (strides 1 and 2, padding, max and average
 * pooling, ReLU or not) and more inputs than one pass through the layers.
 */
static void cpu_matches_reference(void (*fixture)(struct dcm_model *, uint64_t),
				  uint64_t seed)
{
	const uint32_t n = 300;
	struct accel_model *m = NULL;
	struct dcm_model dm;
	struct dcm_error de;
	struct accel_error err;
	struct accel_stats st;
	uint8_t *buf;
	size_t len;
	uint32_t inputs, outputs, bad = 0, nonzero = 0;
	uint64_t widest;
	float *x, *out;
	int16_t *q, *y, *a, *b;
	float scale;

	make_image(fixture, seed, &buf, &len);
	CHECK_EQ(dcm_read_buffer(buf, len, &dm, &de), 0);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "cnn", &m, &err), ACCEL_OK);
	inputs = (uint32_t)dcm_layer_inputs(&dm.layers[0]);
	outputs = (uint32_t)dcm_layer_outputs(&dm.layers[dm.layer_count - 1]);
	widest = dcm_reference_widest(&dm);
	x = dcm_fixture_inputs(n, inputs, 0.33, seed + 100);
	out = malloc((size_t)n * outputs * sizeof(float));
	q = malloc(inputs * sizeof(int16_t));
	y = malloc(outputs * sizeof(int16_t));
	a = malloc(widest * sizeof(int16_t));
	b = malloc(widest * sizeof(int16_t));
	scale = 1.0f / (float)(1u << dm.layers[dm.layer_count - 1].out_frac);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, n, x, out, &st, &err), ACCEL_OK);
	for (uint32_t v = 0; v < n; v++) {
		for (uint32_t k = 0; k < inputs; k++)
			q[k] = to_q15(x[(size_t)v * inputs + k], dm.layers[0].in_frac);
		dcm_reference_run(&dm, q, y, a, b);
		for (uint32_t k = 0; k < outputs; k++) {
			bad += out[(size_t)v * outputs + k] != (float)y[k] * scale;
			nonzero += y[k] != 0;
		}
	}
	CHECK_EQ(bad, 0);
	CHECK(nonzero > n);	/* not a network of zeros */
	CHECK(st.macs > 0 && st.nonzero_acts > 0 && st.entries >= st.macs);
	CHECK_EQ(st.jobs, 0);
	CHECK_EQ(st.cycles, 0);
	dcm_free(&dm);
	accel_model_free(m);
	free(buf);
	free(x);
	free(out);
	free(q);
	free(y);
	free(a);
	free(b);
}

static void test_cpu_matches_reference(void)
{
	cpu_matches_reference(dcm_cnn_fixture_lenet, 2);
	cpu_matches_reference(dcm_cnn_fixture_lenet, 3);
	cpu_matches_reference(dcm_cnn_fixture, 5);
}

/* Set a byte of layer i's record and make the CRC right again. */
static void patch_record(uint8_t *buf, size_t len, uint32_t layer,
			 uint32_t offset, uint8_t value)
{
	uint32_t crc;

	buf[DCM_HEADER_BYTES + layer * DCM_LAYER_BYTES + offset] = value;
	crc = (uint32_t)crc32(0, buf, (uInt)(len - 4));
	dcm_put32(buf + len - 4, crc);
}

/*
 * A layer that does not take what the one before gives is refused,
 * naming both layers and the field (and nothing is returned).
 */
static void test_inconsistent_graphs(void)
{
	static const struct {
		uint32_t layer, offset;
		uint8_t value;
		const char *msg;
	} cases[] = {
		/* in_frac of conv2 (layer 2) against pool1's out_frac */
		{ 2, 14, 11, "bad.dcm: layer 2 (conv): in_frac 11 is not layer 1's out_frac 10" },
		/* channels of pool2 (layer 3): 7 where conv2 gives 8 */
		{ 3, 56, 7, "bad.dcm: layer 3 (pool) takes 252 inputs (7 x 6 x 6) but layer 2 (conv) gives 288 (8 x 6 x 6)" },
		/* height of pool1: 13 where conv1 gives 12 */
		{ 1, 60, 13, "layer 1 (pool) takes 936 inputs (6 x 13 x 12) but layer 0 (conv) gives 864" },
	};
	uint8_t *buf;
	size_t len;

	make_image(dcm_cnn_fixture_lenet, 4, &buf, &len);
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		uint8_t *copy = malloc(len);
		struct accel_model *m = (void *)1;
		struct accel_error err = { "" };

		memcpy(copy, buf, len);
		patch_record(copy, len, cases[c].layer, cases[c].offset, cases[c].value);
		CHECK_EQ(accel_model_load_buffer(NULL, copy, len, "bad.dcm", &m, &err),
			 ACCEL_E_MODEL);
		CHECK(m == NULL);
		CHECK_STR_CONTAINS(err.msg, cases[c].msg);
		free(copy);
	}
	free(buf);
}

/* Every flipped byte of a CNN image is refused with a message. */
static void test_corrupted(void)
{
	uint8_t *buf;
	size_t len;
	int accepted = 0, wrong = 0;

	make_image(dcm_cnn_fixture_lenet, 5, &buf, &len);
	for (size_t at = 0; at < len; at++) {
		uint8_t *copy = malloc(len);
		struct accel_model *m = NULL;
		struct accel_error err = { "" };
		int st;

		memcpy(copy, buf, len);
		copy[at] ^= 0x21;
		st = accel_model_load_buffer(NULL, copy, len, "flip.dcm", &m, &err);
		if (st == ACCEL_OK) {
			float x[LENET_FIXTURE_INPUTS] = { 0 }, y[LENET_FIXTURE_OUTPUTS];

			accepted++;
			accel_infer(m, ACCEL_BACKEND_CPU, 1, x, y, NULL, NULL);
			accel_model_free(m);
		} else if (st != ACCEL_E_MODEL || !strstr(err.msg, "flip.dcm")) {
			wrong++;
		}
		free(copy);
	}
	CHECK_EQ(accepted, 0);
	CHECK_EQ(wrong, 0);
	free(buf);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_lenet_describes),
	TAP_TEST(test_cpu_matches_reference),
	TAP_TEST(test_inconsistent_graphs),
	TAP_TEST(test_corrupted),
};

TAP_MAIN(tests)
