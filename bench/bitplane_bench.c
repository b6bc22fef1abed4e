// SPDX-License-Identifier: MIT
/*
 * The bit-plane op against the EIE op and OpenBLAS on XNOR-Net layers
 * (Rastegari et al. 2016): binary weights W in {-1,+1} with a scale alpha
 * per row, binary inputs x in {-1,+1} with one scale beta, and
 *
 *     y[i] = alpha[i] beta sum_j W[i][j] x[j]
 *
 * computed in one run, one thread, batch 1 and 64, on the same weights
 * and inputs by
 *
 *   - the bit-plane op, dp_bitplane_run() (hardware.rst, "Bit-plane
 *     layers"): Kw = Ka = 1, both planes SIGNED, bw[i] = alpha[i] and
 *     ba = beta in fixed point;
 *   - the EIE op, eie_run() on the per-PE streams, and eie_run_decoded()
 *     on their decoded form (libaccel's CPU backend): the signs as a dense
 *     layer of codebook {0, +1, -1} (index 0 is the zero weight, which no
 *     weight is), inputs +-beta in fixed point; one codebook per layer
 *     cannot hold a scale per row, so alpha is left out (the work is the
 *     same);
 *   - OpenBLAS on float32 copies: sgemv for batch 1, sgemm for batch 64.
 *
 * Before any timing every output of each is checked against the exact
 * integer dot products of a plain loop: the bit-plane op and the EIE op
 * bit for bit (the EIE op also at beta = 1, where its outputs are the dot
 * products themselves), OpenBLAS within the float rounding bound of a dot
 * product; a mismatch ends the program.
 *
 * Usage: bitplane_bench [--csv FILE] [--layer NAME] [--seed N] [--iters N]
 */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dcaccel/dcaccel_bitplane.h"
#include "dp_bitplane.h"
#include "dp_isa.h"
#include "eie_encode.h"
#include "bench_args.h"
#include "timing.h"
#include "../tests/lib/rng.h"
#include "../userspace/common/cliopt.h"

#define PROG		"bitplane_bench"
#define PES		DCACCEL_EIE_PES_DEFAULT
#define WBITS		2	/* codebook {0, +1, -1} */
#define ZBITS		4	/* a dense layer has no zero runs: 1-byte entries */
#define BATCH_MAX	64
#define BW_FRAC		15	/* alpha */
#define BA_FRAC		13	/* beta, and the EIE op's inputs */
#define OUT_FRAC	8
#define ITERS_DEFAULT	7
#define ITERS_MAX	1000	/* what median_time() keeps */
#define MIN_SECONDS	0.1	/* short figures run on until this much */

/* The layers: XNOR-Net's binarized FC layers of these shapes. */
struct xnor_layer {
	const char *name;
	unsigned int inputs, outputs;
};

static const struct xnor_layer xnor_layers[] = {
	{ "LeNet-fc1",  784,  300 },	/* LeNet-300-100 */
	{ "LeNet-fc2",  300,  100 },
	{ "FC-1024",   1024, 1024 },
	{ "Alex-7",    4096, 4096 },	/* AlexNet's fc7 */
};
#define LAYER_COUNT	(sizeof(xnor_layers) / sizeof(xnor_layers[0]))

static const uint32_t batches[] = { 1, BATCH_MAX };
#define BATCH_COUNT	(sizeof(batches) / sizeof(batches[0]))

struct layer_data {
	const struct xnor_layer *p;
	uint32_t m, n, words;		/* outputs, inputs, plane words */
	uint32_t batch;			/* of the run at hand */
	int8_t *w, *x;			/* m x n and BATCH_MAX x n signs */
	int64_t *dot;			/* BATCH_MAX x m, the plain loop's */
	int16_t *alpha, beta;		/* at BW_FRAC and BA_FRAC */
	int16_t *y;			/* BATCH_MAX x m */
	/* the bit-plane op */
	uint64_t *wplanes, *xplanes;
	struct dp_bitplane bp;
	/* the EIE op */
	int16_t codebook[3];
	struct eie_streams s;
	struct eie_layer el;
	struct eie_decoded dec;
	int16_t *xe;			/* BATCH_MAX x n at BA_FRAC */
	void *ws, *dec_buf;
	/* OpenBLAS */
	float *wf, *xf, *yf;		/* alpha[i] W[i][j], beta x[j], y */
	void *owned[24];		/* what layer_alloc() gave, to free */
	unsigned int owned_count;
};

