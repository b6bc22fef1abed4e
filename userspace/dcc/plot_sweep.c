// SPDX-License-Identifier: MIT
/*
 * The sweep's two pictures, drawn by gnuplot from inline data: accuracy
 * over compression with the Pareto front, and the quality metric as a
 * heat map of (method, level) by weight bits.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "plot.h"
#include "quality.h"
#include "sweep.h"

#define ROWS_MAX	64	/* (method, level) pairs */
#define BITS_MAX	8

static int cmp_rate(const void *a, const void *b)
{
	const double *x = a, *y = b;

	return (x[0] > y[0]) - (x[0] < y[0]);
}

static void pareto_script(FILE *f, const char *dir, const struct sweep_point *p,
			  size_t n)
{
	static const char *const methods[] = {
		"none", "l1", "slim", "thinet", "nisp", "pa", "fa", "ma",
	};
	double (*front)[2] = calloc(n, sizeof(*front)), *rate = calloc(n, sizeof(double));
	double *acc = calloc(n, sizeof(double));
	bool *on = calloc(n, sizeof(bool));
	double lo_rate = INFINITY, hi_rate = 0, lo_acc = INFINITY, hi_acc = 0;
	size_t nf = 0;

	if (!front || !rate || !acc || !on)
		goto out;
	for (size_t k = 0; k < n; k++) {
		rate[k] = p[k].rate;
		acc[k] = p[k].acc_device;
		lo_rate = fmin(lo_rate, rate[k]);
		hi_rate = fmax(hi_rate, rate[k]);
		lo_acc = fmin(lo_acc, acc[k]);
		hi_acc = fmax(hi_acc, acc[k]);
	}
	pareto_front(rate, acc, n, on);
	for (size_t k = 0; k < n; k++)
		if (on[k]) {
			front[nf][0] = rate[k];
			front[nf++][1] = acc[k];
		}
	qsort(front, nf, sizeof(*front), cmp_rate);
	fprintf(f, "set terminal pngcairo size 1000,600 font 'sans,10'\n");
	fprintf(f, "set output '%s/sweep-pareto.png'\n", dir);
	fprintf(f, "set title 'dcc sweep: top-1 on the device against the size reduction'\n");
	fprintf(f, "set logscale x 2\nset grid\nset key outside right\n");
	/* the dense line and the 50x mark in view */
	fprintf(f, "set xrange [%g:%g]\nset yrange [%g:%g]\n", lo_rate / 1.2,
		fmax(hi_rate * 1.2, 64), lo_acc - 0.2, fmax(hi_acc, p[0].acc_dense) + 0.2);
	fprintf(f, "set xlabel 'dense fp32 bytes / .dcm bytes (log scale)'\n");
	fprintf(f, "set ylabel 'top-1 on the device (%%)'\n");
	fprintf(f, "set arrow from graph 0, first %g to graph 1, first %g nohead dt 2 lc rgb 'black'\n",
		p[0].acc_dense, p[0].acc_dense);
	fprintf(f, "set arrow from graph 0, first %g to graph 1, first %g nohead dt 3 lc rgb '#888888'\n",
		p[0].acc_dense - 0.5, p[0].acc_dense - 0.5);
	fprintf(f, "set arrow from 50, graph 0 to 50, graph 1 nohead dt 3 lc rgb '#888888'\n");
	fprintf(f, "$front << EOD\n");
	for (size_t k = 0; k < nf; k++)
		fprintf(f, "%g %g\n", front[k][0], front[k][1]);
	fprintf(f, "EOD\n");
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		fprintf(f, "$m%zu << EOD\n", m);
		for (size_t k = 0; k < n; k++)
			if (!strcmp(p[k].method, methods[m]))
				fprintf(f, "%g %g\n", p[k].rate, p[k].acc_device);
		fprintf(f, "NaN NaN\nEOD\n");
	}
	fprintf(f, "plot $front using 1:2 with lines lw 2 lc rgb '#cc2222' title 'Pareto front'");
	for (size_t m = 0; m < sizeof(methods) / sizeof(methods[0]); m++) {
		bool any = false;

		for (size_t k = 0; k < n; k++)
			any |= !strcmp(p[k].method, methods[m]);
		if (any)
			fprintf(f, ", \\\n     $m%zu using 1:2 with points pt %zu ps 1.3 title '%s'",
				m, m + 4, methods[m]);
	}
	fprintf(f, "\n");
