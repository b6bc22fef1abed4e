// SPDX-License-Identifier: MIT
/*
 * libaccel on the dcaccel device, in the test guest (TAP): the whole
 * Fashion-MNIST test set classified on the device gives exactly the CPU
 * reference's outputs and dcc's accuracy; the device's counters match the
 * engine's; a model re-encoded for the device's PE count; async jobs from
 * several threads with poll(); a small random CNN (conv, pool, conv,
 * pool, fc, fc) run whole on the device, one job per chunk of inputs,
 * bit-exact against the CPU reference; CNN graphs the device cannot run
 * or whose layers do not follow one another, refused with messages;
 * .dcm version-3 graphs (QUANT, BITPLANE, BITPLANE_CONV with FC, CONV and
 * POOL layers) run whole on the device, bit-exact against the CPU
 * reference, counters too, and one made for another PE count refused;
 * the API's error paths; and the test set split over two devices.
 *
 * The model, the test images and labels and dcc's accuracy are linked in
 * (guest-tests/build.sh) and written to /tmp, so that the guest needs no
 * data directory and the file loaders are exercised.
 */
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include <dcaccel/accel.h>
#include "../../dcm/dcm.h"
#include "../../dcc/idx.h"
#include "guest_data.h"
#include "bitplane_fixture.h"
#include "../../../tests/host/dcm_cnn_fixture.h"
#include "../../../tests/lib/rng.h"

#define PLAN		(22 + BPF_GRAPHS + 1)
#define SPLIT_RESULTS	6
#define THREADS		4

static int test_no;

