// SPDX-License-Identifier: MIT
/*
 * The datapath benchmark over the EIE paper's nine layers. For each layer,
 * in one run: the engine's host time (single thread, batch 1, median),
 * OpenBLAS sgemv on the dense float layer, a CSR SpMV loop and librsb's
 * SpMV (one thread, tuned by rsb_tune_spmm) on the same sparse matrix, the
 * engine's decoded forms as libaccel's CPU path runs them (the rows form
 * for dense inputs), the effective bandwidth of the compressed streams against a
 * memcpy of the same size, and the cycle model at P = 64, Q = 8, 800 MHz
 * beside the paper's reported latency; then the cycle model's load balance
 * against the activation queue depth (the paper's Figure 8).
 *
 * Usage: eie_bench [--csv FILE] [--sweep-csv FILE] [--layer NAME] [--seed N]
 */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baselines.h"
#include "eie_encode.h"
#include "eie_threads.h"
#include "paper_layers.h"
#include "queue_sweep.h"
#include "rsb_spmv.h"
#include "bench_args.h"
#include "timing.h"
#include "../tests/lib/rng.h"

#define PES		DCACCEL_EIE_PES_DEFAULT
#define QUEUE		DCACCEL_EIE_QUEUE_DEFAULT
#define CLOCK_MHZ	800
#define WBITS		4
#define ZBITS		4
#define MIN_REPS	7
#define MIN_SECONDS	0.3

struct layer_data {
	uint32_t m, n;			/* outputs, inputs */
	uint32_t *colstart, *rowidx;	/* CSC of codebook indices */
	uint8_t *widx;
	int16_t codebook[1 << WBITS];
	struct eie_streams s;
	struct eie_layer l;
	struct csr csr;
	struct rsb_mtx_t *rsb;
	float *dense;			/* m x n row-major */
	int16_t *x;
	float *xf, *yf;
	int16_t *y;
	void *ws;
	void *decoded_buf, *rows_buf;
	struct eie_decoded decoded;
	struct eie_team team;		/* every core */
	void *team_ws;
};

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p) {
		fprintf(stderr, "eie_bench: out of memory (%zu bytes)\n", n);
		exit(1);
	}
	return p;
}

/* Uniform random sparsity: geometric gaps between kept weights. */
static void make_matrix(struct layer_data *d, double density, struct rng *r)
{
	size_t cap = (size_t)(density * d->m * d->n * 1.1) + 1024, nnz = 0;
	double lg = log1p(-density);

	d->colstart = xmalloc(((size_t)d->n + 1) * sizeof(uint32_t));
	d->rowidx = xmalloc(cap * sizeof(uint32_t));
	d->widx = xmalloc(cap);
	for (uint32_t j = 0; j < d->n; j++) {
		int64_t i = -1;

		d->colstart[j] = (uint32_t)nnz;
		for (;;) {
			double u = ((double)(rng_next(r) >> 11) + 0.5) / 9007199254740992.0;

			i += 1 + (int64_t)floor(log(u) / lg);
			if (i >= d->m)
				break;
			if (nnz == cap) {
				cap *= 2;
				d->rowidx = realloc(d->rowidx, cap * sizeof(uint32_t));
				d->widx = realloc(d->widx, cap);
				if (!d->rowidx || !d->widx)
					exit(1);
			}
			d->rowidx[nnz] = (uint32_t)i;
			d->widx[nnz++] = (uint8_t)rng_range(r, 1, (1 << WBITS) - 1);
		}
	}
	d->colstart[d->n] = (uint32_t)nnz;
}

