// SPDX-License-Identifier: MIT
/*
 * dcc sweep: structured pruning method x level x weight bits, each point
 * compressed as `dcc compress` would (shrink, magnitude pruning with
 * retraining, weight sharing, fixed point) and measured on the device's
 * own code: accuracy, .dcm size, MACs, modeled cycles. On two cores it
 * shares what it can and keeps everything: one dense model; one shrunk
 * and one magnitude-pruned model per (method, level), reused by every
 * bit width; one CSV row per point, appended as soon as it is measured,
 * so that an interrupted sweep resumes where it stopped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dcc_opts.h"
#include "fixedpoint.h"
#include "model_io.h"
#include "plot.h"
#include "quality.h"
#include "sweep.h"


static const char *level_text(double level, char *buf, size_t len)
{
	snprintf(buf, len, "%.2f", level);
	return buf;
}

/* net_save() through a temporary name: a file that exists is whole. */
static int save_atomic(const struct net *n, const char *path, struct dcc_error *err)
{
	char tmp[4200];

	snprintf(tmp, sizeof(tmp), "%s.part", path);
	if (net_save(n, tmp, err))
		return -1;
	if (rename(tmp, path))
		return dcc_fail(err, "%s: %s", path, strerror(errno));
	return 0;
}

/* One number in a file of its own, for what a model file cannot hold. */
static int write_number(const char *path, double v, struct dcc_error *err)
{
	FILE *f = fopen(path, "w");

	if (!f || fprintf(f, "%.4f\n", v) < 0 || fclose(f))
		return dcc_fail(err, "%s: cannot write", path);
	return 0;
}

static int read_number(const char *path, double *v)
{
	FILE *f = fopen(path, "r");
	int ok = f && fscanf(f, "%lf", v) == 1;

	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

static bool exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Everything but the grid that decides a point's figures, one setting a
 * line: a directory holds the sweep of one configuration, so a cached
 * model or row is never one of other settings.
 */
static void describe_config(const struct opts *o, char *buf, size_t len)
{
	struct net n;
	struct dcc_error err;
	size_t at = 0;

	if (build_net(o, &n, &err) == 0) {
		at += (size_t)snprintf(buf + at, len - at, "net %s\n", n.spec);
		net_free(&n);
	}
	at += (size_t)snprintf(buf + at, len - at,
			       "dense %s\ndata %s\nseed %llu\nepochs %u\nbatch %u\nlr %g\nlr-decay %g\n"
			       "momentum %g\nweight-decay %g\nadam %d\ntrain-limit %u\ntest-limit %u\n"
			       "prune-iters %u\nretrain-epochs %u\nretrain-lr %g\nfinetune-epochs %u\n"
			       "centroid-lr %g\npes %u\nzbits %u\nsamples %u\ntolerance %g\nbn-l1 %g\n"
			       "sparsity-epochs %u\nshrink-epochs %u\nshrink-lr %g\nquality",
			       o->in ? o->in : "(trained)", o->data,
			       (unsigned long long)o->train.seed, o->train.epochs, o->train.batch,
			       o->train.lr, o->train.lr_decay, o->train.momentum,
			       o->train.weight_decay, o->train.adam, o->train_limit, o->test_limit,
			       o->prune_iters, o->retrain_epochs, o->retrain_lr, o->finetune_epochs,
			       o->train.centroid_lr, o->pes, o->zbits, o->sp.samples,
			       o->sp.tolerance, o->sp.bn_l1, o->sp.sparsity_epochs,
			       o->shrink_epochs, o->shrink_lr);
	for (uint32_t k = 0; k < o->nquality && at < len; k++)
		at += (size_t)snprintf(buf + at, len - at, " %g", o->quality[k]);
	if (at < len)
		snprintf(buf + at, len - at, "\n");
}

/* DIR/config.txt written by the first run, and held to by the next ones. */
static int same_config(const struct opts *o, struct dcc_error *err)
{
	char want[4096], have[4096] = "", path[4200];
	size_t len;
	FILE *f;

	describe_config(o, want, sizeof(want));
	snprintf(path, sizeof(path), "%s/config.txt", o->out);
	f = fopen(path, "r");
	if (!f) {
		f = fopen(path, "w");
		if (!f || fputs(want, f) < 0 || fclose(f))
			return dcc_fail(err, "%s: cannot write", path);
		return 0;
	}
	len = fread(have, 1, sizeof(have) - 1, f);
	have[len] = 0;
	fclose(f);
	if (strcmp(have, want)) {
		const char *a = have, *b = want;

		/* name the first setting that differs */
		while (*a && *a == *b) {
			a++;
			b++;
		}
		while (a > have && a[-1] != '\n') {
			a--;
			b--;
		}
		return dcc_fail(err, "%s holds a sweep of other settings (it has '%.*s', this run '%.*s'): give another directory",
				o->out, (int)strcspn(a, "\n"), a, (int)strcspn(b, "\n"), b);
	}
	return 0;
}

/* One sweep at a time in a directory: a second would race on its files. */
static int lock_dir(const char *dir, int *fd, struct dcc_error *err)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/.lock", dir);
	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (*fd < 0)
		return dcc_fail(err, "%s: %s", path, strerror(errno));
	if (flock(*fd, LOCK_EX | LOCK_NB)) {
		close(*fd);
		*fd = -1;
		return dcc_fail(err, "%s: another dcc sweep is running there", dir);
	}
	return 0;
}

