// SPDX-License-Identifier: MIT
/*
 * The weight-distribution picture of Deep Compression, drawn by gnuplot
 * (Debian's gnuplot-nox, pngcairo): 200 bins over the range of the dense
 * weights, counts on a square-root axis so that the pruned distribution's
 * tails stay visible next to the dense peak, and a line per shared weight.
 * The histograms are computed here and handed to gnuplot as inline data in
 * a script file, so no user string reaches a shell.
 */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

#define BINS	200

extern char **environ;

static void histogram(const float *v, size_t n, float lo, float hi,
		      double *bins)
{
	memset(bins, 0, BINS * sizeof(*bins));
	for (size_t i = 0; i < n; i++) {
		int b = (int)((v[i] - lo) / (hi - lo) * BINS);

		if (b < 0)
			b = 0;
		if (b >= BINS)
			b = BINS - 1;
		bins[b]++;
	}
}

static void write_block(FILE *f, const char *name, const double *bins,
			float lo, float hi)
{
	fprintf(f, "$%s << EOD\n", name);
	for (int b = 0; b < BINS; b++)
		fprintf(f, "%.6g %.0f\n", lo + (b + 0.5) * (hi - lo) / BINS,
			bins[b]);
	fprintf(f, "EOD\n");
}

static int write_script(FILE *f, const char *path, const char *title,
			const double *before, const double *after, float lo,
			float hi, const float *centroids, unsigned int ncent)
{
	fprintf(f, "set terminal pngcairo size 900,450 font 'sans,10'\n");
	fprintf(f, "set output '%s'\n", path);
	fprintf(f, "set title '%s'\n", title);
	fprintf(f, "set xlabel 'weight value'\n");
	fprintf(f, "set ylabel 'count (square-root scale)'\n");
	fprintf(f, "set nonlinear y via sqrt(y) inverse y*y\n");
	fprintf(f, "set yrange [0:*]\nset xrange [%g:%g]\n", lo, hi);
	fprintf(f, "set style fill solid 0.85 noborder\nset boxwidth %g\n",
		(hi - lo) / BINS);
	fprintf(f, "set key top right\nset grid ytics\n");
	write_block(f, "before", before, lo, hi);
	write_block(f, "after", after, lo, hi);
	for (unsigned int c = 0; c < ncent; c++)
		fprintf(f, "set arrow from %g, graph 0 to %g, graph 1 nohead lc rgb '#cc2222' lw 1\n",
			centroids[c], centroids[c]);
	fprintf(f, "plot $before using 1:2 with boxes lc rgb '#bbbbbb' title 'dense weights', \\\n"
		   "     $after using 1:2 with boxes lc rgb '#2255cc' title 'kept after pruning', \\\n"
		   "     NaN with lines lc rgb '#cc2222' title 'shared weights (%u centroids)'\n",
		ncent);
	return ferror(f) ? -1 : 0;
}

int run_gnuplot(const char *script, struct dcc_error *err)
{
	char *const argv[] = { "gnuplot", (char *)script, NULL };
	int status;
	pid_t pid;
	int ret = posix_spawnp(&pid, "gnuplot", NULL, NULL, argv, environ);

	if (ret)
		return dcc_fail(err, "cannot run gnuplot (%s): install gnuplot-nox",
				strerror(ret));
	if (waitpid(pid, &status, 0) < 0)
		return dcc_fail(err, "waiting for gnuplot: %s", strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return dcc_fail(err, "gnuplot failed on %s", script);
	return 0;
}

int plot_weights(const char *path, const char *title, const float *before,
		 size_t nbefore, const float *after, size_t nafter,
		 const float *centroids, unsigned int ncent,
		 struct dcc_error *err)
{
	char script[] = "/tmp/dcc-plot-XXXXXX";
	float lo = INFINITY, hi = -INFINITY;
	double *hb, *ha;
	FILE *f;
	int fd, ret = -1;

	if (strchr(path, '\'') || strchr(title, '\''))
		return dcc_fail(err, "plot path or title contains a quote: %s", path);
	/* say what is wrong with the path here rather than in gnuplot's words */
	f = fopen(path, "wb");
	if (!f)
		return dcc_fail(err, "cannot write %s: %s", path, strerror(errno));
	fclose(f);

	hb = calloc(BINS, sizeof(*hb));
	ha = calloc(BINS, sizeof(*ha));
	if (!hb || !ha) {
		dcc_fail(err, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nbefore; i++) {
		lo = fminf(lo, before[i]);
		hi = fmaxf(hi, before[i]);
	}
	if (!(lo < hi)) {
		lo = -1;
		hi = 1;
	}
	histogram(before, nbefore, lo, hi, hb);
	histogram(after, nafter, lo, hi, ha);

	f = NULL;
	fd = mkstemp(script);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		dcc_fail(err, "cannot create a gnuplot script in /tmp: %s",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		goto out_unlink;
	}
	ret = write_script(f, path, title, hb, ha, lo, hi, centroids, ncent);
	if (fclose(f) || ret) {
		ret = dcc_fail(err, "cannot write the gnuplot script %s", script);
		goto out_unlink;
	}
	ret = run_gnuplot(script, err);
out_unlink:
	unlink(script);
out:
	free(hb);
	free(ha);
	return ret;
}