/* The same weights as float, dense and CSR, at w_frac. */
static void make_float_forms(struct layer_data *d)
{
	const float scale = 1.0f / (float)(1 << d->l.w_frac);
	uint32_t nnz = d->colstart[d->n], *fill;

	d->dense = calloc((size_t)d->m * d->n, sizeof(float));
	d->csr.rows = d->m;
	d->csr.cols = d->n;
	d->csr.rowstart = calloc((size_t)d->m + 1, sizeof(uint32_t));
	d->csr.col = xmalloc((size_t)nnz * sizeof(uint32_t));
	d->csr.val = xmalloc((size_t)nnz * sizeof(float));
	fill = xmalloc(((size_t)d->m + 1) * sizeof(uint32_t));
	if (!d->dense || !d->csr.rowstart)
		exit(1);
	for (uint32_t e = 0; e < nnz; e++)
		d->csr.rowstart[d->rowidx[e] + 1]++;
	for (uint32_t i = 0; i < d->m; i++)
		d->csr.rowstart[i + 1] += d->csr.rowstart[i];
	memcpy(fill, d->csr.rowstart, ((size_t)d->m + 1) * sizeof(uint32_t));
	for (uint32_t j = 0; j < d->n; j++) {
		for (uint32_t e = d->colstart[j]; e < d->colstart[j + 1]; e++) {
			uint32_t i = d->rowidx[e];
			float w = d->codebook[d->widx[e]] * scale;

			d->csr.col[fill[i]] = j;
			d->csr.val[fill[i]++] = w;
			d->dense[(size_t)i * d->n + j] = w;
		}
	}
	free(fill);
}

static void make_input(struct layer_data *d, double density, struct rng *r)
{
	d->x = xmalloc((size_t)d->n * sizeof(int16_t));
	d->xf = xmalloc((size_t)d->n * sizeof(float));
	d->yf = xmalloc((size_t)d->m * sizeof(float));
	d->y = xmalloc((size_t)d->m * sizeof(int16_t));
	for (uint32_t j = 0; j < d->n; j++) {
		d->x[j] = rng_chance(r, density) ?
			(int16_t)rng_range(r, 1, 1 << 10) : 0;
		d->xf[j] = (float)d->x[j] / (float)(1 << d->l.in_frac);
	}
}

static int build_layer(struct layer_data *d, const struct paper_layer *p,
		       uint64_t seed)
{
	struct rng r = { seed };
	struct eie_error err;

	d->m = p->outputs;
	d->n = p->inputs;
	d->codebook[0] = 0;
	for (int w = 1; w < 1 << WBITS; w++)
		d->codebook[w] = (int16_t)rng_range(&r, -(1 << 12), 1 << 12);
	make_matrix(d, p->weight_density, &r);
	if (eie_encode_csc(d->colstart, d->rowidx, d->widx, d->m, d->n, PES,
			   WBITS, ZBITS, &d->s, &err)) {
		fprintf(stderr, "eie_bench: %s: %s\n", p->name, err.msg);
		return -1;
	}
	eie_streams_to_layer(&d->s, &d->l);
	d->l.codebook = d->codebook;
	d->l.codebook_len = 1 << WBITS;
	d->l.in_frac = 8;
	d->l.w_frac = 12;
	d->l.out_frac = 8;
	d->l.relu = true;
	if (eie_validate(&d->l, &err)) {
		fprintf(stderr, "eie_bench: %s: %s\n", p->name, err.msg);
		return -1;
	}
	make_float_forms(d);
	d->rsb = rsb_from_csr(&d->csr);
	if (!d->rsb)
		return -1;
	make_input(d, p->act_density, &r);
	if (rsb_tune(&d->rsb, d->xf, d->yf))
		return -1;
	d->ws = xmalloc(eie_run_ws_size(&d->l));
	d->decoded_buf = xmalloc(eie_decoded_size(&d->l));
	d->rows_buf = xmalloc(eie_decoded_rows_size(&d->l) + 1);
	eie_threads_team(&d->team, eie_threads_default(NULL));
	d->team_ws = xmalloc(eie_run_team_ws_size(&d->l, d->team.parts));
	return 0;
}

static void free_layer(struct layer_data *d)
{
	eie_streams_free(&d->s);
	free(d->colstart);
	free(d->rowidx);
	free(d->widx);
	free(d->dense);
	free(d->csr.rowstart);
	free(d->csr.col);
	free(d->csr.val);
	rsb_free(d->rsb);
	free(d->x);
	free(d->xf);
	free(d->yf);
	free(d->y);
	free(d->ws);
	free(d->decoded_buf);
	free(d->rows_buf);
	free(d->team_ws);
}

