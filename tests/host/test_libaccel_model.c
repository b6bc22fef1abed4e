// SPDX-License-Identifier: MIT
/*
 * libaccel without a device: loading .dcm images (good, truncated,
 * corrupted, missing), the CPU reference against the EIE engine run
 * directly, quantization as dcc does it, and every bad argument.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tap.h"
#include "rng.h"
#include <dcaccel/accel.h>
#include "../../userspace/dcm/dcm.h"
#include "../../userspace/common/q15.h"
#include "dcm_cnn_fixture.h"

/* A random sparse layer whose input format is the previous output's. */
static void make_layer(struct dcm_layer *l, uint32_t rows, uint32_t cols,
		       uint8_t in_frac, bool relu, struct rng *r)
{
	static const struct dcm_fixture_style s = { 8, 4, 0.2, 200000 };

	memset(l, 0, sizeof(*l));
	dcm_fixture_weights(l, rows, cols, in_frac, &s, r);
	l->relu = relu;
}

/* A 30 -> 40 -> 10 model serialized to *buf. */
static void make_image(uint8_t **buf, size_t *len)
{
	struct dcm_model m = { .layer_count = 2 };
	struct dcm_error err;
	struct rng r = { 42 };

	m.layers = calloc(2, sizeof(*m.layers));
	make_layer(&m.layers[0], 40, 30, 14, true, &r);
	make_layer(&m.layers[1], 10, 40, 10, false, &r);
	if (dcm_write_buffer(&m, buf, len, &err))
		printf("# dcm_write_buffer: %s\n", err.msg);
	dcm_free(&m);
}

static void test_load_describe(void)
{
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct accel_layer_info li;
	struct accel_error err;
	uint8_t *buf;
	size_t len;

	make_image(&buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "test", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_model_info(m, &mi, &err), ACCEL_OK);
	CHECK_EQ(mi.layer_count, 2);
	CHECK_EQ(mi.inputs, 30);
	CHECK_EQ(mi.outputs, 10);
	CHECK_EQ(mi.file_bytes, len);
	CHECK_EQ(mi.on_device, 0);
	CHECK_EQ(accel_model_layer(m, 1, &li, &err), ACCEL_OK);
	CHECK_EQ(li.rows, 10);
	CHECK_EQ(li.cols, 40);
	CHECK_EQ(li.pes, 8);
	CHECK_EQ(li.file_pes, 8);
	CHECK_EQ(li.relu, 0);
	CHECK(li.nonzeros > 0 && li.nonzeros <= 400);
	accel_model_free(m);
	free(buf);
}

/* The CPU reference gives what eie_run() gives on the same int16 inputs. */
static void test_cpu_matches_engine(void)
{
	const uint32_t n = 37;
	struct accel_model *m = NULL;
	struct dcm_model dm;
	struct dcm_error de;
	struct accel_error err;
	struct accel_stats st;
	struct eie_stats es = { 0 };
	uint8_t *buf;
	size_t len;
	float *x = dcm_fixture_inputs(n, 30, 0, 7), *out = malloc(n * 10 * sizeof(float));
	int16_t *q = malloc(n * 40 * sizeof(int16_t)), *h = malloc(n * 40 * sizeof(int16_t));
	int16_t *y = malloc(n * 40 * sizeof(int16_t));
	struct eie_layer v[2];
	void *ws;
	size_t wsz = 8;

	make_image(&buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "test", &m, &err), ACCEL_OK);
	CHECK_EQ(dcm_read_buffer(buf, len, &dm, &de), 0);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, n, x, out, &st, &err), ACCEL_OK);
	for (int i = 0; i < 2; i++) {
		dcm_layer_view(&dm.layers[i], &v[i]);
		if (eie_run_ws_size(&v[i]) > wsz)
			wsz = eie_run_ws_size(&v[i]);
	}
	ws = aligned_alloc(8, (wsz + 7) & ~(size_t)7);
	for (size_t k = 0; k < (size_t)n * 30; k++)
		q[k] = to_q15(x[k], v[0].in_frac);
	eie_run(&v[0], n, q, h, ws, &es);
	eie_run(&v[1], n, h, y, ws, &es);
	for (size_t k = 0; k < (size_t)n * 10; k++)
		CHECK(out[k] == (float)y[k] / (float)(1u << v[1].out_frac));
	CHECK_EQ(st.macs, es.macs);
	CHECK_EQ(st.entries, es.entries);
	CHECK_EQ(st.nonzero_acts, es.nonzero_acts);
	CHECK_EQ(st.jobs, 0);
	/* quantization is dcc's to_q15 of the float */
	CHECK_EQ(accel_quantize(m, n, x, h, &err), ACCEL_OK);
	CHECK(!memcmp(h, q, (size_t)n * 30 * sizeof(int16_t)));
	dcm_free(&dm);
	accel_model_free(m);
	free(ws);
	free(buf);
	free(x);
	free(out);
	free(q);
	free(h);
	free(y);
}