out:
	free(front);
	free(rate);
	free(acc);
	free(on);
}

/* The rows (method, level) and columns (bits) of the heat map. */
static void heat_script(FILE *f, const char *dir, const struct sweep_point *p,
			size_t n)
{
	char row_name[ROWS_MAX][32];
	unsigned int bits[BITS_MAX];
	size_t rows = 0, cols = 0;

	for (size_t k = 0; k < n; k++) {
		char name[32];
		size_t r, c;

		snprintf(name, sizeof(name), "%s %.2f", p[k].method, p[k].level);
		for (r = 0; r < rows && strcmp(row_name[r], name); r++)
			;
		if (r == rows && rows < ROWS_MAX)
			strcpy(row_name[rows++], name);
		for (c = 0; c < cols && bits[c] != p[k].bits; c++)
			;
		if (c == cols && cols < BITS_MAX)
			bits[cols++] = p[k].bits;
	}
	fprintf(f, "set terminal pngcairo size 900,%zu font 'sans,10'\n", 200 + 28 * rows);
	fprintf(f, "set output '%s/sweep-quality.png'\n", dir);
	fprintf(f, "set title 'dcc sweep: Q = log2(rate) - lambda x drop (higher is better)'\n");
	fprintf(f, "set xlabel 'weight bits'\nset ylabel 'structured pruning, level'\n");
	fprintf(f, "set palette defined (0 '#440154', 1 '#21918c', 2 '#fde725')\n");
	fprintf(f, "set xrange [-0.5:%zu.5]\nset yrange [-0.5:%zu.5]\n", cols - 1, rows - 1);
	fprintf(f, "set xtics (");
	for (size_t c = 0; c < cols; c++)
		fprintf(f, "%s'%u' %zu", c ? ", " : "", bits[c], c);
	fprintf(f, ")\nset ytics (");
	for (size_t r = 0; r < rows; r++)
		fprintf(f, "%s'%s' %zu", r ? ", " : "", row_name[r], r);
	fprintf(f, ")\n$q << EOD\n");
	for (size_t r = 0; r < rows; r++) {
		for (size_t c = 0; c < cols; c++) {
			double q = NAN;

			for (size_t k = 0; k < n; k++) {
				char name[32];

				snprintf(name, sizeof(name), "%s %.2f", p[k].method, p[k].level);
				if (!strcmp(name, row_name[r]) && p[k].bits == bits[c])
					q = p[k].quality;
			}
			fprintf(f, "%zu %zu %g\n", c, r, q);
		}
		fprintf(f, "\n");
	}
	fprintf(f, "EOD\nplot $q using 1:2:3 with image notitle, \\\n"
		   "     $q using 1:2:(sprintf('%%.2f', $3)) with labels tc rgb 'black' notitle\n");
}

static int draw(const char *dir, const struct sweep_point *p, size_t n,
		void (*script)(FILE *, const char *, const struct sweep_point *, size_t),
		struct dcc_error *err)
{
	char path[] = "/tmp/dcc-sweep-XXXXXX";
	int fd = mkstemp(path), ret;
	FILE *f;

	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		return dcc_fail(err, "cannot create a gnuplot script in /tmp: %s",
				strerror(errno));
	}
	script(f, dir, p, n);
	if (ferror(f) | fclose(f)) {
		unlink(path);
		return dcc_fail(err, "cannot write the gnuplot script %s", path);
	}
	ret = run_gnuplot(path, err);
	unlink(path);
	return ret;
}

int plot_sweep(const char *dir, const struct sweep_point *pts, size_t n,
	       struct dcc_error *err)
{
	if (strchr(dir, '\''))
		return dcc_fail(err, "%s: a directory whose name has a quote cannot be handed to gnuplot",
				dir);
	if (draw(dir, pts, n, pareto_script, err) || draw(dir, pts, n, heat_script, err))
		return -1;
	printf("wrote %s/sweep-pareto.png and %s/sweep-quality.png\n", dir, dir);
	return 0;
}