/* What is timed, in the table's order. */
/* BITPLANE_POPCNT: the bit-plane op held to its POPCNT path (no VPOPCNTQ) */
enum impl { BITPLANE, BITPLANE_POPCNT, EIE, EIE_DECODED, OPENBLAS, IMPLS };

struct run {
	struct layer_data *l;
	enum impl impl;
};

struct result {
	const struct xnor_layer *p;
	uint32_t batch;
	double us[IMPLS];
	uint64_t plane_bytes, eie_bytes, fp32_bytes;
};

/*
 * count elements of size bytes, zeroed, freed by free_layer(); ends the
 * program when out of memory.
 */
static void *layer_alloc(struct layer_data *l, size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (!p || l->owned_count == sizeof(l->owned) / sizeof(l->owned[0])) {
		fprintf(stderr, "%s: cannot allocate %zu x %zu bytes\n", PROG,
			count, size);
		exit(1);
	}
	return l->owned[l->owned_count++] = p;
}

static void free_layer(struct layer_data *l)
{
	eie_streams_free(&l->s);
	while (l->owned_count)
		free(l->owned[--l->owned_count]);
}

/*
 * Random signs, one bit each, drawn as whole 64-bit words that are at
 * once the plane words (bit 1 is +1: SIGNED; the padding bits of the last
 * word random too, which the datapath must ignore) and, bit by bit, the
 * signs: `count` rows of l->n.
 */
static void random_signs(struct layer_data *l, uint32_t count, struct rng *r,
			 uint64_t *planes, int8_t *signs)
{
	for (uint32_t i = 0; i < count; i++) {
		for (uint32_t t = 0; t < l->words; t++)
			planes[(size_t)i * l->words + t] = rng_next(r);
		for (uint32_t j = 0; j < l->n; j++) {
			uint64_t word = planes[(size_t)i * l->words + j / 64];

			signs[(size_t)i * l->n + j] = (word >> (j % 64) & 1) ? 1 : -1;
		}
	}
}

/* The reference: every dot product by the plain loop over the signs. */
static void reference_dots(struct layer_data *l)
{
	for (uint32_t b = 0; b < BATCH_MAX; b++) {
		for (uint32_t i = 0; i < l->m; i++) {
			const int8_t *w = l->w + (size_t)i * l->n;
			const int8_t *x = l->x + (size_t)b * l->n;
			int64_t sum = 0;

			for (uint32_t j = 0; j < l->n; j++)
				sum += w[j] * x[j];
			l->dot[(size_t)b * l->m + i] = sum;
		}
	}
}

static int build_eie(struct layer_data *l)
{
	uint8_t *widx = layer_alloc(l, (size_t)l->m * l->n, 1);
	struct eie_error err;

	for (size_t k = 0; k < (size_t)l->m * l->n; k++)
		widx[k] = l->w[k] > 0 ? 1 : 2;
	if (eie_encode(widx, l->m, l->n, PES, WBITS, ZBITS, &l->s, &err))
		goto fail;
	l->codebook[0] = 0;
	l->codebook[1] = 1;
	l->codebook[2] = -1;
	eie_streams_to_layer(&l->s, &l->el);
	l->el.codebook = l->codebook;
	l->el.codebook_len = 3;
	l->el.in_frac = BA_FRAC;
	l->el.w_frac = 0;
	l->el.out_frac = 0;
	l->el.relu = false;
	if (eie_validate(&l->el, &err))
		goto fail;
	l->ws = layer_alloc(l, eie_run_ws_size(&l->el), 1);
	l->dec_buf = layer_alloc(l, eie_decoded_size(&l->el), 1);
	eie_decode_layer(&l->el, l->dec_buf, &l->dec);
	return 0;
fail:
	fprintf(stderr, "%s: %s: EIE layer: %s\n", PROG, l->p->name, err.msg);
	return -1;
}

/* The EIE op's inputs: x[j] times value (BA_FRAC fraction bits). */
static void eie_inputs(struct layer_data *l, int16_t value)
{
	for (size_t k = 0; k < (size_t)BATCH_MAX * l->n; k++)
		l->xe[k] = (int16_t)(l->x[k] * value);
}