static void result(int ok, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void result(int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", ok ? "" : "not ", ++test_no);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

struct ctx {
	struct accel_device *dev;
	struct accel_model *m, *cpu;
	struct dataset ds;
	uint32_t inputs, outputs;
	float *dev_out, *cpu_out;
};

static uint32_t accuracy_x100(const struct ctx *c, const float *out)
{
	uint32_t right = 0;

	for (uint32_t i = 0; i < c->ds.count; i++)
		right += accel_argmax(out + (size_t)i * c->outputs, c->outputs) == c->ds.y[i];
	return (uint32_t)((right * 10000ull + c->ds.count / 2) / c->ds.count);
}

static void test_full_set(struct ctx *c, uint32_t want_x100)
{
	struct accel_stats ds, cs;
	struct accel_error err;
	size_t n = (size_t)c->ds.count * c->outputs;
	uint32_t mism = 0, dacc, cacc;
	int st;

	st = accel_infer(c->cpu, ACCEL_BACKEND_CPU, c->ds.count, c->ds.x, c->cpu_out, &cs, &err);
	result(!st, "CPU reference on %u images%s%s", c->ds.count, st ? ": " : "",
	       st ? err.msg : "");
	st = accel_infer(c->m, ACCEL_BACKEND_DEVICE, c->ds.count, c->ds.x, c->dev_out, &ds, &err);
	result(!st, "device on %u images in %llu jobs%s%s", c->ds.count,
	       (unsigned long long)ds.jobs, st ? ": " : "", st ? err.msg : "");
	for (size_t k = 0; !st && k < n; k++)
		mism += c->dev_out[k] != c->cpu_out[k];
	result(!st && mism == 0, "device outputs equal the CPU reference's (%u of %zu differ)",
	       mism, n);
	dacc = accuracy_x100(c, c->dev_out);
	cacc = accuracy_x100(c, c->cpu_out);
	printf("# accuracy: device %u.%02u%%, CPU reference %u.%02u%%, dcc %u.%02u%%\n",
	       dacc / 100, dacc % 100, cacc / 100, cacc % 100, want_x100 / 100, want_x100 % 100);
	result(!st && dacc == want_x100 && cacc == want_x100,
	       "accuracy equals dcc's (%u.%02u%%)", want_x100 / 100, want_x100 % 100);
	printf("# device stats: %llu cycles, %llu nonzero acts, %llu entries, %llu MACs, PE busy %llu..%llu\n",
	       (unsigned long long)ds.cycles, (unsigned long long)ds.nonzero_acts,
	       (unsigned long long)ds.entries, (unsigned long long)ds.macs,
	       (unsigned long long)ds.pe_busy_min, (unsigned long long)ds.pe_busy_max);
	result(!st && ds.macs == cs.macs && ds.nonzero_acts == cs.nonzero_acts &&
	       ds.entries == cs.entries && ds.cycles > 0 && ds.pe_busy_max >= ds.pe_busy_min,
	       "device counters match the engine's (MACs %llu vs %llu)",
	       (unsigned long long)ds.macs, (unsigned long long)cs.macs);
}

/* The model re-encoded for another PE count loads and runs the same. */
static void test_reencode(struct ctx *c, const uint8_t *buf, size_t len)
{
	struct accel_device_info di;
	struct accel_model *m = NULL;
	struct accel_layer_info li;
	struct accel_error err;
	struct dcm_model dm;
	struct dcm_error de;
	uint8_t *img = NULL;
	size_t ilen, n = 500, bad = 0;
	float *out = malloc(n * c->outputs * sizeof(float));
	int ok = 0;

	accel_device_info(c->dev, &di, NULL);
	if (!dcm_read_buffer(buf, len, &dm, &de)) {
		for (uint32_t i = 0; i < dm.layer_count; i++) {
			dm.layers[i].pes = di.pes == 16 ? 8 : 16;
			eie_streams_free(&dm.layers[i].streams);
			dcm_layer_encode(&dm.layers[i], &de);
		}
		if (!dcm_write_buffer(&dm, &img, &ilen, &de) &&
		    !accel_model_load_buffer(c->dev, img, ilen, "reencoded", &m, &err) &&
		    !accel_model_layer(m, 0, &li, &err) &&
		    !accel_infer(m, ACCEL_BACKEND_DEVICE, (uint32_t)n, c->ds.x, out, NULL, &err)) {
			for (size_t k = 0; k < n * c->outputs; k++)
				bad += out[k] != c->cpu_out[k];
			ok = li.pes == di.pes && li.file_pes != di.pes && bad == 0;
		}
		dcm_free(&dm);
	}
	result(ok, "a model encoded for %u PEs runs re-encoded for the device's %u",
	       di.pes == 16 ? 8 : 16, di.pes);
	accel_model_free(m);
	free(img);
	free(out);
}

struct worker {
	struct ctx *c;
	uint32_t first, count, batch;
	int failures, polled;
};

/* Submit every batch of a slice, then poll each job's fd and wait. */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct ctx *c = w->c;
	uint32_t nb = (w->count + w->batch - 1) / w->batch;
	struct accel_job **jobs = calloc(nb, sizeof(*jobs));
	float *out = malloc((size_t)w->batch * c->outputs * sizeof(float));
	struct accel_error err;

	for (uint32_t b = 0; b < nb; b++) {
		uint32_t at = w->first + b * w->batch;
		uint32_t n = w->first + w->count - at < w->batch ? w->first + w->count - at : w->batch;

		if (accel_submit(c->m, n, c->ds.x + (size_t)at * c->inputs, &jobs[b], &err)) {
			printf("# submit: %s\n", err.msg);
			w->failures++;
		}
	}
	for (uint32_t b = 0; b < nb; b++) {
		uint32_t at = w->first + b * w->batch;
		uint32_t n = w->first + w->count - at < w->batch ? w->first + w->count - at : w->batch;
		int fd = -1;

		if (!jobs[b])
			continue;
		if (!accel_job_fd(jobs[b], &fd, &err)) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			w->polled += poll(&p, 1, 60000) == 1 && (p.revents & POLLIN);
			close(fd);
		}
		if (accel_job_wait(jobs[b], -1, out, NULL, &err)) {
			printf("# wait: %s\n", err.msg);
			w->failures++;
		} else {
			for (size_t k = 0; k < (size_t)n * c->outputs; k++)
				w->failures += out[k] != c->cpu_out[(size_t)at * c->outputs + k];
		}
		accel_job_free(jobs[b]);
	}
	free(jobs);
	free(out);
	return NULL;
}

static void test_threads(struct ctx *c)
{
	pthread_t t[THREADS];
	struct worker w[THREADS];
	uint32_t per = 2000, failures = 0, polled = 0, jobs = 0;

	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .c = c, .first = i * per, .count = per,
					.batch = 100 + 50 * i };
		jobs += (per + w[i].batch - 1) / w[i].batch;
		pthread_create(&t[i], NULL, worker_main, &w[i]);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		failures += w[i].failures;
		polled += w[i].polled;
	}
	result(failures == 0, "%d threads, %u async jobs: outputs equal the CPU reference's",
	       THREADS, jobs);
	result(polled == jobs, "every job's fd polled readable (%u of %u)", polled, jobs);
}

