// SPDX-License-Identifier: MIT
/* dcaccel run: classify inputs with a model, on the device or the CPU. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "../common/cliopt.h"

static const char usage[] =
	"usage: dcaccel run MODEL INPUT [options]\n"
	"  MODEL          a .dcm file (dcc compress makes one)\n"
	"  INPUT          IDX images (.gz or not; pixels / 255), or float32 vectors with --raw\n"
	"  --labels FILE  IDX labels: print the accuracy\n"
	"  --raw          INPUT is little-endian float32 vectors of the model's input size\n"
	"  --cpu          run on the CPU reference (the EIE engine in-process), no device\n"
	"  --device NODE  /dev/accel/accelN (default: the first dcaccel node)\n"
	"  --limit N      the first N inputs only, 1 to 100000000\n"
	"  --batch N      vectors per call, 1 to 100000000 (default 1000)\n"
	"  --quiet        no per-input lines\n"
	"  --json         one JSON object on stdout\n"
	"  -h, --help     this help\n";

struct run_opts {
	const char *model, *input, *labels, *node;
	int raw, cpu, quiet, json;
	uint32_t limit, batch;
};

static int parse(int argc, char **argv, struct run_opts *o)
{
	int pos = 0;

	memset(o, 0, sizeof(*o));
	o->batch = 1000;
	for (int a = 1; a < argc; a++) {
		const char *s = argv[a];
		int bad = 0;

		if (!strcmp(s, "--help") || !strcmp(s, "-h")) {
			fputs(usage, stdout);
			return -1;
		} else if (!strcmp(s, "--labels")) {
			bad = cli_path_value("run", argc, argv, &a,
					     "an IDX label file", &o->labels);
		} else if (!strcmp(s, "--device")) {
			bad = cli_path_value("run", argc, argv, &a,
					     "a device node such as /dev/accel/accel0", &o->node);
		} else if (!strcmp(s, "--limit")) {
			bad = cliopt_u32("dcaccel run", s, cli_value(argc, argv, &a), 1,
					 CLI_COUNT_MAX, &o->limit);
		} else if (!strcmp(s, "--batch")) {
			bad = cliopt_u32("dcaccel run", s, cli_value(argc, argv, &a), 1,
					 CLI_COUNT_MAX, &o->batch);
		} else if (!strcmp(s, "--raw")) {
			o->raw = 1;
		} else if (!strcmp(s, "--cpu")) {
			o->cpu = 1;
		} else if (!strcmp(s, "--quiet")) {
			o->quiet = 1;
		} else if (!strcmp(s, "--json")) {
			o->json = 1;
		} else if (s[0] != '-' && pos < 2) {
			*(pos++ ? &o->input : &o->model) = s;
		} else {
			return cli_unknown("run", s, "MODEL and INPUT are already given");
		}
		if (bad)
			return EXIT_USAGE;
	}
	if (pos < 2) {
		fprintf(stderr, "dcaccel run: %s missing; expected MODEL INPUT (dcaccel run --help)\n",
			pos ? "INPUT is" : "MODEL and INPUT are");
		return EXIT_USAGE;
	}
	return 0;
}

/* What a person wants to know of a device run beside the accuracy. */
static void print_device_figures(const struct accel_stats *s,
				 const struct accel_device_info *di,
				 uint32_t count, double wall)
{
	if (wall > 0)
		printf("# wall %.2f s, %.0f inputs/s%s\n", wall, count / wall,
		       s->jobs ? " (through the driver and the emulated device)" : "");
	if (!s->jobs || !s->cycles || !di->clock_mhz || !di->pes)
		return;
	printf("# modeled time at %u MHz: %.3f ms, %.2f us per input\n",
	       di->clock_mhz, (double)s->cycles / di->clock_mhz / 1000.0,
	       (double)s->cycles / di->clock_mhz / count);
	printf("# PE load balance: %.1f%% of %u PEs' cycles busy; busiest PE %llu, least busy %llu cycles\n",
	       100.0 * (double)s->pe_busy_total / ((double)di->pes * (double)s->cycles),
	       di->pes, (unsigned long long)s->pe_busy_max,
	       (unsigned long long)s->pe_busy_min);
}

/* FNV-1a over the float outputs' bits: two runs print the same digest
 * when their outputs are identical (the device and the CPU reference). */
static uint64_t digest_add(uint64_t h, const float *v, size_t n)
{
	const unsigned char *p = (const unsigned char *)v;

	for (size_t k = 0; k < n * sizeof(*v); k++)
		h = (h ^ p[k]) * 0x100000001b3ull;
	return h;
}

