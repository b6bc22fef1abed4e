// SPDX-License-Identifier: MIT
/*
 * dcaccel bench --devices: the same model on 1, 2, ... devices at once,
 * each batch cut into one share per device (accel_infer_split), against
 * one device in the same run: throughput, latency and the modeled time
 * per input of the split (its slowest device's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_devices.h"
#include "bench_timing.h"
#include "../common/cliopt.h"

int parse_device_counts(const char *s, uint32_t *counts, uint32_t *n)
{
	double v[BENCH_DEVICES_MAX];

	if (cliopt_list("dcaccel bench", "--devices", s, 1, BENCH_DEVICES_MAX, true, 1,
			BENCH_DEVICES_MAX, false, v, n))
		return -1;
	if (*n == 1) {		/* N alone: 1 .. N */
		*n = (uint32_t)v[0];
		for (uint32_t k = 0; k < *n; k++)
			counts[k] = k + 1;
		return 0;
	}
	for (uint32_t k = 0; k < *n; k++)
		counts[k] = (uint32_t)v[k];
	return 0;
}

/* `iters` synchronous calls over the first `count` models at one batch. */
static int bench_split(struct accel_model **models, uint32_t count,
		       uint32_t batch, uint32_t iters, uint32_t clock_mhz,
		       const struct cli_inputs *in, float *out, struct result *r,
		       struct accel_error *err)
{
	double *lat = malloc(iters * sizeof(*lat)), total = 0, cycles = 0;
	uint32_t slices = in->count / batch;
	struct accel_stats s;

	if (!lat)
		return ACCEL_E_NOMEM;
	for (uint32_t k = 0; k < iters; k++) {
		const float *x = in->x + (size_t)(k % slices) * batch * in->dim;
		double t0 = now_us();
		int st = accel_infer_split(models, count, batch, x, out, &s, err);

		lat[k] = now_us() - t0;
		if (st) {
			free(lat);
			return st;
		}
		total += lat[k];
		cycles += (double)s.cycles;
	}
	snprintf(r->backend, sizeof(r->backend), "devices-%u", count);
	summarize(lat, batch, iters, total, r);
	r->modeled_us = clock_mhz ? cycles / iters / clock_mhz / batch : 0;
	free(lat);
	return ACCEL_OK;
}

static void print_rows(const struct bench_devices_args *a,
		       const struct result *res, uint32_t nres)
{
	char vs[16];

	if (a->json) {
		printf("{\"model\":");
		cli_json_str(a->model);
		printf(",\"input\":");
		cli_json_str(a->input);
		printf(",\"results\":[");
		for (uint32_t k = 0; k < nres; k++)
			printf("%s{\"backend\":\"%s\",\"batch\":%u,\"iters\":%u,\"p50_us\":%.1f,"
			       "\"p99_us\":%.1f,\"images_per_s\":%.1f,\"modeled_us_per_input\":%.3f}",
			       k ? "," : "", res[k].backend, res[k].batch, res[k].iters,
			       res[k].p50, res[k].p99, res[k].images_per_s, res[k].modeled_us);
		printf("]}\n");
		return;
	}
	/* against the first count's row of the same batch (one device's) */
	snprintf(vs, sizeof(vs), "vs %u", a->counts[0]);
	printf("%-12s %6s %6s %12s %12s %14s %9s %16s %9s\n", "backend", "batch", "iters",
	       "p50 us", "p99 us", "images/s", vs, "modeled us/in", vs);
	for (uint32_t k = 0; k < nres; k++) {
		/* rows go count by count, batch by batch */
		const struct result *one = &res[k % a->nb];

		printf("%-12s %6u %6u %12.1f %12.1f %14.1f %8.2fx %16.3f %8.2fx\n",
		       res[k].backend, res[k].batch, res[k].iters, res[k].p50, res[k].p99,
		       res[k].images_per_s, res[k].images_per_s / one->images_per_s,
		       res[k].modeled_us,
		       res[k].modeled_us > 0 ? one->modeled_us / res[k].modeled_us : 0);
	}
}

int bench_devices(const struct bench_devices_args *a, const struct cli_inputs *in)
{
	struct accel_device *devs[BENCH_DEVICES_MAX] = { NULL };
	struct accel_model *models[BENCH_DEVICES_MAX] = { NULL };
	struct result *res = calloc((size_t)a->ncounts * a->nb, sizeof(*res));
	struct accel_device_info di;
	struct accel_model_info mi;
	struct accel_error err = { .msg = "" };
	uint32_t ndev = 0, need = 0, nres = 0, maxb = 0;
	float *out = NULL;
	int st, rc = EXIT_OK;

	for (uint32_t k = 0; k < a->ncounts; k++)
		need = a->counts[k] > need ? a->counts[k] : need;
	for (uint32_t k = 0; k < a->nb; k++)
		maxb = a->batches[k] > maxb ? a->batches[k] : maxb;
	if (!res)
		return cli_report(ACCEL_E_NOMEM, NULL);
	if ((st = accel_open_all(devs, BENCH_DEVICES_MAX, &ndev, &err))) {
		rc = cli_report(st, &err);
		goto out;
	}
	if (ndev < need) {
		fprintf(stderr, "dcaccel bench: --devices asks for %u devices, %u found in /dev/accel\n",
			need, ndev);
		rc = EXIT_NODEV;
		goto out;
	}
	for (uint32_t k = 0; k < need; k++)
		if ((st = accel_model_load(devs[k], a->model, &models[k], &err))) {
			rc = cli_report(st, &err);
			goto out;
		}
	accel_model_info(models[0], &mi, NULL);
	accel_device_info(devs[0], &di, NULL);
	out = malloc((size_t)maxb * mi.outputs * sizeof(*out));
	if (!out) {
		rc = cli_report(ACCEL_E_NOMEM, NULL);
		goto out;
	}
	for (uint32_t c = 0; c < a->ncounts; c++)
		for (uint32_t b = 0; b < a->nb; b++) {
			st = bench_split(models, a->counts[c], a->batches[b], a->iters,
					 di.clock_mhz, in, out, &res[nres], &err);
			if (st) {
				rc = cli_report(st, &err);
				goto out;
			}
			nres++;
		}
	print_rows(a, res, nres);
out:
	for (uint32_t k = 0; k < BENCH_DEVICES_MAX; k++) {
		accel_model_free(models[k]);
		accel_close(devs[k]);
	}
	free(out);
	free(res);
	return rc;
}