/* The dense baseline: cached in dir, else -i, else trained here. */
static int dense_model(const struct opts *o, const struct dataset *train,
		       struct net *n, struct dcc_error *err)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s/dense.safetensors", o->out);
	if (exists(path)) {
		printf("sweep: dense model from %s\n", path);
		return net_load(path, o->net, n, err);
	}
	if (o->in) {
		if (net_load(o->in, o->net, n, err))
			return -1;
	} else {
		if (build_net(o, n, err))
			return -1;
		net_init_weights(n, o->train.seed);
		printf("sweep: training the dense model (%u epochs)\n", o->train.epochs);
		if (net_train(n, train, &o->train, err) < 0)
			return -1;
	}
	return save_atomic(n, path, err);
}

/*
 * The (method, level) model after shrinking and magnitude pruning, each
 * stage cached under its own name.
 */
static int pruned_model(const struct opts *o, const struct net *dense,
			enum sp_method m, double level, const struct dataset *train,
			const struct dataset *test, struct net *n, double *acc_before,
			double *acc_shrunk, struct dcc_error *err)
{
	char lv[16], shrunk[4200], pruned[4200], before[4200];
	struct opts so = *o;

	level_text(level, lv, sizeof(lv));
	snprintf(shrunk, sizeof(shrunk), "%s/%s-%s.shrunk.safetensors", o->out,
		 sp_method_name(m), lv);
	snprintf(pruned, sizeof(pruned), "%s/%s-%s.pruned.safetensors", o->out,
		 sp_method_name(m), lv);
	snprintf(before, sizeof(before), "%s/%s-%s.before.txt", o->out,
		 sp_method_name(m), lv);
	so.sp.method = m;
	so.sp.level = level;
	*acc_before = m == SP_NONE ? net_accuracy(dense, test) : NAN;
	if (exists(shrunk)) {
		if (net_load(shrunk, NULL, n, err))
			return -1;
		if (read_number(before, acc_before))
			goto fail;
	} else {
		printf("sweep: %s at level %.2f: %s\n", sp_method_name(m), level,
		       m == SP_NONE ? "the dense model as it is" : "shrinking");
		fflush(stdout);
		if (net_clone(dense, n, err))
			return -1;
		if (m != SP_NONE && do_shrink(n, &so, train, test, acc_before, err))
			goto fail;
		/* the accuracy before fine-tuning first: a shrunk model that exists has one */
		if (write_number(before, *acc_before, err) || save_atomic(n, shrunk, err))
			goto fail;
	}
	*acc_shrunk = net_accuracy(n, test);
	if (exists(pruned)) {
		net_free(n);
		return net_load(pruned, NULL, n, err);
	}
	printf("sweep: %s at level %.2f: magnitude pruning\n", sp_method_name(m), level);
	fflush(stdout);
	if (do_prune(n, &so, train, err) || save_atomic(n, pruned, err))
		goto fail;
	return 0;
fail:
	net_free(n);
	return -1;
}