static void run_engine_once(void *arg)
{
	struct layer_data *d = arg;

	eie_run(&d->l, 1, d->x, d->y, d->ws, NULL);
}

static void decode_once(void *arg)
{
	struct layer_data *d = arg;

	eie_decode_layer(&d->l, d->decoded_buf, &d->decoded);
	eie_decode_rows(&d->decoded, d->rows_buf);
}

static void run_decoded_once(void *arg)
{
	struct layer_data *d = arg;

	eie_run_decoded(&d->decoded, 1, d->x, d->y, d->ws, NULL);
}

static void run_team_once(void *arg)
{
	struct layer_data *d = arg;

	eie_run_decoded_team(&d->decoded, 1, d->x, d->y, d->team_ws, NULL,
			     NULL, &d->team);
}

static void run_sgemv_once(void *arg)
{
	struct layer_data *d = arg;

	cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)d->m, (int)d->n, 1.0f,
		    d->dense, (int)d->n, d->xf, 1, 0.0f, d->yf, 1);
}

static void run_csr_once(void *arg)
{
	struct layer_data *d = arg;

	csr_spmv(&d->csr, d->xf, d->yf);
}

static void run_rsb_once(void *arg)
{
	struct layer_data *d = arg;

	rsb_spmv_run(d->rsb, d->xf, d->yf);
}

struct copy_job {
	void *dst;
	const void *src;
	size_t bytes;
};

static void run_memcpy_once(void *arg)
{
	struct copy_job *c = arg;

	memcpy(c->dst, c->src, c->bytes);
	__asm__ volatile("" : : "r"(c->dst) : "memory");
}

/* The forms whose bytes and rates the second table compares. */
enum { F_STREAM, F_DECODED, F_CSR, F_RSB, FORMS };

struct result {
	const struct paper_layer *p;
	double engine_us, decoded_us, decode_us, sgemv_us, csr_us, rsb_us;
	double team_us;			/* the decoded form on every core */
	uint32_t threads;
	bool rows;			/* the decoded form took its rows form */
	size_t bytes[FORMS];		/* read for one vector */
	double memcpy_mbs_of[FORMS];	/* memcpy of as many bytes */
	double stream_mbs, memcpy_mbs;
	uint64_t entries, cycles;
	double model_us, theory_us, efficiency;
	double sweep_eff[SWEEP_DEPTHS], sweep_cycles[SWEEP_DEPTHS];
};

static void measure(struct layer_data *d, const struct paper_layer *p,
		    struct result *res)
{
	struct eie_stats st = { 0 };
	struct eie_cycles cyc = { 0 };
	void *cws = xmalloc(eie_cycles_ws_size(PES, QUEUE));
	size_t stream_bytes;
	struct copy_job copy;

	res->p = p;
	eie_run(&d->l, 1, d->x, d->y, d->ws, &st);
	eie_model_cycles(&d->l, QUEUE, 1, d->x, cws, &cyc, NULL);
	free(cws);

	res->engine_us = median_time(run_engine_once, d, MIN_REPS, MIN_SECONDS) * 1e6;
	res->decode_us = median_time(decode_once, d, MIN_REPS, MIN_SECONDS) * 1e6;
	res->decoded_us = median_time(run_decoded_once, d, MIN_REPS, MIN_SECONDS) * 1e6;
	res->sgemv_us = median_time(run_sgemv_once, d, MIN_REPS, MIN_SECONDS) * 1e6;
	res->csr_us = median_time(run_csr_once, d, MIN_REPS, MIN_SECONDS) * 1e6;
	res->rsb_us = median_time(run_rsb_once, d, MIN_REPS, MIN_SECONDS) * 1e6;

	res->threads = d->team.parts;
	res->team_us = median_wall_time(run_team_once, d, MIN_REPS, MIN_SECONDS) * 1e6;

