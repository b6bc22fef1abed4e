// SPDX-License-Identifier: MIT
/*
 * A short run of the whole pipeline on a small Fashion-MNIST subset (the
 * Debian package dataset-fashion-mnist): training must beat chance (10%)
 * by a wide margin, and the fixed-point model run on the EIE engine must
 * agree with its fp32 quantized twin.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../userspace/dcc/compress.h"
#include "../../userspace/dcc/fixedpoint.h"

#define DATA "/usr/share/datasets/fashion-mnist"

static void test_subset_pipeline(void)
{
	const uint32_t sizes[4] = { 784, 100, 50, 10 };
	struct dataset train, test;
	struct dcc_error err;
	struct train_opts o;
	struct dcm_model dm;
	const double quality[1] = { 0.7 };
	const unsigned int bits[1] = { 4 };
	struct net m;
	double dense, quant, fixed;

	if (dataset_load_dir(DATA, "train", 3000, &train, &err)) {
		DIAG("%s (scripts/deps/dcc.list installs dataset-fashion-mnist)", err.msg);
		CHECK(0);
		return;
	}
	CHECK_EQ(dataset_load_dir(DATA, "t10k", 1000, &test, &err), 0);
	CHECK_EQ(train.count, 3000);
	CHECK_EQ(train.dim, 784);
	CHECK_EQ(net_build_mlp(&m, sizes, 3, &err), 0);
	net_init_weights(&m, 1);
	train_opts_default(&o);
	o.epochs = 4;
	CHECK(net_train(&m, &train, &o, &err) > 0);
	dense = net_accuracy(&m, &test);
	DIAG("dense accuracy on 1000 test images: %.1f%%", dense);
	CHECK(dense > 65.0);

	CHECK_EQ(pass_prune(&m, quality, 1, 1.0, &err), 0);
	o.epochs = 1;
	o.lr = 0.01f;
	CHECK(net_train(&m, &train, &o, &err) > 0);
	CHECK_EQ(pass_quantize(&m, bits, 1, &err), 0);
	CHECK(net_train(&m, &train, &o, &err) > 0);
	quant = net_accuracy(&m, &test);
	CHECK_EQ(fixedpoint_build(&m, &train, 16, 0, &dm, &err), 0);
	fixed = fixedpoint_accuracy(&dm, &test, NULL, &err);
	DIAG("pruned+quantized fp32 %.1f%%, fixed point on the engine %.1f%%",
	     quant, fixed);
	CHECK(quant > 60.0);
	CHECK(fabs(quant - fixed) < 2.0);
	for (uint32_t i = 0; i < dm.layer_count; i++) {
		CHECK_EQ(dm.layers[i].codebook[0], 0);
		CHECK_EQ(dm.layers[i].in_frac + dm.layers[i].w_frac >=
			 dm.layers[i].out_frac, 1);
		if (i)
			CHECK_EQ(dm.layers[i].in_frac, dm.layers[i - 1].out_frac);
	}
	CHECK_EQ(dm.layers[0].in_frac, 14);	/* pixels in [0, 1] */
	dcm_free(&dm);
	net_free(&m);
	dataset_free(&train);
	dataset_free(&test);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_subset_pipeline),
};

TAP_MAIN(tests)