/* The points already measured (a resumed sweep), at most cap. */
static size_t read_points(const char *csv, struct sweep_point *pts, size_t cap)
{
	FILE *f = fopen(csv, "r");
	char line[1024];
	size_t n = 0;

	if (!f)
		return 0;
	while (n < cap && fgets(line, sizeof(line), f))
		if (sweep_point_parse(line, &pts[n]))
			n++;
	fclose(f);
	return n;
}

static bool measured(const struct sweep_point *pts, size_t n, enum sp_method m,
		     double level, unsigned int bits)
{
	for (size_t k = 0; k < n; k++)
		if (!strcmp(pts[k].method, sp_method_name(m)) &&
		    fabs(pts[k].level - level) < 0.005 && pts[k].bits == bits)
			return true;
	return false;
}

/* Non-zero weights, and the MACs they do in one inference, into *macs. */
static uint64_t nonzero_weights(const struct net *n, uint64_t *macs)
{
	uint64_t nz = 0;

	*macs = 0;
	for (uint32_t i = 0; i < n->count; i++) {
		const struct layer *l = &n->l[i];
		uint64_t k_nz = 0;

		for (size_t k = 0; layer_has_weights(l) && k < l->wt.w.n; k++)
			k_nz += l->wt.w.v[k] != 0.0f;
		nz += k_nz;
		*macs += k_nz * l->out.h * l->out.w;
	}
	return nz;
}

/* One point: weight sharing at `bits`, the .dcm, the device's figures. */
static int measure(const struct opts *o, const struct net *dense,
		   const struct net *pruned, const struct dataset *train,
		   const struct dataset *test, struct sweep_point *p, struct dcc_error *err)
{
	struct opts qo = *o;
	struct dcm_model dm = { 0 };
	struct fixedpoint_energy fe;
	struct dcm_error de;
	struct net q;
	char path[4200], lv[16];
	uint64_t nz_macs;
	int ret = -1;

	qo.nbits = 1;
	qo.bits[0] = p->bits;
	if (net_clone(pruned, &q, err))
		return -1;
	if (do_quantize(&q, &qo, train, err))
		goto out;
	p->acc_quantized = net_accuracy(&q, test);
	p->nonzero = nonzero_weights(&q, &nz_macs);
	p->nonzero_macs = nz_macs;
	p->params_pct = 100.0 * net_params(&q) / net_params(dense);
	p->macs_pct = 100.0 * net_macs(&q) / net_macs(dense);
	if (fixedpoint_build(&q, train, o->pes, o->zbits, &dm, err))
		goto out;
	snprintf(path, sizeof(path), "%s/%s-%s-%ubit.dcm", o->out, p->method,
		 level_text(p->level, lv, sizeof(lv)), p->bits);
	if (dcm_write_file(&dm, path, &de)) {
		dcc_fail(err, "%s", de.msg);
		goto out;
	}
	p->dcm_bytes = dm.file_bytes;
	p->rate = 4.0 * net_params(dense) / (double)dm.file_bytes;
	p->acc_device = fixedpoint_accuracy(&dm, test, NULL, err);
	if (p->acc_device < 0 ||
	    fixedpoint_cycles_per_inference(&dm, test, NULL, &p->cycles, err) ||
	    fixedpoint_energy_per_inference(&dm, test, &fe, err))
		goto out;
	p->latency_us = p->cycles / FIXEDPOINT_CLOCK_MHZ;
	p->energy_nj = fe.total_nj;
	p->onchip_nj = fe.total_nj - fe.dram_weights_nj;
	p->drop = p->acc_dense - p->acc_device;
	p->quality = quality_metric(p->rate, p->drop, o->lambda);
	ret = 0;
out:
	dcm_free(&dm);
	net_free(&q);
	return ret;
}

