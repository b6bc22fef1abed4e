// SPDX-License-Identifier: MIT
/*
 * dcc's whole pipeline as a user runs it, on a narrow MLP and a slice of
 * Fashion-MNIST: `compress` with and without structured pruning, and the
 * stages one by one (train, shrink, prune, quantize, encode), each
 * writing what the next reads and the last a .dcm that `info` accepts;
 * a bit-plane method's model (.dcm version 3) through dcc and through
 * dcaccel's CPU reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "run_tool.h"

#define ARGS(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define SMALL "--epochs", "1", "--train-limit", "2000", "--test-limit", "500", \
	"--prune-iters", "1", "--retrain-epochs", "1", "--finetune-epochs", "1"

static char dir[] = "/tmp/dcc-pipeline-XXXXXX";

static const char *at(const char *name)
{
	static char path[4][128];
	static int k;

	k = (k + 1) % 4;
	snprintf(path[k], sizeof(path[k]), "%s/%s", dir, name);
	return path[k];
}

static void ran(const char *const *args, const char *want)
{
	static struct tool_run r;

	CHECK_EQ(tool_run("dcc", args, false, &r), 0);
	if (r.status)
		DIAG("dcc %s: %s", args[0], r.err);
	CHECK_STR_CONTAINS(r.out, want);
}

static void test_compress(void)
{
	ran(ARGS("compress", "--layers", "784,24,16,10", SMALL, "-o", at("a.dcm")),
	    "read back and checked: streams identical");
	ran(ARGS("compress", "--layers", "784,24,16,10", SMALL, "--structure", "l1",
		 "--level", "0.5", "-o", at("b.dcm")), "shrunk by l1 at level 0.50");
	ran(ARGS("info", at("b.dcm"), "--test-limit", "500"), "fc1");
	ran(ARGS("info", at("b.dcm"), "--test-limit", "50"),
	    "device cycle model, per inference over 50 test images: fc ");
	ran(ARGS("compress", "--layers", "784,24,16,10", SMALL, "--structure", "slim",
		 "--sparsity-epochs", "1", "-o", at("c.dcm")), "device cycle model, per inference");
}

static void test_stages(void)
{
	ran(ARGS("train", "--layers", "784,24,16,10", SMALL, "-o", at("d.safetensors")),
	    "dense: test accuracy");
	ran(ARGS("shrink", "-i", at("d.safetensors"), "-o", at("s.safetensors"), SMALL,
		 "--structure", "nisp", "--samples", "100"), "network in=784,fc12,relu,fc8,relu,fc10");
	/* the shrunk file names its network: no --layers needed from here on */
	ran(ARGS("prune", "-i", at("s.safetensors"), "-o", at("p.safetensors"), SMALL), "pruned:");
	ran(ARGS("quantize", "-i", at("p.safetensors"), "-o", at("q.safetensors"), SMALL),
	    "quantized:");
	ran(ARGS("encode", "-i", at("q.safetensors"), "-o", at("e.dcm"), SMALL),
	    "read back and checked: streams identical");
}

/*
 * XNOR-Net from a dense model to a version-3 .dcm that dcc reports and
 * dcaccel benchmarks on its CPU reference (no dense row: planes have no
 * float form).
 */
static void test_bitplane_model(void)
{
	static struct tool_run r;

	ran(ARGS("train", "--layers", "784,24,16,10", SMALL, "-o", at("x.safetensors")),
	    "dense: test accuracy");
	ran(ARGS("lowbit", "--lowbit", "xnor", "--lowbit-final", "1", SMALL,
		 "-i", at("x.safetensors"), "-o", at("xq.safetensors")), "xnor: test accuracy");
	ran(ARGS("encode", "-i", at("xq.safetensors"), "-o", at("x.dcm"), SMALL),
	    "wbits=1,1,8 abits=8,1,8");
	ran(ARGS("info", at("x.dcm"), "--test-limit", "50"), "bfc2");
	CHECK_EQ(tool_run("dcaccel", ARGS("bench", at("x.dcm"), "--no-device",
					  "--backends", "cpu,dense", "--batches", "1,4",
					  "--iters", "3"), false, &r), 0);
	CHECK_EQ(r.status, 0);
	CHECK_STR_CONTAINS(r.err, "has bit-plane layers: no dense-float row");
	CHECK_STR_CONTAINS(r.out, "cpu-reference       4");
	CHECK(strstr(r.out, "dense") == NULL);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_compress),
	TAP_TEST(test_stages),
	TAP_TEST(test_bitplane_model),
};

int main(void)
{
	char cmd[160];
	int ret;

	if (!mkdtemp(dir))
		return 1;
	ret = tap_run(tests, sizeof(tests) / sizeof(tests[0]));
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd))
		ret = 1;
	return ret;
}