/* A model image of fixture m (freed), or NULL. */
static uint8_t *model_image(struct dcm_model *m, size_t *len)
{
	struct dcm_error de;
	uint8_t *img = NULL;

	if (dcm_write_buffer(m, &img, len, &de)) {
		printf("# dcm_write_buffer: %s\n", de.msg);
		img = NULL;
	}
	dcm_free(m);
	return img;
}

/*
 * The small LeNet of dcm_cnn_fixture.h (encoded for 4 PEs: re-encoded
 * for the device's) on random inputs, enough for several jobs: the
 * device's outputs and counters equal the CPU reference's.
 */
static void test_cnn(struct ctx *c)
{
	const uint32_t n = 700, in_n = LENET_FIXTURE_INPUTS, out_n = LENET_FIXTURE_OUTPUTS;
	struct accel_model *dm = NULL, *cm = NULL;
	struct accel_stats ds = { 0 }, cs = { 0 };
	struct accel_error err = { "" };
	struct dcm_model fx;
	float *x = dcm_fixture_inputs(n, in_n, 0.3, 77);
	float *dout = malloc((size_t)n * out_n * sizeof(float));
	float *cout = malloc((size_t)n * out_n * sizeof(float));
	uint32_t mism = 0, nonzero = 0;
	uint8_t *img;
	size_t len = 0;
	int st;

	dcm_cnn_fixture_lenet(&fx, 7);
	img = model_image(&fx, &len);
	st = !img ? ACCEL_E_MODEL :
	     accel_model_load_buffer(c->dev, img, len, "lenet-fixture", &dm, &err);
	if (!st)
		st = accel_model_load_buffer(NULL, img, len, "lenet-fixture", &cm, &err);
	if (!st)
		st = accel_infer(cm, ACCEL_BACKEND_CPU, n, x, cout, &cs, &err);
	if (!st)
		st = accel_infer(dm, ACCEL_BACKEND_DEVICE, n, x, dout, &ds, &err);
	result(!st, "a conv-pool-conv-pool-fc-fc CNN on %u inputs, device and CPU%s%s",
	       n, st ? ": " : "", st ? err.msg : "");
	for (size_t k = 0; !st && k < (size_t)n * out_n; k++) {
		mism += dout[k] != cout[k];
		nonzero += cout[k] != 0;
	}
	printf("# CNN: %llu device jobs, %llu cycles, %llu MACs (CPU %llu), %u non-zero outputs\n",
	       (unsigned long long)ds.jobs, (unsigned long long)ds.cycles,
	       (unsigned long long)ds.macs, (unsigned long long)cs.macs, nonzero);
	result(!st && mism == 0 && nonzero > n,
	       "CNN device outputs equal the CPU reference's (%u of %u differ)",
	       mism, n * out_n);
	result(!st && ds.jobs > 1 && ds.cycles > 0 && ds.macs == cs.macs &&
	       ds.nonzero_acts == cs.nonzero_acts && ds.entries == cs.entries,
	       "CNN in %llu whole-network jobs; counters match the engine's",
	       (unsigned long long)ds.jobs);
	accel_model_free(dm);
	accel_model_free(cm);
	free(img);
	free(x);
	free(dout);
	free(cout);
}

/* A one-layer graph: a convolution of k x k filters over c x h x w. */
static uint8_t *conv_image(uint32_t ch, uint32_t h, uint32_t w, uint8_t k,
			   size_t *len)
{
	static const struct dcm_fixture_style s = { 4, 4, 0.5, 1000 };
	struct dcm_model m = { .layer_count = 1 };
	struct rng r = { 5 };
	struct dcm_layer *l = calloc(1, sizeof(*l));

	m.layers = l;
	l->kind = DCM_CONV;
	l->channels = ch;
	l->in_h = h;
	l->in_w = w;
	l->kernel_h = l->kernel_w = k;
	l->stride_h = l->stride_w = 1;
	dcm_fixture_weights(l, 2, ch * k * k, 12, &s, &r);
	return model_image(&m, len);
}

/* Does loading img on the device fail with a message holding want? */
static int refused(struct ctx *c, const uint8_t *img, size_t len,
		   const char *want)
{
	struct accel_model *m = (void *)1;
	struct accel_error err = { "" };
	int st = img ? accel_model_load_buffer(c->dev, img, len, "bad", &m, &err) : -1;

	printf("# %s\n", err.msg);
	return st == ACCEL_E_MODEL && m == NULL && strstr(err.msg, want) != NULL;
}