static void test_truncated(void)
{
	struct accel_model *m;
	struct accel_error err;
	uint8_t *buf;
	size_t len;
	int bad = 0;

	make_image(&buf, &len);
	for (size_t cut = 0; cut < len; cut++) {
		uint8_t *copy = malloc(cut ? cut : 1);

		memcpy(copy, buf, cut);
		m = (void *)1;
		err.msg[0] = 0;
		if (accel_model_load_buffer(NULL, copy, cut, "cut.dcm", &m, &err) != ACCEL_E_MODEL ||
		    m != NULL || !strstr(err.msg, "cut.dcm"))
			bad++;
		free(copy);
	}
	CHECK_EQ(bad, 0);
	free(buf);
}

/*
 * A version-2 graph with convolution and pooling loads (test_libaccel_cnn
 * runs it); the same layers as an MLP in a version-1 file still load.
 */
static void test_graphs(void)
{
	struct dcm_model dm;
	struct dcm_error de;
	struct accel_model *m = (void *)1;
	struct accel_model_info mi;
	struct accel_error err = { 0 };
	uint8_t *buf;
	size_t len;

	dcm_cnn_fixture(&dm, 4);
	CHECK_EQ(dcm_write_buffer(&dm, &buf, &len, &de), 0);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "cnn.dcm", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_model_info(m, &mi, &err), ACCEL_OK);
	CHECK_EQ(mi.layer_count, CNN_FIXTURE_LAYERS);
	CHECK_EQ(mi.inputs, CNN_FIXTURE_INPUTS);
	CHECK_EQ(mi.outputs, 10);
	accel_model_free(m);
	free(buf);
	dcm_free(&dm);
	make_image(&buf, &len);
	CHECK_EQ(dcm_read_buffer(buf, len, &dm, &de), 0);
	free(buf);
	dm.version = 1;
	CHECK_EQ(dcm_write_buffer(&dm, &buf, &len, &de), 0);
	CHECK_EQ(buf[4], 1);	/* the version field */
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "v1.dcm", &m, &err), ACCEL_OK);
	accel_model_free(m);
	free(buf);
	dcm_free(&dm);
}

static void test_corrupted(void)
{
	struct accel_model *m;
	struct accel_error err;
	uint8_t *buf;
	size_t len;
	int accepted = 0, wrong = 0;

	make_image(&buf, &len);
	for (size_t at = 0; at < len; at++) {
		uint8_t *copy = malloc(len);
		int st;

		memcpy(copy, buf, len);
		copy[at] ^= 0x5a;
		st = accel_model_load_buffer(NULL, copy, len, "bad.dcm", &m, &err);
		if (st == ACCEL_OK) {
			/* the CRC should catch every flip; if not, it must still run */
			float x[30] = { 0 }, y[10];

			accepted++;
			accel_infer(m, ACCEL_BACKEND_CPU, 1, x, y, NULL, NULL);
			accel_model_free(m);
		} else if (st != ACCEL_E_MODEL || !err.msg[0]) {
			wrong++;
		}
		free(copy);
	}
	CHECK_EQ(accepted, 0);
	CHECK_EQ(wrong, 0);
	free(buf);
}

