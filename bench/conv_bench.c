// SPDX-License-Identifier: MIT
/*
 * The conv benchmark: the datapath's CONV op on the host (dp_conv_run(),
 * the code the device runs, which prepares the filters' host forms on
 * every call; and dp_conv_run_prepared() from forms prepared once, with
 * that one-time cost beside it; one thread, batch 1, int16 fixed point)
 * against what a user would pick instead, on the same layers, weights and
 * input in one run: oneDNN's float32 convolution, OpenBLAS im2col + sgemm
 * (both dense), and a straightforward CSR sparse direct convolution
 * (float32). LeNet-5's convolutions and AlexNet's conv2..conv5 at Deep
 * Compression's densities and at 10%. The engine's outputs are checked
 * against oneDNN's (after ReLU and the engine's rounding) so that all
 * compute the same layer. Then the cycle model of each layer (P = 64,
 * Q = 8, 800 MHz) and its PE load balance.
 *
 * Usage: conv_bench [--csv FILE] [--layer NAME] [--seed N]
 */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv_engine.h"
#include "csr_conv.h"
#include "im2col_conv.h"
#include "onednn_conv.h"
#include "bench_args.h"
#include "timing.h"

#define CLOCK_MHZ	800
#define MIN_REPS	5
#define MIN_SECONDS	0.3

struct row {
	const char *name;
	double w_density, a_density;
	double engine_ms, prep_ms, prep1x_ms, onednn_ms, im2col_ms, csr_ms;
	uint64_t macs, dense_macs;
	int max_diff;		/* engine vs oneDNN, output LSBs */
	struct eie_cycles cy;	/* the cycle model */
	uint64_t busy_min, busy_max, entries, nonzero;
	char impl[64];
};

struct work {
	struct bench_conv *b;
	void *ws, *prep_buf, *prep_ws;
	struct dp_conv_prepared prep;
	int16_t *y;
	struct onednn_conv *dnn;
	float *col, *xpad, *yf;
	struct csr_filters csr;
};

static void run_engine(void *arg)
{
	struct work *w = arg;

	dp_conv_run(&w->b->c, 1, w->b->x, w->y, w->ws, NULL, NULL);
}

static void run_prepared(void *arg)
{
	struct work *w = arg;

	dp_conv_run_prepared(&w->prep, 1, w->b->x, w->y, w->prep_ws, NULL, NULL);
}

static void prepare(void *arg)
{
	struct work *w = arg;

	dp_conv_prepare(&w->b->c, w->prep_buf, &w->prep);
}

static void run_onednn(void *arg)
{
	onednn_conv_run(((struct work *)arg)->dnn);
}

static void run_im2col(void *arg)
{
	struct work *w = arg;

	im2col_conv(&w->b->s, w->b->wf, w->b->xf, w->col, w->yf);
}