/* CNN graphs the device cannot run, or that do not hold together. */
static void test_cnn_bad_graphs(struct ctx *c)
{
	struct accel_model *m = NULL;
	struct dcm_model fx;
	uint8_t *img;
	size_t len = 0;
	int ok;

	/* 3000 channels of 5 x 5 taps: 75000 filter columns */
	img = conv_image(3000, 5, 5, 5, &len);
	ok = refused(c, img, len, "bad: layer 0 (conv): channels x kernel_h x kernel_w 75000 is over the device's limit 65536");
	/* the CPU reference has no such limit */
	ok &= img && !accel_model_load_buffer(NULL, img, len, "bad", &m, NULL);
	accel_model_free(m);
	free(img);
	/* 2M inputs of one map: more work than a job may take */
	img = conv_image(1, 2048, 1024, 1, &len);
	ok &= refused(c, img, len, "work units, over the device's 134217728 per job");
	free(img);
	result(ok, "CNN layers over the device's limits are refused, naming them");

	/* conv2's in_frac patched to 11 where pool1 gives 10 */
	dcm_cnn_fixture_lenet(&fx, 8);
	img = model_image(&fx, &len);
	if (img) {
		img[DCM_HEADER_BYTES + 2 * DCM_LAYER_BYTES + 14] = 11;
		dcm_put32(img + len - 4, (uint32_t)crc32(0, img, (uInt)(len - 4)));
	}
	result(refused(c, img, len, "layer 2 (conv): in_frac 11 is not layer 1's out_frac 10"),
	       "a CNN graph whose layers do not follow is refused, naming them");
	free(img);
}

/*
 * Graph g of bitplane_fixture.h, made for the device's PE count, on n
 * random inputs on the device and on the CPU reference: the same outputs
 * and counters.
 */
static void bitplane_graph(struct ctx *c, enum bpf_graph g, uint32_t n)
{
	struct accel_device_info di;
	struct accel_model *dm = NULL, *cm = NULL;
	struct accel_model_info mi = { 0 };
	struct accel_stats ds = { 0 }, cs = { 0 };
	struct accel_error err = { "" };
	struct dcm_model fx;
	uint32_t inputs, mism = 0;
	float *x, *dout = NULL, *cout = NULL;
	uint8_t *img;
	size_t len = 0;
	int st;

	accel_device_info(c->dev, &di, NULL);
	inputs = bpf_graph(&fx, g, di.pes, 90 + g);
	img = model_image(&fx, &len);
	x = dcm_fixture_inputs(n, inputs, 0.2, 91 + g);
	st = !img ? ACCEL_E_MODEL :
	     accel_model_load_buffer(c->dev, img, len, bpf_graph_name(g), &dm, &err);
	if (!st)
		st = accel_model_load_buffer(NULL, img, len, bpf_graph_name(g), &cm, &err);
	if (!st) {
		accel_model_info(dm, &mi, NULL);
		dout = malloc((size_t)n * mi.outputs * sizeof(float));
		cout = malloc((size_t)n * mi.outputs * sizeof(float));
		st = accel_infer(cm, ACCEL_BACKEND_CPU, n, x, cout, &cs, &err);
	}
	if (!st)
		st = accel_infer(dm, ACCEL_BACKEND_DEVICE, n, x, dout, &ds, &err);
	for (size_t k = 0; !st && k < (size_t)n * mi.outputs; k++)
		mism += dout[k] != cout[k];
	printf("# %s: %llu device jobs, %llu cycles, %llu MACs (CPU %llu)\n",
	       bpf_graph_name(g), (unsigned long long)ds.jobs,
	       (unsigned long long)ds.cycles, (unsigned long long)ds.macs,
	       (unsigned long long)cs.macs);
	result(!st && mism == 0 && ds.macs == cs.macs &&
	       ds.nonzero_acts == cs.nonzero_acts && ds.entries == cs.entries &&
	       ds.cycles > 0,
	       "version-3 graph %s on %u inputs: device outputs and counters equal the CPU reference's (%u of %u differ)%s%s",
	       bpf_graph_name(g), n, mism, n * mi.outputs, st ? ": " : "",
	       st ? err.msg : "");
	accel_model_free(dm);
	accel_model_free(cm);
	free(img);
	free(x);
	free(dout);
	free(cout);
}