static void test_files(void)
{
	char path[] = "/tmp/test_libaccel_XXXXXX";
	struct accel_model *m;
	struct accel_error err;
	uint8_t *buf;
	size_t len;
	int fd = mkstemp(path);

	make_image(&buf, &len);
	CHECK(fd >= 0);
	CHECK_EQ(write(fd, buf, len), (long long)len);
	close(fd);
	CHECK_EQ(accel_model_load(NULL, path, &m, &err), ACCEL_OK);
	accel_model_free(m);
	CHECK_EQ(truncate(path, (off_t)len / 2), 0);
	CHECK_EQ(accel_model_load(NULL, path, &m, &err), ACCEL_E_MODEL);
	CHECK(strstr(err.msg, path) != NULL);
	unlink(path);
	CHECK_EQ(accel_model_load(NULL, path, &m, &err), ACCEL_E_MODEL);
	CHECK(strstr(err.msg, path) != NULL);
	printf("# missing file: %s\n", err.msg);
	free(buf);
}

static void test_bad_arguments(void)
{
	struct accel_model *m;
	struct accel_device *dev;
	struct accel_bo *bo;
	struct accel_job *job;
	struct accel_model_info mi;
	struct accel_layer_info li;
	struct accel_error err;
	float x[30] = { 0 }, y[10], w[1200], b[40];
	int16_t q[30];
	int fd;
	uint8_t *buf;
	size_t len;

	make_image(&buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "t", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_infer(NULL, ACCEL_BACKEND_CPU, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "model") != NULL);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, 0, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "batch") != NULL);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, 1, NULL, y, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, 1, x, NULL, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_infer(m, (enum accel_backend)7, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "backend") != NULL);
	/* the device backend of a model loaded without a device */
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_DEVICE, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "without a device") != NULL);
	CHECK_EQ(accel_submit(m, 1, x, &job, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_submit(m, 1, x, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_job_fd(NULL, &fd, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_job_wait(NULL, 0, y, NULL, &err), ACCEL_E_INVALID);
	accel_job_free(NULL);
	CHECK_EQ(accel_quantize(m, 1, NULL, q, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_quantize(NULL, 1, x, q, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_layer(m, 2, &li, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "layer 2") != NULL);
	CHECK_EQ(accel_model_layer(m, 0, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_info(NULL, &mi, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_dense(m, 0, w, b, &err), ACCEL_OK);
	CHECK_EQ(accel_model_dense(m, 5, w, b, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_dense(m, 0, NULL, b, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_load(NULL, NULL, &m, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_load(NULL, "x.dcm", NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_load_buffer(NULL, NULL, 4, "t", &m, &err), ACCEL_E_INVALID);
	accel_model_free(NULL);
	/* errors without an error buffer are still statuses */
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, 0, x, y, NULL, NULL), ACCEL_E_INVALID);
	CHECK_EQ(accel_open(NULL, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_open("/nonexistent/accel9", &dev, &err), ACCEL_E_NODEV);
	CHECK(dev == NULL);
	CHECK(strstr(err.msg, "/nonexistent/accel9") != NULL);
	/* a node that is not a DRM device */
	CHECK_EQ(accel_open("/dev/null", &dev, &err), ACCEL_E_NODEV);
	CHECK(strstr(err.msg, "/dev/null") != NULL);
	CHECK_EQ(accel_device_info(NULL, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_bo_create(NULL, 4096, 0, &bo, &err), ACCEL_E_INVALID);
	CHECK(accel_bo_map(NULL) == NULL);
	CHECK_EQ(accel_bo_va(NULL), 0);
	CHECK_EQ(accel_bo_size(NULL), 0);
	accel_bo_free(NULL);
	accel_close(NULL);
	for (int s = 0; s <= ACCEL_E_IO + 1; s++)
		CHECK(accel_strerror(s) && accel_strerror(s)[0]);
	CHECK(!strcmp(accel_strerror(-5), "unknown status"));
	CHECK_EQ(accel_argmax(NULL, 3), 0);
	{
		float v[4] = { 1, 3, 3, 2 };

		CHECK_EQ(accel_argmax(v, 4), 1);	/* first maximum wins */
	}
	accel_model_free(m);
	free(buf);
}

/* Several devices: what the host (no /dev/accel) and bad calls get. */
static void test_split_refusals(void)
{
	struct accel_device *devs[4];
	struct accel_model *m, *models[2];
	struct accel_error err;
	float x[30] = { 0 }, y[20];
	uint32_t n = 9;
	uint8_t *buf;
	size_t len;
	int st;

	st = accel_open_all(devs, 4, &n, &err);
	if (access("/dev/accel", F_OK)) {
		CHECK_EQ(st, ACCEL_E_NODEV);
		CHECK_EQ(n, 0);
		CHECK(strstr(err.msg, "no dcaccel device") != NULL);
	} else {
		DIAG("this host has /dev/accel: accel_open_all gave %d, %u devices", st, n);
		for (uint32_t k = 0; !st && k < n; k++)
			accel_close(devs[k]);
	}
	CHECK_EQ(accel_open_all(NULL, 4, &n, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_open_all(devs, 4, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_open_all(devs, 0, &n, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "max is 0");

	make_image(&buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "t", &m, &err), ACCEL_OK);
	models[0] = models[1] = m;
	CHECK_EQ(accel_infer_split(NULL, 2, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "models is NULL") != NULL);
	CHECK_EQ(accel_infer_split(models, 0, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "1 to 64") != NULL);
	CHECK_EQ(accel_infer_split(models, 65, 1, x, y, NULL, &err), ACCEL_E_INVALID);
	/* a CPU-only model has no device to share the work */
	CHECK_EQ(accel_infer_split(models, 2, 2, x, y, NULL, &err), ACCEL_E_INVALID);
	CHECK(strstr(err.msg, "model 0 is loaded without a device") != NULL);
	models[1] = NULL;
	CHECK_EQ(accel_infer_split(models, 2, 2, x, y, NULL, &err), ACCEL_E_INVALID);
	accel_model_free(m);
	free(buf);
}

/* One rows x cols FC layer for 8 PEs, written to a temporary file. */
static int write_fc(uint32_t rows, uint32_t cols, uint32_t layers, char *path)
{
	static const struct dcm_fixture_style st = { 8, 4, 0.3, 200000 };
	struct dcm_model m = { .layer_count = layers };
	struct dcm_error err;
	struct rng r = { 7 };
	int fd = mkstemp(path), ret;

	m.layers = calloc(layers, sizeof(*m.layers));
	if (fd < 0 || !m.layers)
		return -1;
	close(fd);
	dcm_fixture_weights(&m.layers[0], rows, cols, 14, &st, &r);
	if (layers > 1)
		dcm_fixture_weights(&m.layers[1], 10, rows, 10, &st, &r);
	ret = dcm_write_file(&m, path, &err);
	dcm_free(&m);
	return ret;
}

/*
 * Model parallel on CPU parts: three "devices" of 8 PEs, as one of 24;
 * the outputs are the whole layer's, every row where it belongs.
 */
static void test_rows_split(void)
{
	struct accel_device *devs[3] = { NULL, NULL, NULL };
	struct accel_model *whole, *parts[3], *swapped[3];
	struct accel_model_info mi[3];
	struct accel_error err;
	char path[] = "/tmp/test_rows_XXXXXX", two[] = "/tmp/test_rows2_XXXXXX";
	char tiny[] = "/tmp/test_rows3_XXXXXX";
	const uint32_t batch = 5, rows = 300, cols = 50;
	float *x = dcm_fixture_inputs(batch, cols, 0.3, 9);
	float *want = calloc((size_t)batch * rows, sizeof(float));
	float *got = calloc((size_t)batch * rows, sizeof(float));

	if (!x || !want || !got || write_fc(rows, cols, 1, path) ||
	    write_fc(rows, cols, 2, two) || write_fc(16, cols, 1, tiny)) {
		CHECK(0);
		goto out;
	}
	CHECK_EQ(accel_model_load(NULL, path, &whole, &err), ACCEL_OK);
	CHECK_EQ(accel_infer(whole, ACCEL_BACKEND_CPU, batch, x, want, NULL, &err), ACCEL_OK);
	CHECK_EQ(accel_model_load_rows(devs, 3, path, parts, &err), ACCEL_OK);
	for (int k = 0; k < 3; k++)
		accel_model_info(parts[k], &mi[k], NULL);
	/* 300 rows over 24 virtual PEs: rows r with (r mod 24) / 8 == k */
	CHECK_EQ(mi[0].outputs, 104);
	CHECK_EQ(mi[1].outputs, 100);
	CHECK_EQ(mi[2].outputs, 96);
	CHECK_EQ(accel_infer_rows(parts, 3, batch, x, got, NULL, &err), ACCEL_OK);
	CHECK(!memcmp(got, want, (size_t)batch * rows * sizeof(float)));

	/* what it refuses */
	swapped[0] = parts[1];
	swapped[1] = parts[0];
	swapped[2] = parts[2];
	CHECK_EQ(accel_infer_rows(swapped, 3, batch, x, got, NULL, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "part 0 is not part k of the same n-way split");
	CHECK_EQ(accel_infer_rows(parts, 2, batch, x, got, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_infer_rows(&whole, 1, batch, x, got, NULL, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "a whole model, not a part");
	CHECK_EQ(accel_infer_rows(parts, 3, 0, x, got, NULL, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_load_rows(devs, 3, two, swapped, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "deals the rows of one FC layer; this model has 2 layers");
	/* 16 rows fill 16 of 24 virtual PEs: the third device gets none */
	CHECK_EQ(accel_model_load_rows(devs, 3, tiny, swapped, &err), ACCEL_E_INVALID);
	CHECK_STR_CONTAINS(err.msg, "16 rows do not reach device 2 of 3");
	CHECK(swapped[0] == NULL && swapped[1] == NULL);
	CHECK_EQ(accel_model_load_rows(devs, 0, path, swapped, &err), ACCEL_E_INVALID);
	CHECK_EQ(accel_model_load_rows(NULL, 3, path, swapped, &err), ACCEL_E_INVALID);
	for (int k = 0; k < 3; k++)
		accel_model_free(parts[k]);
	accel_model_free(whole);
out:
	unlink(path);
	unlink(two);
	unlink(tiny);
	free(x);
	free(want);
	free(got);
}

struct cpu_worker {
	struct accel_model *m;
	const float *x, *want;
	uint32_t n;
	int bad;
};

static void *cpu_worker_main(void *arg)
{
	struct cpu_worker *w = arg;
	float *out = malloc((size_t)w->n * 10 * sizeof(float));

	for (int rep = 0; rep < 20; rep++) {
		if (accel_infer(w->m, ACCEL_BACKEND_CPU, w->n, w->x, out, NULL, NULL)) {
			w->bad++;
			continue;
		}
		w->bad += memcmp(out, w->want, (size_t)w->n * 10 * sizeof(float)) != 0;
	}
	free(out);
	return NULL;
}

/* Several threads share one model on the CPU path. */
static void test_threads_share_model(void)
{
	const uint32_t n = 300;
	struct accel_model *m = NULL;
	struct accel_error err;
	struct cpu_worker w[4];
	pthread_t t[4];
	uint8_t *buf;
	size_t len;
	float *x = dcm_fixture_inputs(n, 30, 0, 11), *want = malloc(n * 10 * sizeof(float));

	make_image(&buf, &len);
	CHECK_EQ(accel_model_load_buffer(NULL, buf, len, "t", &m, &err), ACCEL_OK);
	CHECK_EQ(accel_infer(m, ACCEL_BACKEND_CPU, n, x, want, NULL, &err), ACCEL_OK);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct cpu_worker){ .m = m, .x = x, .want = want, .n = n };
		CHECK_EQ(pthread_create(&t[i], NULL, cpu_worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		CHECK_EQ(w[i].bad, 0);
	}
	accel_model_free(m);
	free(buf);
	free(x);
	free(want);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_threads_share_model),
	TAP_TEST(test_load_describe),
	TAP_TEST(test_cpu_matches_engine),
	TAP_TEST(test_truncated),
	TAP_TEST(test_corrupted),
	TAP_TEST(test_graphs),
	TAP_TEST(test_files),
	TAP_TEST(test_bad_arguments),
	TAP_TEST(test_split_refusals),
	TAP_TEST(test_rows_split),
};

TAP_MAIN(tests)