static int build_layer(struct layer_data *l, const struct xnor_layer *p,
		       uint64_t seed)
{
	struct rng r = { seed };
	/* alpha in [0.5, 1.5] / sqrt(n), the size of a row's mean |w| */
	const double a0 = ldexp(0.5, BW_FRAC) / sqrt(p->inputs);
	struct eie_error err;

	l->p = p;
	l->m = p->outputs;
	l->n = p->inputs;
	l->words = DCACCEL_PLANE_WORDS(l->n);
	l->w = layer_alloc(l, (size_t)l->m * l->n, 1);
	l->x = layer_alloc(l, (size_t)BATCH_MAX * l->n, 1);
	l->dot = layer_alloc(l, (size_t)BATCH_MAX * l->m, sizeof(int64_t));
	l->wplanes = layer_alloc(l, (size_t)l->m * l->words, sizeof(uint64_t));
	l->xplanes = layer_alloc(l, (size_t)BATCH_MAX * l->words, sizeof(uint64_t));
	random_signs(l, l->m, &r, l->wplanes, l->w);
	random_signs(l, BATCH_MAX, &r, l->xplanes, l->x);
	l->alpha = layer_alloc(l, l->m, sizeof(int16_t));
	for (uint32_t i = 0; i < l->m; i++)
		l->alpha[i] = (int16_t)rng_range(&r, (int64_t)ceil(a0),
						 (int64_t)floor(3 * a0));
	/* beta in [0.5, 2] */
	l->beta = (int16_t)rng_range(&r, 1 << (BA_FRAC - 1), 1 << (BA_FRAC + 1));
	l->y = layer_alloc(l, (size_t)BATCH_MAX * l->m, sizeof(int16_t));
	reference_dots(l);

	l->bp = (struct dp_bitplane){
		.rows = l->m, .cols = l->n, .pes = PES,
		.w_planes = 1, .a_planes = 1,
		.w_kind = DCACCEL_PLANE_SIGNED, .a_kind = DCACCEL_PLANE_SIGNED,
		.bw_frac = BW_FRAC, .ba_frac = BA_FRAC, .out_frac = OUT_FRAC,
		.relu = false, .wplanes = l->wplanes, .w_basis = l->alpha,
		.a_basis = &l->beta, .bias = NULL,
	};
	if (dp_bitplane_validate(&l->bp, &err)) {
		fprintf(stderr, "%s: %s: bit-plane layer: %s\n", PROG, p->name,
			err.msg);
		return -1;
	}

	l->xe = layer_alloc(l, (size_t)BATCH_MAX * l->n, sizeof(int16_t));
	if (build_eie(l))
		return -1;

	l->wf = layer_alloc(l, (size_t)l->m * l->n, sizeof(float));
	l->xf = layer_alloc(l, (size_t)BATCH_MAX * l->n, sizeof(float));
	l->yf = layer_alloc(l, (size_t)BATCH_MAX * l->m, sizeof(float));
	for (size_t k = 0; k < (size_t)l->m * l->n; k++)
		l->wf[k] = l->w[k] * ldexpf(l->alpha[k / l->n], -BW_FRAC);
	for (size_t k = 0; k < (size_t)BATCH_MAX * l->n; k++)
		l->xf[k] = l->x[k] * ldexpf(l->beta, -BA_FRAC);
	return 0;
}

/* One run of one implementation on l->batch vectors (median_time's fn). */
static void run_once(void *arg)
{
	const struct run *r = arg;
	struct layer_data *l = r->l;

	switch (r->impl) {
	case BITPLANE:
	case BITPLANE_POPCNT:	/* the path chosen by the caller */
		dp_bitplane_run(&l->bp, l->batch, l->xplanes, l->y, NULL, NULL);
		break;
	case EIE:
		eie_run(&l->el, l->batch, l->xe, l->y, l->ws, NULL);
		break;
	case EIE_DECODED:
		eie_run_decoded(&l->dec, l->batch, l->xe, l->y, l->ws, NULL);
		break;
	case OPENBLAS:
		if (l->batch == 1)
			cblas_sgemv(CblasRowMajor, CblasNoTrans, (int)l->m,
				    (int)l->n, 1.0f, l->wf, (int)l->n, l->xf, 1,
				    0.0f, l->yf, 1);
		else	/* Y (batch x m) = X (batch x n) W^T */
			cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans,
				    (int)l->batch, (int)l->m, (int)l->n, 1.0f,
				    l->xf, (int)l->n, l->wf, (int)l->n, 0.0f,
				    l->yf, (int)l->m);
		break;
	case IMPLS:
		break;
	}
}

