// SPDX-License-Identifier: MIT
/*
 * dcaccel bench: latency percentiles and throughput over batch sizes for
 * the device, the CPU reference and a dense float (OpenBLAS) version of
 * the same model (dense_float.c; MLPs and CNNs), on the same inputs, in
 * one run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_devices.h"
#include "bench_timing.h"
#include "cli.h"
#include "dense_float.h"
#include "../common/cliopt.h"

static const char usage[] =
	"usage: dcaccel bench MODEL [options]\n"
	"  --input FILE   IDX images (default " DEFAULT_DATA "/t10k-images-idx3-ubyte.gz)\n"
	"  --batches LIST 1 to 16 comma-separated batch sizes from 1 to 65536\n"
	"                 (default 1,64,256)\n"
	"  --iters N      timed calls per batch size and backend, 1 to 1000000\n"
	"                 (default 50)\n"
	"  --queue N      device jobs in flight for the pipelined rows, 1 to 64\n"
	"                 (default 4; 1: no pipelined rows)\n"
	"  --backends LIST comma-separated: device (with device-qN), cpu, dense\n"
	"                 (default device,cpu,dense)\n"
	"  --device NODE  /dev/accel/accelN (default: the first dcaccel node)\n"
	"  --no-device    only the CPU reference and dense float\n"
	"  --devices LIST the device rows only, the batches split over 1 to 16\n"
	"                 devices at once: N (meaning 1..N) or a list of counts\n"
	"  --json         one JSON object on stdout\n"
	"  -h, --help     this help\n"
	"Timing is wall-clock per call, quantization included. The device row is\n"
	"synchronous (one job at a time, accel_infer); device-qN keeps N jobs in\n"
	"flight (accel_submit, accel_job_wait), so that the next batch is\n"
	"quantized and submitted while the device runs: its latency is submit to\n"
	"wait's return. The dense-float row runs the same layers with their weights\n"
	"decoded to floats on OpenBLAS (one thread: OPENBLAS_NUM_THREADS): FC layers\n"
	"as one sgemm per batch, convolutions as im2col and one sgemm per image.\n"
	"The cpu row runs FC layers on ACCEL_CPU_THREADS threads (default: every\n"
	"CPU; libaccel(3)).\n";

#define MAX_BATCHES	16

/* The backends a run times (--backends), as bits. */
enum { BE_DEVICE = 1, BE_CPU = 2, BE_DENSE = 4, BE_ALL = 7 };

/* --backends: a comma-separated subset of device, cpu, dense; -1 after a message. */
static int parse_backends(const char *s, unsigned int *set)
{
	static const char *const names[] = { "device", "cpu", "dense" };
	const char *p = s;

	*set = 0;
	while (p && *p) {
		size_t len = strcspn(p, ",");
		unsigned int k;

		for (k = 0; k < 3; k++)
			if (strlen(names[k]) == len && !strncmp(p, names[k], len))
				break;
		if (k == 3 || len == 0)
			return cliopt_fail("dcaccel bench", "--backends", s,
					   "a comma-separated list of device, cpu, dense");
		*set |= 1u << k;
		p += len;
		p += *p == ',';
	}
	if (!*set)
		return cliopt_fail("dcaccel bench", "--backends", s,
				   "a comma-separated list of device, cpu, dense");
	return 0;
}

/* Time `iters` calls of one backend at one batch size. */
/*
 * The device's energy model per input at this batch: one more call, not
 * timed, its jobs asking for the model; -1 where the device has none.
 */
static int bench_energy(struct accel_model *m, uint32_t batch,
			const struct cli_inputs *in, float *out, struct result *r,
			struct accel_error *err)
{
	struct accel_energy e;
	int st = accel_infer_energy(m, batch, in->x, out, NULL, &e, err);

	r->energy_pj = -1;
	if (st == ACCEL_E_UNSUPPORTED)
		return ACCEL_OK;
	if (st)
		return st;
	r->energy_pj = (double)accel_energy_total_fj(&e) / 1000.0 / batch;
	return ACCEL_OK;
}