/* The grid in order, the points of this run appended to the CSV. */
static int run_grid(const struct opts *o, const struct net *dense, double acc_dense,
		    const struct dataset *train, const struct dataset *test,
		    const char *csv, struct sweep_point *pts, size_t *npts, size_t cap,
		    struct dcc_error *err)
{
	uint32_t total = 0, at = 0;
	FILE *f;

	for (uint32_t mi = 0; mi < o->sweep_nmethods; mi++)
		total += (o->sweep_methods[mi] == SP_NONE ? 1 : o->sweep_nlevels) * o->sweep_nbits;
	f = fopen(csv, "a");
	if (!f)
		return dcc_fail(err, "%s: %s", csv, strerror(errno));
	if (*npts == 0 && ftell(f) == 0)
		fprintf(f, "%s\n", SWEEP_CSV_HEADER);
	for (uint32_t mi = 0; mi < o->sweep_nmethods; mi++) {
		enum sp_method m = o->sweep_methods[mi];
		uint32_t nlevels = m == SP_NONE ? 1 : o->sweep_nlevels;

		for (uint32_t li = 0; li < nlevels; li++) {
			double level = m == SP_NONE ? 0 : o->sweep_levels[li], acc_shrunk, acc_before;
			bool all = true;
			struct net pruned;

			for (uint32_t bi = 0; bi < o->sweep_nbits; bi++)
				all &= measured(pts, *npts, m, level, o->sweep_bits[bi]);
			if (all) {
				at += o->sweep_nbits;
				continue;
			}
			if (pruned_model(o, dense, m, level, train, test, &pruned,
					 &acc_before, &acc_shrunk, err))
				goto fail;
			for (uint32_t bi = 0; bi < o->sweep_nbits; bi++) {
				struct sweep_point p = { .level = level, .bits = o->sweep_bits[bi],
						   .acc_dense = acc_dense, .acc_before = acc_before,
						   .acc_shrunk = acc_shrunk };
				double t0 = now();

				at++;
				if (measured(pts, *npts, m, level, p.bits))
					continue;
				snprintf(p.method, sizeof(p.method), "%s", sp_method_name(m));
				p.acc_pruned = net_accuracy(&pruned, test);
				if (measure(o, dense, &pruned, train, test, &p, err)) {
					net_free(&pruned);
					goto fail;
				}
				p.seconds = now() - t0;
				sweep_point_write(f, &p);
				fflush(f);
				if (*npts < cap)
					pts[(*npts)++] = p;
				printf("sweep [%u/%u] %s %.2f %u bits: %.1fx, device %.2f%% (drop %.2f), Q %.3f, %.0f cycles (%.1f s)\n",
				       at, total, p.method, p.level, p.bits, p.rate, p.acc_device,
				       p.drop, p.quality, p.cycles, p.seconds);
				fflush(stdout);
			}
			net_free(&pruned);
		}
	}
	return fclose(f) ? dcc_fail(err, "%s: write failed", csv) : 0;
fail:
	fclose(f);
	return -1;
}

/* The best point: its line, or why there is none. */
static void name_best(const struct opts *o, const struct sweep_point *pts,
		      size_t n, const double *q, const double *drop)
{
	size_t best = quality_best(q, drop, n, o->max_drop);
	const struct sweep_point *p = &pts[best];

	if (!n)
		return;
	if (best == n) {
		printf("\nno point loses %.2f points or less (--max-drop): no best\n",
		       o->max_drop);
		return;
	}
	printf("\nbest by Q = log2(rate) - %.2f x drop, within %.2f points: %s at level %.2f with %u-bit weights: %.1fx smaller than dense fp32, %.2f%% on the device (dense %.2f%%, drop %.2f points), %.1f us modeled\n",
	       o->lambda, o->max_drop, p->method, p->level, p->bits, p->rate,
	       p->acc_device, p->acc_dense, p->drop, p->latency_us);
}