	/* entries read plus a pointer pair per PE per non-zero activation */
	stream_bytes = st.entries * DCACCEL_EIE_ENTRY_BYTES(WBITS, ZBITS) +
		       st.nonzero_acts * PES * 2 * sizeof(uint32_t);
	res->bytes[F_STREAM] = stream_bytes;
	res->rows = eie_decoded_choice(&d->decoded, d->x) == EIE_FORM_ROWS;
	/* rows form: every slot, the row order and the chunk starts */
	res->bytes[F_DECODED] = res->rows ?
		d->decoded.rows.start[d->decoded.rows.chunks] * sizeof(uint16_t) +
		(size_t)d->m * sizeof(uint64_t) +
		((size_t)d->decoded.rows.chunks + 1) * sizeof(uint64_t) :
		/* column form: (row, index) per entry met, two pairs per input */
		(st.entries - st.padding) * (sizeof(uint32_t) + 1) +
		st.nonzero_acts * 4 * sizeof(uint32_t);
	res->bytes[F_CSR] = (size_t)d->csr.rowstart[d->m] *
			    (sizeof(float) + sizeof(uint32_t)) +
			    ((size_t)d->m + 1) * sizeof(uint32_t);
	res->bytes[F_RSB] = rsb_bytes(d->rsb);
	for (int f = 0; f < FORMS; f++) {
		copy.bytes = res->bytes[f];
		copy.src = xmalloc(copy.bytes);
		copy.dst = xmalloc(copy.bytes);
		memset((void *)copy.src, 0x5a, copy.bytes);
		res->memcpy_mbs_of[f] = copy.bytes /
			(median_time(run_memcpy_once, &copy, MIN_REPS, MIN_SECONDS) * 1e6);
		free((void *)copy.src);
		free(copy.dst);
	}
	res->stream_mbs = stream_bytes / res->engine_us;
	res->memcpy_mbs = res->memcpy_mbs_of[F_STREAM];

	res->entries = st.entries;
	res->cycles = cyc.cycles;
	res->model_us = eie_cycles_to_ns(cyc.cycles, CLOCK_MHZ) / 1000.0;
	res->theory_us = eie_cycles_to_ns((st.entries + PES - 1) / PES,
					  CLOCK_MHZ) / 1000.0;
	res->efficiency = cyc.cycles ? (double)cyc.busy / ((double)PES * cyc.cycles) : 0;
	if (queue_sweep(&d->l, p->act_density,
			(uint64_t)p->inputs * 31 + p->outputs, res->sweep_eff,
			res->sweep_cycles)) {
		fprintf(stderr, "eie_bench: out of memory\n");
		exit(1);
	}
}

/*
 * Per form: the bytes it reads for one vector, its rate over them, and
 * that rate against memcpy's on as many bytes (how close to the memory
 * limit); then the decoded form on every core against one.
 */
static void print_memory(const struct result *r, int n)
{
	static const char *const names[FORMS] = { "stream", "decod", "csr", "rsb" };

	printf("\nBytes each form reads for one vector (KB), its rate (MB/s) and that rate against memcpy of as many bytes (%%), one thread; then the decoded form on %u threads (wall clock):\n",
	       r[0].threads);
	printf("%-8s", "layer");
	for (int f = 0; f < FORMS; f++)
		printf(" | %7s_KB %6s %5s", names[f], "MB/s", "mcpy%");
	printf(" | %5s %9s %9s %7s %7s\n", "form", "decod_us", "decN_us",
	       "N/1", "DN/rsb");
	for (int i = 0; i < n; i++) {
		const double us[FORMS] = { r[i].engine_us, r[i].decoded_us,
					   r[i].csr_us, r[i].rsb_us };

		printf("%-8s", r[i].p->name);
		for (int f = 0; f < FORMS; f++)
			printf(" | %10.0f %6.0f %5.0f", r[i].bytes[f] / 1e3,
			       r[i].bytes[f] / us[f],
			       r[i].bytes[f] / us[f] / r[i].memcpy_mbs_of[f] * 100);
		printf(" | %5s %9.1f %9.1f %7.2f %7.2f\n",
		       r[i].rows ? "rows" : "cols", r[i].decoded_us,
		       r[i].team_us, r[i].decoded_us / r[i].team_us,
		       r[i].rsb_us / r[i].team_us);
	}
}