static int bench_one(struct accel_model *m, struct dense_model *d, int backend,
		     uint32_t batch, uint32_t iters, const struct cli_inputs *in,
		     float *out, struct result *r, struct accel_error *err)
{
	double *lat = malloc(iters * sizeof(*lat)), total = 0;
	uint32_t slices = in->count / batch;

	if (!lat)
		return ACCEL_E_NOMEM;
	for (uint32_t k = 0; k < iters; k++) {
		const float *x = in->x + (size_t)(k % slices) * batch * in->dim;
		double t0 = now_us();
		int st = ACCEL_OK;

		if (backend == 2)
			dense_run(d, batch, x, out);
		else
			st = accel_infer(m, backend ? ACCEL_BACKEND_CPU : ACCEL_BACKEND_DEVICE,
					 batch, x, out, NULL, err);
		lat[k] = now_us() - t0;
		if (st) {
			free(lat);
			return st;
		}
		total += lat[k];
	}
	snprintf(r->backend, sizeof(r->backend), "%s", backend == 0 ? "device" :
		 backend == 1 ? "cpu-reference" : "dense-float");
	summarize(lat, batch, iters, total, r);
	free(lat);
	return backend == 0 ? bench_energy(m, batch, in, out, r, err) : ACCEL_OK;
}

/*
 * The device with up to `queue` jobs in flight: submit the next batch
 * (quantizing it) while the ones before run, wait for the oldest when
 * the queue is full. Throughput is over the whole run; latency is each
 * job's, from accel_submit() to its accel_job_wait() returning.
 */
static int bench_pipelined(struct accel_model *m, uint32_t queue,
			   uint32_t batch, uint32_t iters,
			   const struct cli_inputs *in, float *out,
			   struct result *r, struct accel_error *err)
{
	double *lat = malloc(iters * sizeof(*lat)), *t0 = malloc(iters * sizeof(*t0));
	struct accel_job **jobs = calloc(queue, sizeof(*jobs));
	uint32_t slices = in->count / batch, done = 0;
	double start = now_us();
	int st = ACCEL_OK;

	if (!lat || !t0 || !jobs) {
		st = ACCEL_E_NOMEM;
		goto out;
	}
	for (uint32_t k = 0; k < iters + queue && !st; k++) {
		/* the oldest job, k - queue, in slot k % queue */
		struct accel_job **slot = &jobs[k % queue];

		if (*slot) {
			st = accel_job_wait(*slot, -1, out, NULL, err);
			accel_job_free(*slot);
			*slot = NULL;
			lat[done] = now_us() - t0[done];
			done++;
		}
		if (k < iters && !st) {
			const float *x = in->x + (size_t)(k % slices) * batch * in->dim;

			t0[k] = now_us();
			st = accel_submit(m, batch, x, slot, err);
		}
	}
	if (!st) {
		snprintf(r->backend, sizeof(r->backend), "device-q%u", queue);
		/* the whole run's time, as if each job took total / iters */
		summarize(lat, batch, iters, now_us() - start, r);
	}
out:
	for (uint32_t q = 0; jobs && q < queue; q++)
		accel_job_free(jobs[q]);
	free(jobs);
	free(lat);
	free(t0);
	return st;
}

/* --batches: up to MAX_BATCHES sizes from 1 to 65536; -1 after a message. */
static int parse_batches(const char *s, uint32_t *b, uint32_t *n)
{
	double v[MAX_BATCHES];

	if (cliopt_list("dcaccel bench", "--batches", s, 1, MAX_BATCHES, true, 1,
			65536, false, v, n))
		return -1;
	for (uint32_t k = 0; k < *n; k++)
		b[k] = (uint32_t)v[k];
	return 0;
}

/*
 * The images, at least the largest batch of them: *maxb; an exit code
 * after a message.
 */
static int load_bench_inputs(const char *input, uint32_t dim,
			     const uint32_t *batches, uint32_t nb,
			     struct cli_inputs *in, uint32_t *maxb)
{
	int rc;

