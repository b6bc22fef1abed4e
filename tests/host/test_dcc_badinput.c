// SPDX-License-Identifier: MIT
/*
 * Bad input files give clear errors, never a crash: truncated IDX, wrong
 * magic, wrong shapes, corrupted .dcm, bad .npy and .safetensors headers.
 * Good files of each kind load with the right shapes and values.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "../../userspace/dcc/idx.h"
#include "../../userspace/dcc/model_io.h"
#include "../../userspace/dcm/dcm.h"

static char dir[64];

static const char *put_file(const char *name, const void *data, size_t len)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
	return path;
}

/* An IDX image file: magic, dims (big-endian), then `have` bytes. */
static const char *idx_file(const char *name, uint8_t type, uint8_t ndim,
			    const uint32_t *dims, size_t have)
{
	uint8_t buf[4096] = { 0, 0, type, ndim };
	size_t at = 4;

	for (uint8_t d = 0; d < ndim; d++, at += 4) {
		buf[at] = (uint8_t)(dims[d] >> 24);
		buf[at + 1] = (uint8_t)(dims[d] >> 16);
		buf[at + 2] = (uint8_t)(dims[d] >> 8);
		buf[at + 3] = (uint8_t)dims[d];
	}
	for (size_t k = 0; k < have; k++)
		buf[at + k] = (uint8_t)(k * 7);
	return put_file(name, buf, at + have);
}