/* Figure 8: efficiency per queue depth (rows) and layer (columns). */
static void print_sweep(const struct result *r, int n)
{
	printf("\nLoad-balance efficiency (PE busy / (P x cycles)) against the activation queue depth, cycle model, P=%d, %d random inputs per layer at its activation density:\n",
	       PES, SWEEP_VECTORS);
	printf("%5s", "depth");
	for (int j = 0; j < n; j++)
		printf(" %8s", r[j].p->name);
	printf("\n");
	for (int i = 0; i < SWEEP_DEPTHS; i++) {
		printf("%5u", sweep_depth(i));
		for (int j = 0; j < n; j++)
			printf(" %7.1f%%", r[j].sweep_eff[i] * 100);
		printf("\n");
	}
}

static void write_sweep_csv(FILE *f, const struct result *r, int n)
{
	fprintf(f, "depth");
	for (int j = 0; j < n; j++)
		fprintf(f, ",%s", r[j].p->name);
	fprintf(f, "\n");
	for (int i = 0; i < SWEEP_DEPTHS; i++) {
		fprintf(f, "%u", sweep_depth(i));
		for (int j = 0; j < n; j++)
			fprintf(f, ",%.4f", r[j].sweep_eff[i]);
		fprintf(f, "\n");
	}
}

/* Write a CSV with fn: 0, or 1 with a message. */
static int save_csv(const char *path, void (*fn)(FILE *, const struct result *, int),
		    const struct result *r, int n)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "eie_bench: cannot write %s: %s\n", path,
			strerror(errno));
		return 1;
	}
	fn(f, r, n);
	fclose(f);
	printf("CSV: %s\n", path);
	return 0;
}

static void print_header(void)
{
	printf("%-8s %12s %5s %5s | %9s %9s %9s %9s %9s %9s %7s %7s %7s %7s %7s %7s | %9s %9s | %8s %8s %7s %7s %8s %6s\n",
	       "layer", "size", "w%", "a%", "stream_us", "decod_us", "decode1x",
	       "sgemv_us", "csr_us", "rsb_us", "S/sgemv", "S/csr", "S/rsb",
	       "D/sgemv", "D/csr", "D/rsb",
	       "strm_MB/s", "mcpy_MB/s", "model_us",
	       "paper_us", "dev%", "theo_us", "paper_th", "eff%");
}

static void print_row(const struct result *r)
{
	char size[32];

	snprintf(size, sizeof(size), "%ux%u", r->p->inputs, r->p->outputs);
	printf("%-8s %12s %5.1f %5.1f | %9.1f %9.1f %9.1f %9.1f %9.1f %9.1f %7.2f %7.2f %7.2f %7.2f %7.2f %7.2f | %9.0f %9.0f | %8.2f %8.1f %+7.1f %7.2f %8.1f %6.1f\n",
	       r->p->name, size, r->p->weight_density * 100,
	       r->p->act_density * 100, r->engine_us, r->decoded_us,
	       r->decode_us, r->sgemv_us, r->csr_us, r->rsb_us,
	       r->sgemv_us / r->engine_us, r->csr_us / r->engine_us,
	       r->rsb_us / r->engine_us,
	       r->sgemv_us / r->decoded_us, r->csr_us / r->decoded_us,
	       r->rsb_us / r->decoded_us,
	       r->stream_mbs, r->memcpy_mbs, r->model_us, r->p->actual_us,
	       (r->model_us / r->p->actual_us - 1) * 100, r->theory_us,
	       r->p->theoretical_us, r->efficiency * 100);
	fflush(stdout);
}