static void __attribute__((noreturn, format(printf, 4, 5)))
mismatch(const struct layer_data *l, const char *impl, uint32_t k,
	 const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s, batch %u: %s is wrong at vector %u, output %u: ",
		PROG, l->p->name, l->batch, impl, k / l->m, k % l->m);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("; not timing wrong code\n", stderr);
	exit(1);
}

/*
 * Run impl once on l->batch vectors and check that every output y[b][i] is
 * the exact dot product times scale (times alpha[i] when row_alpha) at
 * `shift` fraction bits, rounded half up and saturated to 16 bits: the
 * arithmetic written out here in doubles (every value below 2^53, so
 * exact), not the datapath's.
 */
static void check_exact(struct layer_data *l, const char *what,
			enum impl impl, bool row_alpha, int64_t scale,
			int shift)
{
	struct run r = { l, impl };

	memset(l->y, 0x5a, (size_t)BATCH_MAX * l->m * sizeof(int16_t));
	run_once(&r);
	for (uint32_t k = 0; k < l->batch * l->m; k++) {
		double v = (double)(l->dot[k] * scale *
				    (row_alpha ? l->alpha[k % l->m] : 1));
		double want = floor(ldexp(v, -shift) + 0.5);

		want = fmin(fmax(want, INT16_MIN), INT16_MAX);
		if (l->y[k] != want)
			mismatch(l, what, k, "%d, the exact result is %.0f (dot product %lld)",
				 l->y[k], want, (long long)l->dot[k]);
	}
}

/*
 * OpenBLAS: within the rounding bound of a float dot product,
 * gamma_n sum_j |w_j x_j|, gamma_n = n u / (1 - n u), u = 2^-24, of the
 * exact alpha[i] beta dot (one sign flipped is off by 2 alpha beta, beyond
 * the bound for every n up to 5792).
 */
static void check_openblas(struct layer_data *l)
{
	const double u = ldexp(1, -24), gamma = l->n * u / (1 - l->n * u);
	struct run r = { l, OPENBLAS };

	for (size_t k = 0; k < (size_t)l->batch * l->m; k++)
		l->yf[k] = NAN;
	run_once(&r);
	for (uint32_t k = 0; k < l->batch * l->m; k++) {
		double ab = ldexp(l->alpha[k % l->m], -BW_FRAC) *
			    ldexp(l->beta, -BA_FRAC);
		double want = ab * (double)l->dot[k];

		if (!(fabs(l->yf[k] - want) <= gamma * ab * l->n))
			mismatch(l, l->batch == 1 ? "OpenBLAS sgemv" : "OpenBLAS sgemm",
				 k, "%.9g, the exact result is %.9g (bound %.3g)",
				 (double)l->yf[k], want, gamma * ab * l->n);
	}
}

static void check_all(struct layer_data *l)
{
	check_exact(l, "the bit-plane op", BITPLANE, true, l->beta,
		    BW_FRAC + BA_FRAC - OUT_FRAC);
	dp_isa_force(DP_ISA_GENERIC);
	check_exact(l, "the bit-plane op (POPCNT)", BITPLANE_POPCNT, true,
		    l->beta, BW_FRAC + BA_FRAC - OUT_FRAC);
	dp_isa_force(DP_ISA_BEST);
	/* beta = 1: the EIE op's outputs are the dot products themselves */
	eie_inputs(l, 1 << BA_FRAC);
	check_exact(l, "the EIE op (beta 1)", EIE, false, 1 << BA_FRAC, BA_FRAC);
	/* the inputs timed: +-beta, rounded to whole units at out_frac 0 */
	eie_inputs(l, l->beta);
	check_exact(l, "the EIE op", EIE, false, l->beta, BA_FRAC);
	check_exact(l, "the EIE op (decoded)", EIE_DECODED, false, l->beta,
		    BA_FRAC);
	check_openblas(l);
}