static void test_bitplane(struct ctx *c)
{
	struct accel_device_info di;
	struct accel_model *m = (void *)1;
	struct accel_error err = { "" };
	struct dcm_model fx;
	uint8_t *img;
	size_t len = 0;
	char want[96];
	int st;

	for (int g = 0; g < BPF_GRAPHS; g++)
		bitplane_graph(c, g, 300);
	/* a bit-plane layer is never re-encoded: its PE count is the device's */
	accel_device_info(c->dev, &di, NULL);
	bpf_graph(&fx, BPF_FC_CHAIN, di.pes == 16 ? 8 : 16, 1);
	img = model_image(&fx, &len);
	snprintf(want, sizeof(want), "layer 2 (bitplane): made for %u PEs, the device has %u",
		 di.pes == 16 ? 8 : 16, di.pes);
	st = img ? accel_model_load_buffer(c->dev, img, len, "pes", &m, &err) : -1;
	printf("# %s\n", err.msg);
	result(st == ACCEL_E_MODEL && m == NULL && strstr(err.msg, want),
	       "a bit-plane layer made for another PE count is refused, naming it");
	free(img);
}

/* Buffers and the error paths that need a device. */
static void test_errors(struct ctx *c)
{
	struct accel_device_info di;
	struct accel_device *d2;
	struct accel_bo *bo = NULL;
	struct accel_model *m;
	struct accel_job *job = NULL;
	struct accel_error err;
	uint8_t junk[64] = "DCM1 but not really a model";
	float out[10];
	int ok = 1, st;

	accel_device_info(c->dev, &di, NULL);
	st = accel_bo_create(c->dev, 5000, 0, &bo, &err);
	ok &= !st && accel_bo_size(bo) == 8192 && accel_bo_va(bo) >= di.va_start &&
	      accel_bo_va(bo) < di.va_start + di.va_size;
	if (!st) {
		memset(accel_bo_map(bo), 0xa5, 5000);
		ok &= ((uint8_t *)accel_bo_map(bo))[4999] == 0xa5;
		accel_bo_free(bo);
	}
	result(ok, "BO create/map/free with its VA");

	ok = accel_bo_create(c->dev, 0, 0, &bo, &err) == ACCEL_E_INVALID &&
	     strstr(err.msg, "size 0");
	ok &= accel_bo_create(c->dev, di.max_bo_size + 1, 0, &bo, &err) == ACCEL_E_INVALID;
	ok &= accel_bo_create(c->dev, 4096, 0x80, &bo, &err) == ACCEL_E_INVALID &&
	      strstr(err.msg, "flags");
	ok &= accel_bo_create(c->dev, 4096, 0, NULL, &err) == ACCEL_E_INVALID;
	ok &= accel_open("/dev/accel/accel63", &d2, &err) == ACCEL_E_NODEV &&
	      strstr(err.msg, "accel63");
	ok &= accel_model_load_buffer(c->dev, junk, sizeof(junk), "junk", &m, &err) == ACCEL_E_MODEL &&
	      strstr(err.msg, "junk");
	ok &= accel_model_load(c->dev, "/tmp/none.dcm", &m, &err) == ACCEL_E_MODEL;
	ok &= accel_submit(c->m, 0, c->ds.x, &job, &err) == ACCEL_E_INVALID;
	ok &= accel_submit(c->m, 1, NULL, &job, &err) == ACCEL_E_INVALID;
	ok &= accel_infer(c->m, ACCEL_BACKEND_DEVICE, 1, c->ds.x, NULL, NULL, &err) == ACCEL_E_INVALID;
	if (!accel_submit(c->m, 1, c->ds.x, &job, &err)) {
		st = accel_job_wait(job, 0, out, NULL, &err);
		ok &= st == ACCEL_OK || st == ACCEL_E_TIMEOUT;
		ok &= accel_job_wait(job, -1, out, NULL, &err) == ACCEL_OK;
		ok &= accel_job_wait(job, -1, NULL, NULL, &err) == ACCEL_E_INVALID;
		accel_job_free(job);
	} else {
		ok = 0;
	}
	result(ok, "bad arguments are refused with messages");
}

/*
 * Model parallel: the first layer of the model (fc1) alone, its rows
 * dealt to every device as to one accelerator of n x 64 PEs, against the
 * whole layer on one device.
 */
