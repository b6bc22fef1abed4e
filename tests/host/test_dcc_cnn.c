// SPDX-License-Identifier: MIT
/*
 * CNNs end to end: a small CNN trained on a Fashion-MNIST subset, pruned,
 * weight-shared and converted to a .dcm graph; what dcc reports as the
 * device's output (the datapath's host entry points) must equal, bit for
 * bit, the spec's reference convolution, pooling and FC layer computed
 * from the codebook indices alone, before and after the .dcm round trip.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "dcm_graph_reference.h"
#include "dcm_cnn_fixture.h"
#include "dcaccel/dcaccel_hw.h"
#include "../../userspace/dcc/compress.h"
#include "../../userspace/dcc/fixedpoint.h"
#include "../../userspace/common/q15.h"

#define DATA "/usr/share/datasets/fashion-mnist"

/* dcc's datapath run of `count` inputs against the reference, exactly. */
static int mismatches(const struct dcm_model *m, const int16_t *in,
		      uint32_t count)
{
	uint64_t inputs = dcm_layer_inputs(&m->layers[0]);
	uint64_t widest = dcm_reference_widest(m);
	uint64_t classes = dcm_layer_outputs(&m->layers[m->layer_count - 1]);
	int16_t *got, *want, *a, *b;
	struct dcc_error err;
	int bad = 0;

	got = malloc(count * classes * sizeof(int16_t));
	want = malloc(classes * sizeof(int16_t));
	a = malloc(widest * sizeof(int16_t));
	b = malloc(widest * sizeof(int16_t));
	if (fixedpoint_run(m, in, count, got, NULL, &err)) {
		DIAG("%s", err.msg);
		bad = -1;
	}
	for (uint32_t r = 0; !bad && r < count; r++) {
		dcm_reference_run(m, in + r * inputs, want, a, b);
		bad += memcmp(want, got + r * classes, classes * sizeof(int16_t)) != 0;
	}
	free(got);
	free(want);
	free(a);
	free(b);
	return bad;
}

/* The fixture's strides, padding and pooling, random inputs. */
static void test_fixture_bit_exact(void)
{
	struct dcm_model m, back;
	struct dcm_error de;
	int16_t in[20 * CNN_FIXTURE_INPUTS];
	uint64_t s = 5;
	uint8_t *buf;
	size_t len;

	dcm_cnn_fixture(&m, 3);
	for (uint32_t i = 0; i < m.layer_count; i++)
		CHECK_EQ(dcm_layer_encode(&m.layers[i], &de), 0);
	for (size_t k = 0; k < sizeof(in) / sizeof(in[0]); k++)
		in[k] = (int16_t)(rng_next(&s) % 4 ? (int64_t)(rng_next(&s) % 20000) - 10000 : 0);
	CHECK_EQ(mismatches(&m, in, 20), 0);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &de), 0);
	CHECK_EQ(dcm_read_buffer(buf, len, &back, &de), 0);
	CHECK_EQ(mismatches(&back, in, 20), 0);
	dcm_free(&back);
	dcm_free(&m);
	free(buf);
}

static void test_small_cnn_pipeline(void)
{
	static const double quality[] = { 0.5, 1.0 };
	static const unsigned int bits[] = { 6, 4 };
	struct dataset train, test;
	struct dcc_error err;
	struct train_opts o;
	struct dcm_model dm;
	struct net n;
	int16_t *in;
	double dense, quant, fixed;

	if (dataset_load_dir(DATA, "train", 2000, &train, &err)) {
		DIAG("%s (scripts/deps/dcc.list installs dataset-fashion-mnist)", err.msg);
		CHECK(0);
		return;
	}
	CHECK_EQ(dataset_load_dir(DATA, "t10k", 300, &test, &err), 0);
	CHECK_EQ(net_build(&n, "in=1x28x28,conv6x5x5/s2/p2,relu,maxpool2,flatten,fc10", &err), 0);
	net_init_weights(&n, 1);
	train_opts_default(&o);
	o.epochs = 3;
	o.batch = 64;
	CHECK(net_train(&n, &train, &o, &err) > 0);
	dense = net_accuracy(&n, &test);
	CHECK_EQ(pass_prune(&n, quality, 2, 1.0, &err), 0);
	o.epochs = 1;
	o.lr = 0.01f;
	CHECK(net_train(&n, &train, &o, &err) > 0);
	CHECK(n.l[0].wt.mask && weights_density(&n.l[0].wt) < 0.8);
	CHECK_EQ(pass_quantize(&n, bits, 2, &err), 0);
	CHECK_EQ(n.l[0].wt.bits, 6);	/* conv and fc bits apart */
	CHECK_EQ(n.l[4].wt.bits, 4);
	CHECK(net_train(&n, &train, &o, &err) > 0);
	quant = net_accuracy(&n, &test);
	CHECK_EQ(fixedpoint_build(&n, &train, 8, 0, &dm, &err), 0);
	CHECK_EQ(dm.layer_count, 3);	/* conv+relu, pool, fc; flatten is no op */
	CHECK(dm.layers[0].kind == DCM_CONV && dm.layers[0].relu);
	CHECK(dm.layers[1].kind == DCM_POOL && dm.layers[1].out_frac == dm.layers[1].in_frac);
	CHECK(dm.layers[2].kind == DCM_FC && !dm.layers[2].relu && dm.layers[2].cols == 6 * 7 * 7);
	fixed = fixedpoint_accuracy(&dm, &test, NULL, &err);
	DIAG("dense %.1f%%, quantized fp32 %.1f%%, fixed point on the datapath %.1f%%",
	     dense, quant, fixed);
	CHECK(dense > 65.0);
	CHECK(fabs(quant - fixed) < 3.0);
	in = malloc((size_t)50 * 784 * sizeof(int16_t));
	for (size_t k = 0; k < 50 * 784; k++)
		in[k] = to_q15(test.x[k], dm.layers[0].in_frac);
	CHECK_EQ(mismatches(&dm, in, 50), 0);
	free(in);
	dcm_free(&dm);
	net_free(&n);
	dataset_free(&train);
	dataset_free(&test);
}

/* A network the device cannot run is refused before training. */
static void test_device_mapping_refused(void)
{
	struct dcc_error err;
	struct net n;

	CHECK_EQ(net_build(&n, "in=1x8x8,conv2x3x3,maxpool2,relu,flatten,fc10", &err), 0);
	CHECK_EQ(fixedpoint_check(&n, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "relu1: the device applies ReLU in the fc or conv op before it, not after pool1");
	net_free(&n);
	CHECK_EQ(net_build(&n, "in=1x8x8,conv2x3x3,relu,maxpool2,flatten,fc10", &err), 0);
	CHECK_EQ(fixedpoint_check(&n, &err), 0);
	net_free(&n);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_device_mapping_refused),
	TAP_TEST(test_fixture_bit_exact),
	TAP_TEST(test_small_cnn_pipeline),
};

TAP_MAIN(tests)
