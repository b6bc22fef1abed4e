// SPDX-License-Identifier: MIT
/* The weight plots: a real PNG from gnuplot, and clear errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../userspace/dcc/plot.h"
#include "tap.h"

static void writes_a_png(void)
{
	char dir[] = "/tmp/dcc-plot-test-XXXXXX", path[64];
	float before[1000], after[100], cent[3] = { -0.5f, 0.1f, 0.4f };
	unsigned char sig[8] = { 0 };
	struct dcc_error err = { "" };
	FILE *f;

	for (int i = 0; i < 1000; i++)
		before[i] = (float)(i - 500) / 1000.0f;
	for (int i = 0; i < 100; i++)
		after[i] = before[i * 10] * (i % 2 ? 1 : -1);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/fc1.png", dir);
	CHECK_EQ(plot_weights(path, "fc1: a test", before, 1000, after, 100,
			      cent, 3, &err), 0);
	if (err.msg[0])
		DIAG("%s", err.msg);
	f = fopen(path, "rb");
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ(fread(sig, 1, 8, f), 8);
		fclose(f);
	}
	CHECK(!memcmp(sig, "\x89PNG\r\n\x1a\n", 8));
	unlink(path);
	rmdir(dir);
}

static void refuses_quotes_and_bad_directories(void)
{
	const float w[2] = { -1, 1 };
	struct dcc_error err = { "" };

	CHECK(plot_weights("/tmp/it's.png", "t", w, 2, w, 2, w, 1, &err) != 0);
	CHECK_STR_CONTAINS(err.msg, "contains a quote");
	CHECK(plot_weights("/nonexistent-dir/x.png", "t", w, 2, w, 2, w, 1,
			   &err) != 0);
	CHECK_STR_CONTAINS(err.msg, "cannot write /nonexistent-dir/x.png");
}

static const struct tap_test tests[] = {
	TAP_TEST(writes_a_png),
	TAP_TEST(refuses_quotes_and_bad_directories),
};

TAP_MAIN(tests)