static void print_result(const struct run_opts *o, const struct cli_inputs *in,
			 const uint32_t *pred, const struct accel_stats *s,
			 uint32_t right, const struct accel_device_info *di,
			 double wall, uint64_t digest)
{
	if (o->json) {
		printf("{\"model\":");
		cli_json_str(o->model);
		printf(",\"input\":");
		cli_json_str(o->input);
		printf(",\"backend\":\"%s\",\"count\":%u,", o->cpu ? "cpu" : "device",
		       in->count);
		if (in->labels)
			printf("\"correct\":%u,\"accuracy\":%.2f,", right,
			       100.0 * right / in->count);
		printf("\"outputs_digest\":\"%016llx\",", (unsigned long long)digest);
		printf("\"stats\":{\"jobs\":%llu,\"cycles\":%llu,\"nonzero_acts\":%llu,"
		       "\"entries\":%llu,\"macs\":%llu,\"pe_busy_min\":%llu,"
		       "\"pe_busy_max\":%llu,\"pe_busy_total\":%llu},\"predictions\":[",
		       (unsigned long long)s->jobs, (unsigned long long)s->cycles,
		       (unsigned long long)s->nonzero_acts, (unsigned long long)s->entries,
		       (unsigned long long)s->macs, (unsigned long long)s->pe_busy_min,
		       (unsigned long long)s->pe_busy_max, (unsigned long long)s->pe_busy_total);
		for (uint32_t i = 0; i < in->count; i++)
			printf("%s%u", i ? "," : "", pred[i]);
		printf("]}\n");
		return;
	}
	if (!o->quiet)
		for (uint32_t i = 0; i < in->count; i++) {
			if (in->labels)
				printf("%u %u %u\n", i, pred[i], in->labels[i]);
			else
				printf("%u %u\n", i, pred[i]);
		}
	printf("# %u inputs on the %s\n", in->count, o->cpu ? "CPU reference" : "device");
	if (in->labels)
		printf("# accuracy %.2f%% (%u/%u)\n", 100.0 * right / in->count, right,
		       in->count);
	printf("# outputs digest %016llx\n", (unsigned long long)digest);
	printf("# %llu jobs, %llu cycles, %llu non-zero activations, %llu entries, %llu MACs\n",
	       (unsigned long long)s->jobs, (unsigned long long)s->cycles,
	       (unsigned long long)s->nonzero_acts, (unsigned long long)s->entries,
	       (unsigned long long)s->macs);
	if (s->jobs)
		printf("# PE busy cycles: min %llu max %llu total %llu\n",
		       (unsigned long long)s->pe_busy_min,
		       (unsigned long long)s->pe_busy_max,
		       (unsigned long long)s->pe_busy_total);
	print_device_figures(s, di, in->count, wall);
}

static void add_stats(struct accel_stats *t, const struct accel_stats *s)
{
	if (!t->jobs || (s->jobs && s->pe_busy_min < t->pe_busy_min))
		t->pe_busy_min = s->pe_busy_min;
	if (s->pe_busy_max > t->pe_busy_max)
		t->pe_busy_max = s->pe_busy_max;
	t->jobs += s->jobs;
	t->cycles += s->cycles;
	t->nonzero_acts += s->nonzero_acts;
	t->entries += s->entries;
	t->macs += s->macs;
	t->pe_busy_total += s->pe_busy_total;
}

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	struct accel_device *dev = NULL;
	struct accel_model *m = NULL;
	struct accel_model_info mi;
	struct accel_stats total = { 0 };
	struct accel_error err;
	struct cli_inputs in = { 0 };
	struct accel_device_info di = { 0 };
	uint32_t *pred = NULL, right = 0;
	uint64_t digest = 0xcbf29ce484222325ull;
	float *out = NULL;
	struct timespec t0, t1;
	int st, rc = parse(argc, argv, &o);

	if (rc)
		return rc < 0 ? EXIT_OK : rc;
	if (!o.cpu && (st = accel_open(o.node, &dev, &err)))
		return cli_report(st, &err);
	if (dev && (st = accel_device_info(dev, &di, &err))) {
		rc = cli_report(st, &err);
		goto out;
	}
	if ((st = accel_model_load(dev, o.model, &m, &err))) {
		rc = cli_report(st, &err);
		goto out;
	}
	accel_model_info(m, &mi, NULL);
	if ((rc = cli_load_inputs(o.input, o.raw, mi.inputs, o.limit, &in)))
		goto out;
	if (o.labels && (rc = cli_load_labels(o.labels, &in)))
		goto out;
	pred = malloc(in.count * sizeof(*pred));
	out = malloc((size_t)o.batch * mi.outputs * sizeof(*out));
	if (!pred || !out) {
		fprintf(stderr, "dcaccel: out of memory\n");
		rc = EXIT_FAIL;
		goto out;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (uint32_t at = 0; at < in.count; at += o.batch) {
		uint32_t n = in.count - at < o.batch ? in.count - at : o.batch;
		struct accel_stats s;

		st = accel_infer(m, o.cpu ? ACCEL_BACKEND_CPU : ACCEL_BACKEND_DEVICE, n,
				 in.x + (size_t)at * mi.inputs, out, &s, &err);
		if (st) {
			rc = cli_report(st, &err);
			goto out;
		}
		add_stats(&total, &s);
		digest = digest_add(digest, out, (size_t)n * mi.outputs);
		for (uint32_t r = 0; r < n; r++) {
			pred[at + r] = accel_argmax(out + (size_t)r * mi.outputs, mi.outputs);
			right += in.labels && pred[at + r] == in.labels[at + r];
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	print_result(&o, &in, pred, &total, right, &di,
		     (double)(t1.tv_sec - t0.tv_sec) +
		     (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9, digest);
out:
	free(pred);
	free(out);
	cli_inputs_free(&in);
	accel_model_free(m);
	accel_close(dev);
	return rc;
}