static void test_rows(struct accel_device **devs, uint32_t ndev)
{
	const uint8_t *buf = (const uint8_t *)_binary_model_dcm_start;
	size_t len = (size_t)(_binary_model_dcm_end - _binary_model_dcm_start);
	struct accel_model *whole = NULL, *parts[8] = { NULL };
	struct accel_stats one, split;
	struct accel_error err;
	struct dcm_model dm;
	struct dcm_error de;
	const uint32_t batch = 1000;
	float *x = dcm_fixture_inputs(batch, 784, 0.5, 3), *want = NULL, *got = NULL;
	uint32_t rows = 0, mism = 0;
	int st = -1;

	if (!dcm_read_buffer(buf, len, &dm, &de)) {
		dm.layer_count = 1;	/* fc1 only; dcm_free frees them all */
		rows = dm.layers[0].rows;
		if (!dcm_write_file(&dm, "/tmp/fc1.dcm", &de))
			st = 0;
		dm.layer_count = 3;
		dcm_free(&dm);
	}
	want = malloc((size_t)batch * rows * sizeof(float));
	got = malloc((size_t)batch * rows * sizeof(float));
	if (!st && x && want && got) {
		st = accel_model_load(devs[0], "/tmp/fc1.dcm", &whole, &err);
		if (!st)
			st = accel_infer(whole, ACCEL_BACKEND_DEVICE, batch, x, want, &one, &err);
		if (!st)
			st = accel_model_load_rows(devs, ndev, "/tmp/fc1.dcm", parts, &err);
		if (!st)
			st = accel_infer_rows(parts, ndev, batch, x, got, &split, &err);
		for (size_t k = 0; !st && k < (size_t)batch * rows; k++)
			mism += got[k] != want[k];
	}
	result(!st && mism == 0,
	       "fc1 (%u rows) dealt to %u devices: the whole layer's outputs (%u differ)%s%s",
	       rows, ndev, mism, st > 0 ? ": " : "", st > 0 ? err.msg : "");
	if (!st)
		printf("# fc1 on %u images: one device %llu cycles, %u devices %llu (the slowest's)\n",
		       batch, (unsigned long long)one.cycles, ndev,
		       (unsigned long long)split.cycles);
	result(!st && split.macs == one.macs && split.cycles < one.cycles,
	       "the rows' split does the same MACs in fewer modeled cycles");
	{
		/* the parts are not whole models; one device is not two */
		struct accel_model *same[2] = { whole, NULL };
		int refused = !st &&
			accel_infer_split(parts, ndev, batch, x, got, NULL, &err) ==
				ACCEL_E_INVALID && strstr(err.msg, "accel_model_load_rows");

		if (refused && !accel_model_load(devs[0], "/tmp/fc1.dcm", &same[1], &err))
			refused = accel_infer_split(same, 2, batch, x, got, NULL, &err) ==
				  ACCEL_E_INVALID && strstr(err.msg, "same device");
		else
			refused = 0;
		accel_model_free(same[1]);
		result(refused, "a split refuses row parts and two models on one device (%s)",
		       err.msg);
	}
	for (uint32_t k = 0; k < ndev; k++)
		accel_model_free(parts[k]);
	accel_model_free(whole);
	free(x);
	free(want);
	free(got);
}

/*
 * The test set split over every device (data parallel): the outputs are
 * one device's, bit for bit, and the work the same; the split's modeled
 * time is its slowest device's. Odd and tiny batches too.
 */