static void write_csv(FILE *f, const struct result *r, int n)
{
	fprintf(f, "layer,inputs,outputs,weight_density,act_density,engine_streams_us,engine_decoded_us,decode_once_us,sgemv_us,csr_us,rsb_us,streams_vs_sgemv,streams_vs_csr,streams_vs_rsb,decoded_vs_sgemv,decoded_vs_csr,decoded_vs_rsb,stream_MBps,memcpy_MBps,entries,model_cycles,model_us,paper_actual_us,deviation_pct,theoretical_us,paper_theoretical_us,load_efficiency,decoded_form,decoded_threads,decoded_threads_us,stream_bytes,decoded_bytes,csr_bytes,rsb_bytes,stream_memcpy_MBps,decoded_memcpy_MBps,csr_memcpy_MBps,rsb_memcpy_MBps\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s,%u,%u,%.3f,%.3f,%.2f,%.2f,%.2f,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f,%.3f,%.3f,%.3f,%.0f,%.0f,%llu,%llu,%.3f,%.1f,%.2f,%.3f,%.1f,%.4f,%s,%u,%.2f,%zu,%zu,%zu,%zu,%.0f,%.0f,%.0f,%.0f\n",
			r[i].p->name, r[i].p->inputs, r[i].p->outputs,
			r[i].p->weight_density, r[i].p->act_density,
			r[i].engine_us, r[i].decoded_us, r[i].decode_us,
			r[i].sgemv_us, r[i].csr_us, r[i].rsb_us,
			r[i].sgemv_us / r[i].engine_us,
			r[i].csr_us / r[i].engine_us,
			r[i].rsb_us / r[i].engine_us,
			r[i].sgemv_us / r[i].decoded_us,
			r[i].csr_us / r[i].decoded_us,
			r[i].rsb_us / r[i].decoded_us, r[i].stream_mbs,
			r[i].memcpy_mbs, (unsigned long long)r[i].entries,
			(unsigned long long)r[i].cycles, r[i].model_us,
			r[i].p->actual_us,
			(r[i].model_us / r[i].p->actual_us - 1) * 100,
			r[i].theory_us, r[i].p->theoretical_us,
			r[i].efficiency, r[i].rows ? "rows" : "columns",
			r[i].threads, r[i].team_us, r[i].bytes[F_STREAM],
			r[i].bytes[F_DECODED], r[i].bytes[F_CSR],
			r[i].bytes[F_RSB], r[i].memcpy_mbs_of[F_STREAM],
			r[i].memcpy_mbs_of[F_DECODED],
			r[i].memcpy_mbs_of[F_CSR], r[i].memcpy_mbs_of[F_RSB]);
}

int main(int argc, char **argv)
{
	const int count = sizeof(paper_layers) / sizeof(paper_layers[0]);
	struct result res[sizeof(paper_layers) / sizeof(paper_layers[0])];
	struct bench_args a;
	int n = 0, ret;

	if ((ret = bench_parse_args(argc, argv, "eie_bench", true, &a)))
		return ret;

	openblas_set_num_threads(1);
	if (rsb_start())
		return 1;
	printf("EIE datapath on the host, one thread, batch 1; P=%d, Q=%d, %d MHz, %d+%d-bit entries, seed %llu\n",
	       PES, QUEUE, CLOCK_MHZ, WBITS, ZBITS, (unsigned long long)a.seed);
	printf("baselines (one thread): OpenBLAS %s sgemv (dense float32), CSR SpMV loop (float32), librsb %s SpMV (float32, its RSB format tuned by rsb_tune_spmm); times are medians of this thread's CPU time\n",
	       openblas_get_corename(), rsb_version());
	print_header();
	for (int i = 0; i < count; i++) {
		struct layer_data d = { 0 };

		if (a.only && strcmp(a.only, paper_layers[i].name))
			continue;
		if (build_layer(&d, &paper_layers[i], a.seed + (uint64_t)i)) {
			free_layer(&d);
			return 1;
		}
		measure(&d, &paper_layers[i], &res[n]);
		print_row(&res[n++]);
		free_layer(&d);
	}
	if (!n)
		return bench_usage("eie_bench", true, "no layer of that name");
	print_memory(res, n);
	print_sweep(res, n);
	if ((a.csv && save_csv(a.csv, write_csv, res, n)) ||
	    (a.sweep_csv && save_csv(a.sweep_csv, write_sweep_csv, res, n)))
		return 1;
	rsb_stop();
	return 0;
}
