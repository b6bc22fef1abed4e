// SPDX-License-Identifier: MIT
/*
 * Histograms drawn straight into an RGB buffer: 200 bins over the range of
 * the weights before and after pruning, heights on a square-root scale so
 * that the pruned distribution's tails stay visible next to the dense peak.
 */
#include <math.h>
#include <png.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"

#define W	900
#define H	420
#define MARGIN	30
#define BINS	200

static void rect(uint8_t *img, int x0, int y0, int x1, int y1,
		 const uint8_t rgb[3])
{
	for (int y = y0 < 0 ? 0 : y0; y < y1 && y < H; y++)
		for (int x = x0 < 0 ? 0 : x0; x < x1 && x < W; x++)
			memcpy(img + 3 * ((size_t)y * W + x), rgb, 3);
}

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

/* Nothing here changes after setjmp(), so libpng's longjmp is safe. */
static int write_png(FILE *f, const uint8_t *img)
{
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL,
						  NULL, NULL);
	png_infop info = png ? png_create_info_struct(png) : NULL;

	if (!png || !info) {
		png_destroy_write_struct(&png, &info);
		return -1;
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		return -1;
	}
	png_init_io(png, f);
	png_set_IHDR(png, info, W, H, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
		     PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_write_info(png, info);
	for (int y = 0; y < H; y++)
		png_write_row(png, img + (size_t)y * W * 3);
	png_write_end(png, NULL);
	png_destroy_write_struct(&png, &info);
	return 0;
}

int plot_weights(const char *path, const float *before, size_t nbefore,
		 const float *after, size_t nafter, const float *centroids,
		 unsigned int ncent, struct dcc_error *err)
{
	static const uint8_t white[3] = { 255, 255, 255 }, grey[3] = { 190, 190, 190 },
		blue[3] = { 40, 90, 200 }, red[3] = { 220, 30, 30 }, black[3] = { 0, 0, 0 };
	double hb[BINS], ha[BINS], top = 1;
	float lo = INFINITY, hi = -INFINITY;
	const int pw = W - 2 * MARGIN, ph = H - 2 * MARGIN;
	uint8_t *img = malloc((size_t)W * H * 3);
	FILE *f = NULL;
	int ret = -1;

	if (!img)
		return dcc_fail(err, "out of memory");
	for (size_t i = 0; i < nbefore; i++) {
		lo = fminf(lo, before[i]);
		hi = fmaxf(hi, before[i]);
	}
	for (size_t i = 0; i < nafter; i++) {	/* retraining may widen it */
		lo = fminf(lo, after[i]);
		hi = fmaxf(hi, after[i]);
	}
	if (!(hi > lo)) {
		lo = -1;
		hi = 1;
	}
	histogram(before, nbefore, lo, hi, hb);
	histogram(after, nafter, lo, hi, ha);
	for (int b = 0; b < BINS; b++)
		top = fmax(top, fmax(hb[b], ha[b]));
	rect(img, 0, 0, W, H, white);
	for (int pass = 0; pass < 2; pass++) {
		const double *h = pass ? ha : hb;

		for (int b = 0; b < BINS; b++) {
			int x0 = MARGIN + b * pw / BINS, x1 = MARGIN + (b + 1) * pw / BINS;
			int bar = (int)(sqrt(h[b] / top) * ph);

			rect(img, x0, MARGIN + ph - bar, x1 - (pass ? 1 : 0),
			     MARGIN + ph, pass ? blue : grey);
		}
	}
	for (unsigned int c = 0; c < ncent; c++) {
		int x = MARGIN + (int)((centroids[c] - lo) / (hi - lo) * pw);

		rect(img, x, MARGIN, x + 1, MARGIN + ph, red);
	}
	rect(img, MARGIN, MARGIN + ph, MARGIN + pw, MARGIN + ph + 1, black);
	if (lo < 0 && hi > 0) {
		int x0 = MARGIN + (int)(-lo / (hi - lo) * pw);

		rect(img, x0, MARGIN + ph, x0 + 1, MARGIN + ph + 8, black);
	}

	f = fopen(path, "wb");
	if (!f) {
		dcc_fail(err, "%s: cannot create", path);
		goto out;
	}
	if (write_png(f, img)) {
		dcc_fail(err, "%s: PNG write failed", path);
		goto out;
	}
	ret = 0;
out:
	if (f && fclose(f) && !ret)
		ret = dcc_fail(err, "%s: write failed", path);
	free(img);
	return ret;
}