static void test_idx_errors(void)
{
	const uint32_t img[3] = { 10, 4, 4 }, lab[1] = { 10 }, lab9[1] = { 9 };
	struct dcc_error err;
	struct dataset ds;
	char images[128];
	uint32_t dims[3];
	uint8_t *data;

	snprintf(images, sizeof(images), "%s", idx_file("img", 8, 3, img, 160));
	CHECK_EQ(idx_read(images, 3, 0, dims, &data, &err), 0);
	CHECK(dims[0] == 10 && dims[1] == 4 && dims[2] == 4);
	CHECK_EQ(data[17], (uint8_t)(17 * 7));
	free(data);
	/* the limit reads only the first items */
	CHECK_EQ(idx_read(images, 3, 3, dims, &data, &err), 0);
	CHECK_EQ(dims[0], 3);
	free(data);

	CHECK_EQ(idx_read(idx_file("trunc", 8, 3, img, 100), 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	CHECK(data == NULL);
	CHECK_EQ(idx_read(idx_file("short", 8, 3, img, 0) , 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	CHECK_EQ(idx_read(put_file("tiny", "\0\0", 2), 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	CHECK_EQ(idx_read(idx_file("magic", 0x0d, 3, img, 160), 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wrong magic");
	CHECK_EQ(idx_read(idx_file("dims", 8, 1, lab, 10), 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wrong shape");
	CHECK_EQ(idx_read(idx_file("zero", 8, 3, (uint32_t[]){ 10, 0, 4 }, 0), 3, 0,
			  dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wrong shape");
	CHECK_EQ(idx_read("/nonexistent/idx", 3, 0, dims, &data, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "cannot open");

	/* images and labels that disagree */
	CHECK_EQ(dataset_load(images, idx_file("lab9", 8, 1, lab9, 9), 0, &ds, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "10 images but");
	CHECK_EQ(dataset_load(images, idx_file("lab", 8, 1, lab, 10), 0, &ds, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "not a class 0..9");	/* bytes k*7 */
}

static size_t npy(uint8_t *buf, const char *header, const void *data, size_t n)
{
	size_t hl = strlen(header);

	memcpy(buf, "\x93NUMPY\x01\x00", 8);
	buf[8] = (uint8_t)hl;
	buf[9] = (uint8_t)(hl >> 8);
	memcpy(buf + 10, header, hl);
	memcpy(buf + 10 + hl, data, n);
	return 10 + hl + n;
}

static void test_npy(void)
{
	const float w[6] = { 1, 2, 3, 4, 5, 6 };
	const double b[2] = { 0.5, -0.5 };
	uint8_t buf[512];
	struct dcc_error err;
	struct tensor t;
	size_t n;

	n = npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", w, 24);
	CHECK_EQ(npy_load_buffer(buf, n, "w.npy", &t, &err), 0);
	CHECK(t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3 && t.f[4] == 5.0f);
	tensor_free(&t);
	/* Fortran order: memory 1..6 is the 2x3 matrix [[1,3,5],[2,4,6]] */
	n = npy(buf, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }", w, 24);
	CHECK_EQ(npy_load_buffer(buf, n, "w.npy", &t, &err), 0);
	CHECK(t.f[1] == 3.0f && t.f[3] == 2.0f);
	tensor_free(&t);
	n = npy(buf, "{'descr': '<f8', 'fortran_order': False, 'shape': (2,), }", b, 16);
	CHECK_EQ(npy_load_buffer(buf, n, "b.npy", &t, &err), 0);
	CHECK(t.ndim == 1 && t.f[1] == -0.5f);
	tensor_free(&t);

	CHECK_EQ(npy_load_buffer((const uint8_t *)"NUMPY", 5, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wrong magic");
	n = npy(buf, "{'descr': '<i4', 'fortran_order': False, 'shape': (2, 3), }", w, 24);
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "dtype '<i4'");
	n = npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", w, 20);
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	n = npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': 6, }", w, 24);
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "shape");
	n = npy(buf, "{'descr': '<f4', 'shape': (6,), }", w, 24);
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "fortran_order");
	n = npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", w, 24);
	buf[8] = 0xff;	/* header longer than the file */
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bad .npy header");
	n = npy(buf, "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", w, 24);
	buf[6] = 9;
	CHECK_EQ(npy_load_buffer(buf, n, "x.npy", &t, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "version");
}

/* A two-layer model from .npy files, with a shape mismatch refused. */
static void test_npy_import(void)
{
	float w1[12] = { 0 }, b1[4] = { 0 }, w2[8] = { 0 }, b2[3] = { 0 };
	uint8_t buf[512];
	char paths[4][128];
	char *argv[4] = { paths[0], paths[1], paths[2], paths[3] };
	struct dcc_error err;
	struct net m;

	snprintf(paths[0], 128, "%s", put_file("w1.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3), }", w1, 48)));
	snprintf(paths[1], 128, "%s", put_file("b1.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", b1, 16)));
	snprintf(paths[2], 128, "%s", put_file("w2.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 4), }", w2, 32)));
	snprintf(paths[3], 128, "%s", put_file("b2.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b2, 8)));
	CHECK_EQ(net_import_npy(argv, 4, false, NULL, &m, &err), 0);
	CHECK(m.count == 3 && m.l[0].wt.cols == 3 && m.l[0].wt.rows == 4 &&
	      m.l[2].wt.rows == 2);
	net_free(&m);
	CHECK_EQ(net_import_npy(argv, 3, false, NULL, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "pairs");
	snprintf(paths[3], 128, "%s", put_file("b2bad.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", b2, 12)));
	CHECK_EQ(net_import_npy(argv, 4, false, NULL, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bias of 2 values");
	/* transposed [in, out] weights do not chain without --transpose */
	CHECK_EQ(net_import_npy(argv, 4, true, NULL, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wrong shape");
}

/*
 * Conv weights in PyTorch's [out, in, kh, kw] with --net: copied as they
 * lie (the filter matrix is that array read row-major); a wrong shape is
 * refused naming the shape wanted; the network saves and loads as 4-D.
 */
static void test_conv_import(void)
{
	static const char *spec = "in=1x4x4,conv2x3x3,relu,flatten,fc3";
	float w1[18], b1[2] = { 0.5f, -0.5f }, w2[24], b2[3] = { 0 };
	uint8_t buf[1024];
	char paths[4][128], path[128];
	char *argv[4] = { paths[0], paths[1], paths[2], paths[3] };
	struct dcc_error err;
	struct net m, back;

	for (int k = 0; k < 18; k++)
		w1[k] = (float)k;
	for (int k = 0; k < 24; k++)
		w2[k] = -(float)k;
	snprintf(paths[0], 128, "%s", put_file("cw1.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 3, 3), }", w1, 72)));
	snprintf(paths[1], 128, "%s", put_file("cb1.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", b1, 8)));
	snprintf(paths[2], 128, "%s", put_file("cw2.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 8), }", w2, 96)));
	snprintf(paths[3], 128, "%s", put_file("cb2.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", b2, 12)));
	CHECK_EQ(net_import_npy(argv, 4, false, spec, &m, &err), 0);
	CHECK(m.l[0].kind == LAYER_CONV && m.l[0].wt.rows == 2 && m.l[0].wt.cols == 9);
	CHECK(m.l[0].wt.w.v[13] == 13.0f && m.l[0].wt.b.v[1] == -0.5f);
	CHECK(m.l[3].wt.w.v[23] == -23.0f);
	snprintf(path, sizeof(path), "%s/conv.safetensors", dir);
	CHECK_EQ(net_save(&m, path, &err), 0);
	CHECK_EQ(net_load(path, spec, &back, &err), 0);
	CHECK(!memcmp(back.l[0].wt.w.v, w1, sizeof(w1)));
	net_free(&back);
	/* a file dcc wrote names its network: no --net needed */
	CHECK_EQ(net_load(path, NULL, &back, &err), 0);
	CHECK(!strcmp(back.spec, spec) && !memcmp(back.l[0].wt.w.v, w1, sizeof(w1)));
	net_free(&back);
	/* files that do not (these .npy) without --net: a 4-D weight has no place */
	CHECK_EQ(net_import_npy(argv, 4, false, NULL, &back, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer0.weight: a convolution's weight: give --net");
	net_free(&m);
	snprintf(paths[0], 128, "%s", put_file("cw1bad.npy", buf, npy(buf,
		 "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 1, 3, 2), }", w1, 48)));
	CHECK_EQ(net_import_npy(argv, 4, false, spec, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer0.weight: wrong shape: layer conv1 takes a float weight of [2, 1, 3, 3]");
	/* a network with more weight layers than the files */
	snprintf(paths[0], 128, "%s/cw1.npy", dir);
	CHECK_EQ(net_import_npy(argv, 2, false, spec, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "the file has 1 weight tensors, network 'in=1x4x4,conv2x3x3,relu,flatten,fc3' more weight layers");
}

static size_t safetensors(uint8_t *buf, const char *json, const void *data,
			  size_t n)
{
	uint64_t hl = strlen(json);

	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)(hl >> (8 * i));
	memcpy(buf + 8, json, hl);
	memcpy(buf + 8 + hl, data, n);
	return 8 + hl + n;
}

static void test_safetensors(void)
{
	const float d[9] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	uint8_t buf[1024];
	struct tensor_set ts;
	struct dcc_error err;
	struct net m, back;
	size_t n;
	char path[128];

	n = safetensors(buf, "{\"__metadata__\":{\"a\":\"b\"},\"l.weight\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,24]},"
			"\"l.bias\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[24,36]}}  ", d, 36);
	CHECK_EQ(safetensors_load_buffer(buf, n, "ok", &ts, &err), 0);
	CHECK_EQ(ts.count, 2);
	CHECK_EQ(net_from_tensors(&ts, NULL, &m, &err), 0);
	CHECK(m.count == 1 && m.l[0].wt.cols == 2 && m.l[0].wt.rows == 3);
	CHECK(m.l[0].wt.w.v[5] == 6.0f && m.l[0].wt.b.v[2] == 9.0f);
	tensor_set_free(&ts);

	/* dcc's own save format round-trips, masks and codebooks included */
	m.l[0].wt.mask = calloc(6, 1);
	m.l[0].wt.mask[1] = 1;
	snprintf(path, sizeof(path), "%s/m.safetensors", dir);
	CHECK_EQ(net_save(&m, path, &err), 0);
	CHECK_EQ(net_load(path, NULL, &back, &err), 0);
	CHECK(back.l[0].wt.mask && back.l[0].wt.mask[1] == 1 && back.l[0].wt.mask[0] == 0);
	CHECK(back.l[0].wt.w.v[0] == 0.0f && back.l[0].wt.w.v[1] == 2.0f);
	net_free(&back);
	net_free(&m);

	n = safetensors(buf, "{\"x\":{\"dtype\":\"F32\",\"shape\":[3,2],\"data_offsets\":[0,20]}}", d, 24);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "data_offsets");
	n = safetensors(buf, "{\"x\":{\"dtype\":\"I32\",\"shape\":[2],\"data_offsets\":[0,8]}}", d, 8);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "dtype I32");
	n = safetensors(buf, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]", d, 8);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bad safetensors header");
	n = safetensors(buf, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", d, 8);
	buf[3] = 1;	/* header length far past the file */
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "header length");
	CHECK_EQ(safetensors_load_buffer(buf, 5, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bad safetensors header");
	n = safetensors(buf, "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],\"evil\":1}}", d, 8);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "unknown key");

	/* JSON that json-c's strict mode refuses, or of the wrong shape */
	{
		static const struct {
			const char *json, *msg;
		} bad[] = {
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8],}}",
			  "bad safetensors header" },	/* trailing comma */
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}x",
			  "unexpected character at byte 62" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} {}",
			  "unexpected character at byte 63" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
			  "shape holds '-2', not a whole number" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2.0],\"data_offsets\":[0,8]}}",
			  "not a whole number" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}",
			  "shape is not a list" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[1,1,1,1,2],\"data_offsets\":[0,8]}}",
			  "more than 4" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4,8]}}",
			  "data_offsets has 3 numbers" },
			{ "{\"x\":{\"dtype\":7,\"shape\":[2],\"data_offsets\":[0,8]}}",
			  "dtype is not a string" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[2]}}",
			  "needs dtype, shape and two data_offsets" },
			{ "{\"x\":[1,2]}", "tensor x is not an object" },
			{ "{\"__metadata__\":{\"a\":1},\"x\":{}}", "__metadata__ \"a\" is not a string" },
			{ "{\"__metadata__\":[]}", "__metadata__ is not an object" },
			{ "{\"__metadata__\":{}}", "holds no tensors" },
			{ "[1,2,3]", "not a JSON object" },
			{ "{\"x\":{\"dtype\":\"F32\",\"shape\":[[[[[2]]]]]}}", "bad safetensors header" },
			{ "{\"x\" /* c */ :{}}", "bad safetensors header" },
			{ "{\"\xff\":{}}", "bad safetensors header" },	/* not UTF-8 */
			{ "{\"x\":{\"dtype\":\"F32\"", "the JSON ends early" },
		};
		char json[256];

		for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			n = safetensors(buf, bad[k].json, d, 8);
			CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
			CHECK_STR_CONTAINS(err.msg, bad[k].msg);
			CHECK(ts.count == 0 && ts.t == NULL);
		}
		/* a name longer than a tensor's name field */
		snprintf(json, sizeof(json), "{\"%0*d\":{}}", TENSOR_NAME_MAX, 0);
		n = safetensors(buf, json, d, 8);
		CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), -1);
		CHECK_STR_CONTAINS(err.msg, "tensor name of 128 bytes");
	}
	/* escapes in names are JSON's, and padding after the object is fine */
	n = safetensors(buf, "{\"a\\u00e9\\\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}} \n\t ", d, 8);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), 0);
	CHECK(ts.count == 1 && !strcmp(ts.t[0].name, "a\xc3\xa9\"b") && ts.t[0].f[1] == 2.0f);
	tensor_set_free(&ts);

	/* loads, but is no model: the weights do not chain */
	n = safetensors(buf, "{\"a.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
			"\"a.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
			"\"b.weight\":{\"dtype\":\"F32\",\"shape\":[1,3],\"data_offsets\":[0,12]},"
			"\"b.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", d, 16);
	CHECK_EQ(safetensors_load_buffer(buf, n, "x", &ts, &err), 0);
	CHECK_EQ(net_from_tensors(&ts, NULL, &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "takes 3 inputs");
	tensor_set_free(&ts);
}

static void test_dcm_file_errors(void)
{
	struct dcm_model m;
	struct dcm_error err;

	CHECK_EQ(dcm_read_file(put_file("empty.dcm", "", 0), &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "shorter than a .dcm header");
	CHECK_EQ(dcm_read_file(put_file("text.dcm", "hello, this is not a model file", 31),
			       &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "bad magic");
	CHECK_EQ(dcm_read_file("/nonexistent.dcm", &m, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "cannot open");
}

static const struct tap_test tests[] = {
	TAP_TEST(test_idx_errors),
	TAP_TEST(test_npy),
	TAP_TEST(test_npy_import),
	TAP_TEST(test_conv_import),
	TAP_TEST(test_safetensors),
	TAP_TEST(test_dcm_file_errors),
};

int main(void)
{
	char cmd[96];
	int ret;

	snprintf(dir, sizeof(dir), "/tmp/test_dcc_badinput.XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	ret = tap_run(tests, sizeof(tests) / sizeof(tests[0]));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		ret = 1;
	return ret;
}