static void run_csr(void *arg)
{
	struct work *w = arg;

	csr_conv(&w->b->s, &w->csr, w->b->xf, w->xpad, w->yf);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "conv_bench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

/* The largest difference, in output LSBs, of the engine from ref. */
static int max_diff(const int16_t *y, const float *ref, size_t n)
{
	const float scale = (float)(1 << CONV_OUT_FRAC);
	int worst = 0;

	for (size_t i = 0; i < n; i++) {
		float v = ref[i] > 0 ? ref[i] * scale : 0.0f;
		long q = lrintf(v > 32767.0f ? 32767.0f : v);
		int d = abs((int)(y[i] - q));

		worst = d > worst ? d : worst;
	}
	return worst;
}

/* The cycle model at CONV_QUEUE, with the busiest and idlest PE. */
static int model(const struct bench_conv *b, struct row *res)
{
	uint64_t busy[CONV_PES] = { 0 };
	void *ws = xmalloc(dp_conv_cycles_ws_size(&b->c, CONV_QUEUE));

	if (dp_conv_model_cycles(&b->c, CONV_QUEUE, 1, b->x, ws, &res->cy,
				 busy, NULL))
		return -1;
	free(ws);
	res->busy_min = res->busy_max = busy[0];
	for (int p = 1; p < CONV_PES; p++) {
		res->busy_min = busy[p] < res->busy_min ? busy[p] : res->busy_min;
		res->busy_max = busy[p] > res->busy_max ? busy[p] : res->busy_max;
	}
	return 0;
}

static int measure(const struct conv_layer_def *def, double density,
		   uint64_t seed, struct row *res)
{
	struct bench_conv b = { 0 };
	struct eie_stats st = { 0 };
	struct work w = { .b = &b };

	if (bench_conv_build(&b, def, density, seed))
		return -1;
	w.ws = xmalloc(dp_conv_run_ws_size(&b.c));
	w.prep_buf = xmalloc(dp_conv_prepared_size(&b.c));
	w.prep_ws = xmalloc(dp_conv_prepared_ws_size(&b.c));
	w.y = xmalloc(bench_conv_out_n(&b) * sizeof(int16_t));
	w.yf = xmalloc(bench_conv_out_n(&b) * sizeof(float));
	w.col = xmalloc(im2col_floats(&b.s) * sizeof(float));
	w.xpad = xmalloc(csr_conv_pad_floats(&b.s) * sizeof(float));
	w.dnn = onednn_conv_create(&b.s, b.wf, b.xf);
	if (!w.dnn || csr_filters_build(&b.s, b.wf, &w.csr))
		return -1;

	dp_conv_run(&b.c, 1, b.x, w.y, w.ws, &st, NULL);
	onednn_conv_run(w.dnn);
	if (onednn_conv_output(w.dnn, w.yf))
		return -1;
	res->name = def->name;
	res->w_density = density;
	res->a_density = CONV_ACT_DENSITY;
	res->macs = st.macs;
	res->dense_macs = (uint64_t)b.s.k * b.s.c * b.s.r * b.s.s * b.s.oh * b.s.ow;
	res->max_diff = max_diff(w.y, w.yf, bench_conv_out_n(&b));
	res->entries = st.entries;
	res->nonzero = st.nonzero_acts;
	if (model(&b, res))
		return -1;
	snprintf(res->impl, sizeof(res->impl), "%s", onednn_conv_impl(w.dnn));

	res->engine_ms = median_time(run_engine, &w, MIN_REPS, MIN_SECONDS) * 1e3;
	res->prep1x_ms = median_time(prepare, &w, MIN_REPS, MIN_SECONDS) * 1e3;
	res->prep_ms = median_time(run_prepared, &w, MIN_REPS, MIN_SECONDS) * 1e3;
	res->onednn_ms = median_time(run_onednn, &w, MIN_REPS, MIN_SECONDS) * 1e3;
	res->im2col_ms = median_time(run_im2col, &w, MIN_REPS, MIN_SECONDS) * 1e3;
	res->csr_ms = median_time(run_csr, &w, MIN_REPS, MIN_SECONDS) * 1e3;

	onednn_conv_free(w.dnn);
	csr_filters_free(&w.csr);
	free(w.ws);
	free(w.prep_buf);
	free(w.prep_ws);
	free(w.y);
	free(w.yf);
	free(w.col);
	free(w.xpad);
	bench_conv_free(&b);
	return 0;
}

static void print_header(void)
{
	printf("%-9s %4s %4s | %9s %8s %8s | %9s %9s %9s | %8s %8s %6s | %8s %8s %6s | %7s %7s %4s %s\n",
	       "layer", "w%", "a%", "engine_ms", "prep_ms", "prep1x",
	       "onednn_ms", "im2col_ms", "csr_ms", "E/onednn", "E/im2col",
	       "E/csr", "P/onednn", "P/im2col", "P/csr", "MACs_M", "dense_M",
	       "diff", "onednn_impl");
}

static void print_row(const struct row *r)
{
	printf("%-9s %4.0f %4.0f | %9.3f %8.3f %8.3f | %9.3f %9.3f %9.3f | %8.2f %8.2f %6.2f | %8.2f %8.2f %6.2f | %7.1f %7.1f %4d %s\n",
	       r->name, r->w_density * 100, r->a_density * 100, r->engine_ms,
	       r->prep_ms, r->prep1x_ms, r->onednn_ms, r->im2col_ms, r->csr_ms,
	       r->onednn_ms / r->engine_ms, r->im2col_ms / r->engine_ms,
	       r->csr_ms / r->engine_ms, r->onednn_ms / r->prep_ms,
	       r->im2col_ms / r->prep_ms, r->csr_ms / r->prep_ms,
	       r->macs / 1e6, r->dense_macs / 1e6, r->max_diff, r->impl);
	fflush(stdout);
}

static void print_cycles(const struct row *r, int n)
{
	printf("\nCycle model (P=%d, Q=%d, %d MHz), one map: busy = PE cycles over all PEs; eff = busy / (P x cycles); ideal = busy / P\n",
	       CONV_PES, CONV_QUEUE, CLOCK_MHZ);
	printf("%-9s %4s | %10s %9s %10s %6s | %10s %10s %10s | %8s %9s\n",
	       "layer", "w%", "cycles", "model_us", "ideal", "eff%",
	       "busy_min", "busy_max", "stalls", "nz_acts", "entries");
	for (int i = 0; i < n; i++)
		printf("%-9s %4.0f | %10llu %9.1f %10.0f %6.1f | %10llu %10llu %10llu | %8llu %9llu\n",
		       r[i].name, r[i].w_density * 100,
		       (unsigned long long)r[i].cy.cycles,
		       eie_cycles_to_ns(r[i].cy.cycles, CLOCK_MHZ) / 1000.0,
		       (double)r[i].cy.busy / CONV_PES,
		       r[i].cy.cycles ? 100.0 * r[i].cy.busy /
				       ((double)CONV_PES * r[i].cy.cycles) : 0,
		       (unsigned long long)r[i].busy_min,
		       (unsigned long long)r[i].busy_max,
		       (unsigned long long)r[i].cy.lnzd_stalls,
		       (unsigned long long)r[i].nonzero,
		       (unsigned long long)r[i].entries);
}

static void write_csv(FILE *f, const struct row *r, int n)
{
	fprintf(f, "layer,weight_density,act_density,engine_ms,prepared_ms,prepare_once_ms,onednn_ms,im2col_sgemm_ms,csr_direct_ms,onednn_over_engine,im2col_over_engine,csr_over_engine,onednn_over_prepared,im2col_over_prepared,csr_over_prepared,engine_macs,dense_macs,max_diff_lsb,model_cycles,model_us,pe_busy_total,load_efficiency,pe_busy_min,pe_busy_max,lnzd_stalls,onednn_impl\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s,%.3f,%.3f,%.4f,%.4f,%.4f,%.4f,%.4f,%.4f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%llu,%llu,%d,%llu,%.3f,%llu,%.4f,%llu,%llu,%llu,%s\n",
			r[i].name, r[i].w_density, r[i].a_density,
			r[i].engine_ms, r[i].prep_ms, r[i].prep1x_ms,
			r[i].onednn_ms, r[i].im2col_ms,
			r[i].csr_ms, r[i].onednn_ms / r[i].engine_ms,
			r[i].im2col_ms / r[i].engine_ms,
			r[i].csr_ms / r[i].engine_ms,
			r[i].onednn_ms / r[i].prep_ms,
			r[i].im2col_ms / r[i].prep_ms,
			r[i].csr_ms / r[i].prep_ms,
			(unsigned long long)r[i].macs,
			(unsigned long long)r[i].dense_macs, r[i].max_diff,
			(unsigned long long)r[i].cy.cycles,
			eie_cycles_to_ns(r[i].cy.cycles, CLOCK_MHZ) / 1000.0,
			(unsigned long long)r[i].cy.busy,
			r[i].cy.cycles ? (double)r[i].cy.busy /
					 ((double)CONV_PES * r[i].cy.cycles) : 0,
			(unsigned long long)r[i].busy_min,
			(unsigned long long)r[i].busy_max,
			(unsigned long long)r[i].cy.lnzd_stalls, r[i].impl);
}

int main(int argc, char **argv)
{
	const int count = sizeof(conv_layers) / sizeof(conv_layers[0]);
	struct row res[2 * sizeof(conv_layers) / sizeof(conv_layers[0])];
	struct bench_args a;
	int n = 0, ret;

	if ((ret = bench_parse_args(argc, argv, "conv_bench", false, &a)))
		return ret;

	/* one thread for every library: OpenBLAS, and OpenMP under oneDNN */
	openblas_set_num_threads(1);
	omp_set_num_threads(1);
	printf("CONV op on the host, one thread, batch 1; P=%d, %d+%d-bit entries, in/w/out frac %d/%d/%d, ReLU; seed %llu\n",
	       CONV_PES, CONV_WBITS, CONV_ZBITS, CONV_IN_FRAC, CONV_W_FRAC,
	       CONV_OUT_FRAC, (unsigned long long)a.seed);
	printf("baselines (float32, %d OpenMP thread, %d OpenBLAS thread): oneDNN %s convolution (algorithm auto, its own formats, reorders not timed); OpenBLAS %s im2col + sgemm (dense); CSR sparse direct convolution (same non-zero weights); times are medians of this thread's CPU time\n",
	       omp_get_max_threads(), openblas_get_num_threads(),
	       onednn_version(), openblas_get_corename());
	printf("engine: dp_conv_run() as the device calls it, the filters' host forms built on every call; prep: dp_conv_run_prepared() from forms built once (prep1x, the one-time cost)\n");
	printf("E/x, P/x: x's time over engine's, prep's (above 1: the engine is faster); diff: largest gap of the engine's int16 outputs from oneDNN's, in output LSBs\n");
	print_header();
	for (int i = 0; i < count; i++) {
		const double dens[2] = { conv_layers[i].dc_density,
					 CONV_LOW_DENSITY };

		if (a.only && strcmp(a.only, conv_layers[i].name))
			continue;
		for (int d = 0; d < 2; d++) {
			if (measure(&conv_layers[i], dens[d],
				    a.seed + (uint64_t)(2 * i + d), &res[n]))
				return 1;
			print_row(&res[n++]);
		}
	}
	if (!n)
		return bench_usage("conv_bench", false, "no layer of that name");
	print_cycles(res, n);
	if (a.csv) {
		FILE *f = fopen(a.csv, "w");

		if (!f) {
			fprintf(stderr, "conv_bench: cannot write %s: %s\n", a.csv,
				strerror(errno));
			return 1;
		}
		write_csv(f, res, n);
		fclose(f);
		printf("CSV: %s\n", a.csv);
	}
	return 0;
}