static void measure(struct layer_data *l, uint32_t batch, int iters,
		    struct result *res)
{
	l->batch = batch;
	check_all(l);
	res->p = l->p;
	res->batch = batch;
	for (int i = 0; i < IMPLS; i++) {
		struct run r = { l, (enum impl)i };

		if (i == BITPLANE_POPCNT)
			dp_isa_force(DP_ISA_GENERIC);
		res->us[i] = median_time(run_once, &r, iters, MIN_SECONDS) * 1e6;
		dp_isa_force(DP_ISA_BEST);
	}
	/* what one pass over the weights reads */
	res->plane_bytes = (uint64_t)l->m * l->words * sizeof(uint64_t) +
			   ((uint64_t)l->m + 1) * sizeof(int16_t);
	res->eie_bytes = (uint64_t)l->el.entry_count *
			 DCACCEL_EIE_ENTRY_BYTES(WBITS, ZBITS) +
			 (uint64_t)PES * (l->n + 1) * sizeof(uint32_t) +
			 sizeof(l->codebook);
	res->fp32_bytes = (uint64_t)l->m * l->n * sizeof(float);
}

static void print_header(void)
{
	printf("%-10s %9s %5s | %11s %10s %10s %10s %10s %6s | %7s %7s %7s | %10s %10s %10s\n",
	       "layer", "size", "batch", "bitplane_us", "POPCNT_us", "EIE_us", "EIEdec_us",
	       "BLAS_us", "BLAS", "vs_EIE", "vs_dec", "vs_BLAS",
	       "planes_KiB", "EIE_KiB", "fp32_KiB");
}

static void print_row(const struct result *r)
{
	char size[32];

	snprintf(size, sizeof(size), "%ux%u", r->p->inputs, r->p->outputs);
	printf("%-10s %9s %5u | %11.1f %10.1f %10.1f %10.1f %10.1f %6s | %7.2f %7.2f %7.2f | %10.1f %10.1f %10.1f\n",
	       r->p->name, size, r->batch, r->us[BITPLANE],
	       r->us[BITPLANE_POPCNT], r->us[EIE],
	       r->us[EIE_DECODED], r->us[OPENBLAS],
	       r->batch == 1 ? "sgemv" : "sgemm",
	       r->us[EIE] / r->us[BITPLANE],
	       r->us[EIE_DECODED] / r->us[BITPLANE],
	       r->us[OPENBLAS] / r->us[BITPLANE], r->plane_bytes / 1024.0,
	       r->eie_bytes / 1024.0, r->fp32_bytes / 1024.0);
	fflush(stdout);
}

static int write_csv(const char *path, const struct result *r, int n)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path,
			strerror(errno));
		return 1;
	}
	fprintf(f, "layer,inputs,outputs,batch,bitplane_us,bitplane_popcnt_us,eie_us,eie_decoded_us,openblas_us,openblas_routine,eie_over_bitplane,eie_decoded_over_bitplane,openblas_over_bitplane,plane_bytes,eie_stream_bytes,fp32_bytes\n");
	for (int i = 0; i < n; i++)
		fprintf(f, "%s,%u,%u,%u,%.2f,%.2f,%.2f,%.2f,%.2f,%s,%.3f,%.3f,%.3f,%llu,%llu,%llu\n",
			r[i].p->name, r[i].p->inputs, r[i].p->outputs,
			r[i].batch, r[i].us[BITPLANE],
			r[i].us[BITPLANE_POPCNT], r[i].us[EIE],
			r[i].us[EIE_DECODED], r[i].us[OPENBLAS],
			r[i].batch == 1 ? "sgemv" : "sgemm",
			r[i].us[EIE] / r[i].us[BITPLANE],
			r[i].us[EIE_DECODED] / r[i].us[BITPLANE],
			r[i].us[OPENBLAS] / r[i].us[BITPLANE],
			(unsigned long long)r[i].plane_bytes,
			(unsigned long long)r[i].eie_bytes,
			(unsigned long long)r[i].fp32_bytes);
	if (fclose(f)) {
		fprintf(stderr, "%s: cannot write %s: %s\n", PROG, path,
			strerror(errno));
		return 1;
	}
	printf("CSV: %s\n", path);
	return 0;
}

static bool known_layer(const char *name)
{
	for (size_t i = 0; i < LAYER_COUNT; i++)
		if (!strcmp(name, xnor_layers[i].name))
			return true;
	return false;
}

/* "A, B, C or D": the layers' names, for the help and the errors. */
static void layer_names(char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = 0;
	for (size_t i = 0; i < LAYER_COUNT && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s",
					!i ? "" : i + 1 < LAYER_COUNT ? ", " : " or ",
					xnor_layers[i].name);
}