	*maxb = 0;
	for (uint32_t i = 0; i < nb; i++)
		*maxb = batches[i] > *maxb ? batches[i] : *maxb;
	if ((rc = cli_load_inputs(input, 0, dim, 0, in)))
		return rc;
	if (in->count < *maxb) {
		fprintf(stderr, "dcaccel bench: %s has %u images, fewer than batch %u\n",
			input, in->count, *maxb);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* --devices: the inputs, then the split's rows. */
static int bench_on_devices(const char *model, const char *input,
			    const uint32_t *counts, uint32_t ncounts,
			    const uint32_t *batches, uint32_t nb, uint32_t iters,
			    int json)
{
	const struct bench_devices_args a = {
		.model = model, .input = input, .counts = counts,
		.batches = batches, .ncounts = ncounts, .nb = nb,
		.iters = iters, .json = json,
	};
	struct accel_model_info mi;
	struct accel_model *m;
	struct accel_error err = { .msg = "" };
	struct cli_inputs in = { 0 };
	uint32_t maxb = 0;
	int st, rc;

	/* the model's input size, from a CPU-only load */
	if ((st = accel_model_load(NULL, model, &m, &err)))
		return cli_report(st, &err);
	accel_model_info(m, &mi, NULL);
	accel_model_free(m);
	rc = load_bench_inputs(input, mi.inputs, batches, nb, &in, &maxb);
	if (rc == EXIT_OK)
		rc = bench_devices(&a, &in);
	cli_inputs_free(&in);
	return rc;
}

int cmd_bench(int argc, char **argv)
{
	const char *model = NULL, *input = DEFAULT_DATA "/t10k-images-idx3-ubyte.gz", *node = NULL;
	uint32_t batches[MAX_BATCHES] = { 1, 64, 256 }, nb = 3, maxb = 0, nres = 0;
	struct result res[4 * MAX_BATCHES];
	struct accel_device *dev = NULL;
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct dense_model d = { 0 };
	struct cli_inputs in = { 0 };
	struct accel_error err = { .msg = "" };
	uint32_t iters = 50, queue = 4, counts[BENCH_DEVICES_MAX], ncounts = 0;
	unsigned int backends = BE_ALL;
	int json = 0, no_device = 0, st, rc = EXIT_OK;
	float *out = NULL;

	for (int a = 1; a < argc; a++) {
		const char *s = argv[a];
		int bad = 0;

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage, stdout);
			return EXIT_OK;
		} else if (!strcmp(s, "--input")) {
			bad = cli_path_value("bench", argc, argv, &a,
					     "an IDX image file", &input);
		} else if (!strcmp(s, "--device")) {
			bad = cli_path_value("bench", argc, argv, &a,
					     "a device node such as /dev/accel/accel0", &node);
		} else if (!strcmp(s, "--batches")) {
			bad = parse_batches(cli_value(argc, argv, &a), batches, &nb);
		} else if (!strcmp(s, "--iters")) {
			bad = cliopt_u32("dcaccel bench", s, cli_value(argc, argv, &a), 1,
					 1000000, &iters);
		} else if (!strcmp(s, "--queue")) {
			bad = cliopt_u32("dcaccel bench", s, cli_value(argc, argv, &a), 1,
					 64, &queue);
		} else if (!strcmp(s, "--backends")) {
			const char *v = cli_value(argc, argv, &a);

			bad = v ? parse_backends(v, &backends) :
			      cliopt_fail("dcaccel bench", s, NULL,
					  "a comma-separated list of device, cpu, dense");
		} else if (!strcmp(s, "--devices")) {
			const char *v = cli_value(argc, argv, &a);

			bad = v ? parse_device_counts(v, counts, &ncounts) :
			      cliopt_fail("dcaccel bench", s, NULL,
					  "a device count from 1 to 16, or a list of them");
		} else if (!strcmp(s, "--json")) {
			json = 1;
		} else if (!strcmp(s, "--no-device")) {
			no_device = 1;
		} else if (s[0] != '-' && !model) {
			model = s;
		} else {
			return cli_unknown("bench", s, "MODEL is already given");
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (!model) {
		fprintf(stderr, "dcaccel bench: MODEL is missing; expected MODEL [options] (dcaccel bench --help)\n");
		return EXIT_USAGE;
	}
	if (ncounts && (no_device || node)) {
		fprintf(stderr, "dcaccel bench: --devices uses every device: not with %s\n",
			no_device ? "--no-device" : "--device");
		return EXIT_USAGE;
	}
	if (ncounts)
		return bench_on_devices(model, input, counts, ncounts, batches, nb,
					iters, json);
	if (!(backends & BE_DEVICE))
		no_device = 1;
	if (!no_device && (st = accel_open(node, &dev, &err)))
		return cli_report(st, &err);
	if ((st = accel_model_load(dev, model, &m, &err))) {
		rc = cli_report(st, &err);
		goto out;
	}
	accel_model_info(m, &mi, NULL);
	if ((backends & BE_DENSE) && !dense_supported(m)) {
		/* nothing dense to compare a bit-plane network with */
		fprintf(stderr, "dcaccel bench: %s has bit-plane layers: no dense-float row\n",
			model);
		backends &= ~BE_DENSE;
		if (!(backends & (BE_CPU | BE_DEVICE))) {
			rc = EXIT_USAGE;
			goto out;
		}
	}
	if ((rc = load_bench_inputs(input, mi.inputs, batches, nb, &in, &maxb)))
		goto out;
	out = malloc((size_t)maxb * mi.outputs * sizeof(*out));
	if (!out || ((backends & BE_DENSE) &&
		     (st = dense_build(m, maxb, &d, &err)))) {
		rc = cli_report(out ? st : ACCEL_E_NOMEM, &err);
		goto out;
	}
	for (uint32_t i = 0; i < nb; i++)
		for (int be = dev ? 0 : 1; be < 4; be++) {
			if (be == 3 && (!dev || queue == 1))
				continue;
			if ((be == 1 && !(backends & BE_CPU)) ||
			    (be == 2 && !(backends & BE_DENSE)))
				continue;
			st = be == 3 ?
			     bench_pipelined(m, queue, batches[i], iters, &in, out,
					     &res[nres], &err) :
			     bench_one(m, &d, be, batches[i], iters, &in, out,
				       &res[nres], &err);
			if (st) {
				rc = cli_report(st, &err);
				goto out;
			}
			nres++;
		}
	if (json) {
		printf("{\"model\":");
		cli_json_str(model);
		printf(",\"input\":");
		cli_json_str(input);
		printf(",\"results\":[");
		for (uint32_t k = 0; k < nres; k++) {
			printf("%s{\"backend\":\"%s\",\"batch\":%u,\"iters\":%u,\"p50_us\":%.1f,"
			       "\"p99_us\":%.1f,\"images_per_s\":%.1f", k ? "," : "",
			       res[k].backend, res[k].batch, res[k].iters, res[k].p50,
			       res[k].p99, res[k].images_per_s);
			if (res[k].energy_pj >= 0)
				printf(",\"energy_pj_per_image\":%.0f", res[k].energy_pj);
			printf("}");
		}
		printf("]}\n");
	} else {
		printf("%-14s %6s %6s %12s %12s %14s %14s\n", "backend", "batch", "iters",
		       "p50 us", "p99 us", "images/s", "pJ/image");
		for (uint32_t k = 0; k < nres; k++) {
			printf("%-14s %6u %6u %12.1f %12.1f %14.1f", res[k].backend,
			       res[k].batch, res[k].iters, res[k].p50, res[k].p99,
			       res[k].images_per_s);
			if (res[k].energy_pj >= 0)
				printf(" %14.0f\n", res[k].energy_pj);
			else
				printf(" %14s\n", "-");
		}
		printf("pJ/image: the device's energy model (45 nm; hardware.rst, \"Energy model\"),\n"
		       "its weights read from DRAM once per job of up to the model's chunk\n");
	}
out:
	free(out);
	dense_free(&d);
	cli_inputs_free(&in);
	accel_model_free(m);
	accel_close(dev);
	return rc;
}