/* The table of the grid and the best point by the metric. */
static void summary(const struct opts *o, const struct sweep_point *pts, size_t n)
{
	bool *front = calloc(n ? n : 1, sizeof(bool));
	double *rate = calloc(n ? n : 1, sizeof(double));
	double *acc = calloc(n ? n : 1, sizeof(double));
	double *q = calloc(n ? n : 1, sizeof(double));
	double *drop = calloc(n ? n : 1, sizeof(double));

	if (!front || !rate || !acc || !q || !drop)
		goto out;
	for (size_t k = 0; k < n; k++) {
		rate[k] = pts[k].rate;
		acc[k] = pts[k].acc_device;
		q[k] = pts[k].quality;
		drop[k] = pts[k].drop;
	}
	pareto_front(rate, acc, n, front);
	printf("\n%-7s %5s %4s | %7s %7s %9s | %8s %6s | %6s %6s %6s %6s %6s | %6s %7s | %9s %8s %7s %8s %s\n",
	       "method", "level", "bits", "params%", "MACs%", "nonzero", "bytes", "rate",
	       "before", "shrunk", "pruned", "quant", "device", "drop", "Q", "cycles", "us",
	       "uJ", "nJ chip", "front");
	for (size_t k = 0; k < n; k++) {
		const struct sweep_point *p = &pts[k];
		char before[16];

		/* pa, fa and ma train the smaller network anew: no "before" */
		if (isnan(p->acc_before))
			snprintf(before, sizeof(before), "anew");
		else
			snprintf(before, sizeof(before), "%.2f", p->acc_before);
		printf("%-7s %5.2f %4u | %7.1f %7.1f %9llu | %8llu %5.1fx | %6s %6.2f %6.2f %6.2f %6.2f | %6.2f %7.3f | %9.0f %8.2f %7.1f %8.1f %s\n",
		       p->method, p->level, p->bits, p->params_pct, p->macs_pct, p->nonzero,
		       p->dcm_bytes, p->rate, before, p->acc_shrunk, p->acc_pruned,
		       p->acc_quantized,
		       p->acc_device, p->drop, p->quality, p->cycles, p->latency_us,
		       p->energy_nj / 1000, p->onchip_nj, front[k] ? "*" : "");
	}
	name_best(o, pts, n, q, drop);
out:
	free(front);
	free(rate);
	free(acc);
	free(q);
	free(drop);
}

int cmd_sweep(const struct opts *o, struct dcc_error *err)
{
	const size_t cap = 4096;
	struct dataset train, test;
	struct sweep_point *pts = calloc(cap, sizeof(*pts));
	struct net dense = { 0 };
	char csv[4200];
	size_t npts;
	double acc_dense;
	int ret = -1, lock;

	if (!pts)
		return dcc_fail(err, "out of memory");
	if (mkdir(o->out, 0755) && errno != EEXIST) {
		free(pts);
		return dcc_fail(err, "%s: cannot create the sweep's directory: %s", o->out,
				strerror(errno));
	}
	if (!is_dir(o->out)) {
		free(pts);
		return dcc_fail(err, "%s: not a directory: the sweep writes its files there", o->out);
	}
	if (lock_dir(o->out, &lock, err)) {
		free(pts);
		return -1;
	}
	if (same_config(o, err) || load_data(o, &train, &test, err)) {
		close(lock);
		free(pts);
		return -1;
	}
	snprintf(csv, sizeof(csv), "%s/sweep.csv", o->out);
	npts = read_points(csv, pts, cap);
	if (npts)
		printf("sweep: resuming, %zu points already in %s\n", npts, csv);
	if (dense_model(o, &train, &dense, err))
		goto out;
	acc_dense = net_accuracy(&dense, &test);
	printf("sweep: dense %s, %llu parameters, test accuracy %.2f%%\n", dense.spec,
	       (unsigned long long)net_params(&dense), acc_dense);
	if (run_grid(o, &dense, acc_dense, &train, &test, csv, pts, &npts, cap, err))
		goto out;
	summary(o, pts, npts);
	printf("wrote %s\n", csv);
	ret = npts ? plot_sweep(o->out, pts, npts, err) : 0;
out:
	net_free(&dense);
	dataset_free(&train);
	dataset_free(&test);
	free(pts);
	close(lock);
	return ret;
}