static void test_split(struct ctx *c)
{
	struct accel_device *devs[8];
	struct accel_model *models[8] = { NULL };
	struct accel_stats one, split;
	struct accel_error err;
	size_t n = (size_t)c->ds.count * c->outputs;
	float *out = malloc(n * sizeof(float));
	uint32_t ndev = 0, mism = 0, small = 0;
	int st = accel_open_all(devs, 8, &ndev, &err);

	if (st || ndev < 2) {
		for (int i = 0; i < SPLIT_RESULTS; i++)
			result(1, "split over devices # SKIP %u dcaccel devices (%s)",
			       ndev, st ? err.msg : "the split needs two");
		for (uint32_t k = 0; k < ndev; k++)
			accel_close(devs[k]);
		goto out;
	}
	for (uint32_t k = 0; !st && k < ndev; k++)
		st = accel_model_load(devs[k], "/tmp/model.dcm", &models[k], &err);
	if (!st)
		st = accel_infer(c->m, ACCEL_BACKEND_DEVICE, c->ds.count, c->ds.x,
				 c->dev_out, &one, &err);
	if (!st)
		st = accel_infer_split(models, ndev, c->ds.count, c->ds.x, out,
				       &split, &err);
	for (size_t k = 0; !st && k < n; k++)
		mism += out[k] != c->dev_out[k];
	result(!st && mism == 0 && out,
	       "%u images split over %u devices: one device's outputs (%u of %zu differ)%s%s",
	       c->ds.count, ndev, mism, n, st ? ": " : "", st ? err.msg : "");
	printf("# cycles: one device %llu, split %llu (the slowest device's); MACs %llu and %llu\n",
	       (unsigned long long)one.cycles, (unsigned long long)split.cycles,
	       (unsigned long long)one.macs, (unsigned long long)split.macs);
	result(!st && split.macs == one.macs && split.nonzero_acts == one.nonzero_acts &&
	       split.cycles < one.cycles && split.cycles * ndev >= one.cycles / 2,
	       "the split does the same work, in less modeled time per device");
	/* batches smaller than the devices, and odd ones */
	for (uint32_t b = 1; !st && b <= 2 * ndev + 1; b++) {
		st = accel_infer_split(models, ndev, b, c->ds.x, out, NULL, &err);
		for (size_t k = 0; !st && k < (size_t)b * c->outputs; k++)
			small += out[k] != c->dev_out[k];
	}
	result(!st && small == 0, "batches 1 to %u split over %u devices: the same outputs%s%s",
	       2 * ndev + 1, ndev, st ? ": " : "", st ? err.msg : "");
	test_rows(devs, ndev);
	for (uint32_t k = 0; k < ndev; k++) {
		accel_model_free(models[k]);
		accel_close(devs[k]);
	}
out:
	free(out);
}

int main(void)
{
	struct ctx c = { 0 };
	struct accel_model_info mi;
	struct accel_device_info di;
	struct accel_error err;
	struct dcc_error de;
	unsigned int whole;
	int st;

	printf("TAP version 13\n1..%d\n", PLAN);
	if (!guest_has_device()) {
		for (int i = 1; i <= PLAN; i++)
			printf("ok %d # SKIP no dcaccel device in this guest\n", i);
		return 0;
	}
	whole = guest_expected_x100();
	if (guest_stage_data("") ||
	    dataset_load("/tmp/images.gz", "/tmp/labels.gz", 0, &c.ds, &de)) {
		printf("Bail out! cannot stage the test data\n");
		return 1;
	}
	st = accel_open(NULL, &c.dev, &err);
	/* earlier guest tests may have unloaded the driver */
	if (st == ACCEL_E_NODEV && !system("modprobe dcaccel 2>/dev/null"))
		st = accel_open(NULL, &c.dev, &err);
	if (!st)
		accel_device_info(c.dev, &di, NULL);
	result(!st, "open the device%s%s", st ? ": " : "", st ? err.msg : "");
	if (st) {
		printf("Bail out! no device\n");
		return 1;
	}
	printf("# %s: %s %d.%d.%d, %u PEs, max batch %u\n", di.node, di.driver,
	       di.driver_major, di.driver_minor, di.driver_patch, di.pes, di.max_batch);
	st = accel_model_load(c.dev, "/tmp/model.dcm", &c.m, &err);
	if (!st)
		st = accel_model_load(NULL, "/tmp/model.dcm", &c.cpu, &err);
	result(!st, "load the model on the device%s%s", st ? ": " : "", st ? err.msg : "");
	if (st) {
		printf("Bail out! no model\n");
		return 1;
	}
	accel_model_info(c.m, &mi, NULL);
	c.inputs = mi.inputs;
	c.outputs = mi.outputs;
	c.dev_out = malloc((size_t)c.ds.count * c.outputs * sizeof(float));
	c.cpu_out = malloc((size_t)c.ds.count * c.outputs * sizeof(float));
	test_full_set(&c, whole);
	test_reencode(&c, _binary_model_dcm_start,
		      (size_t)(_binary_model_dcm_end - _binary_model_dcm_start));
	test_threads(&c);
	test_split(&c);
	test_cnn(&c);
	test_cnn_bad_graphs(&c);
	test_bitplane(&c);
	test_errors(&c);
	accel_model_free(c.m);
	accel_model_free(c.cpu);
	accel_close(c.dev);
	dataset_free(&c.ds);
	free(c.dev_out);
	free(c.cpu_out);
	return 0;
}