/* 0, 1 after --help, or -1 after a one-line error. */
static int parse_args(int argc, char **argv, struct bench_args *a,
		      uint32_t *iters)
{
	char layers[160];

	layer_names(layers, sizeof(layers));
	*a = (struct bench_args){ .seed = 2016 };
	*iters = ITERS_DEFAULT;
	for (int i = 1; i < argc; i++) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(opt, "--help") || !strcmp(opt, "-h")) {
			printf("usage: %s [--csv FILE] [--layer NAME] [--seed N] [--iters N]\n"
			       "  --csv FILE    the table as CSV too\n"
			       "  --layer NAME  only that layer: %s\n"
			       "  --seed N      weights, inputs and scales (default 2016)\n"
			       "  --iters N     timed runs per figure, at least (default %d, 1 to %d;\n"
			       "                short ones run on until %.1f s was measured)\n",
			       PROG, layers, ITERS_DEFAULT, ITERS_MAX, MIN_SECONDS);
			return 1;
		}
		if (strcmp(opt, "--csv") && strcmp(opt, "--layer") &&
		    strcmp(opt, "--seed") && strcmp(opt, "--iters"))
			return cliopt_fail(PROG, "argument", opt,
					   "--csv FILE, --layer NAME, --seed N, --iters N or --help");
		i++;
		if (!strcmp(opt, "--csv")) {
			if (!val || !*val)
				return cliopt_fail(PROG, opt, val, "a file name");
			a->csv = val;
		} else if (!strcmp(opt, "--layer")) {
			if (!val || !known_layer(val))
				return cliopt_fail(PROG, opt, val, "%s", layers);
			a->only = val;
		} else if (!strcmp(opt, "--seed")) {
			if (cliopt_u64(PROG, opt, val, 0, UINT64_MAX, &a->seed))
				return -1;
		} else if (cliopt_u32(PROG, opt, val, 1, ITERS_MAX, iters)) {
			return -1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct result res[LAYER_COUNT * BATCH_COUNT];
	struct bench_args a;
	uint32_t iters;
	int n = 0, ret;

	ret = parse_args(argc, argv, &a, &iters);
	if (ret)
		return ret > 0 ? 0 : 2;

	openblas_set_num_threads(1);
	printf("XNOR-Net layers, y = alpha[i] beta W x with W, x in {-1,+1}: one thread, seed %llu, medians of this thread's CPU time over at least %u runs (%.1f s for short ones)\n",
	       (unsigned long long)a.seed, iters, MIN_SECONDS);
	printf("bitplane: dp_bitplane_run, Kw = Ka = 1 SIGNED, alpha at %d and beta at %d fraction bits, outputs at %d; pairs of 4 words or more counted by AVX-512's VPOPCNTQ: %s\n",
	       BW_FRAC, BA_FRAC, OUT_FRAC,
	       dp_isa_use_vpopcnt() ? "yes, this CPU has it" : "no, not on this CPU");
	printf("POPCNT: the same op held to POPCNT (dp_isa_force(DP_ISA_GENERIC)), the baseline of the VPOPCNTQ path\n");
	printf("EIE: eie_run on the streams (P=%d, %d+%d-bit entries) and eie_run_decoded (dec); the signs as a dense layer, codebook {0,+1,-1}, inputs +-beta at %d fraction bits; alpha, a scale per row, is not expressible in the EIE op (one codebook per layer) and is left out: the work is the same\n",
	       PES, WBITS, ZBITS, BA_FRAC);
	printf("BLAS: OpenBLAS %s, one thread, float32 (alpha folded into W's rows), sgemv at batch 1 and sgemm at batch %d\n",
	       openblas_get_corename(), BATCH_MAX);
	printf("vs_X: the bit-plane op's speedup over X, X's time over its time (below 1: X is faster); KiB: the weights one pass reads (planes and bases; EIE's entries, column pointers, codebook; the float matrix)\n");
	printf("checked before timing: bit-plane and EIE outputs bit for bit against a plain integer loop, OpenBLAS's within float rounding\n");
	print_header();
	for (size_t i = 0; i < LAYER_COUNT; i++) {
		struct layer_data l = { 0 };

		if (a.only && strcmp(a.only, xnor_layers[i].name))
			continue;
		if (build_layer(&l, &xnor_layers[i], a.seed + i)) {
			free_layer(&l);
			return 1;
		}
		for (size_t b = 0; b < BATCH_COUNT; b++) {
			measure(&l, batches[b], (int)iters, &res[n]);
			print_row(&res[n++]);
		}
		free_layer(&l);
	}
	if (a.csv && write_csv(a.csv, res, n))
		return 1;
	return 0;
}
