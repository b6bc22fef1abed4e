// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: an EIE layer as the device would take it from a guest.
 * The bytes give the shape, formats, codebook, column pointers, entries and
 * one input vector; eie_validate() must refuse or accept without reading out
 * of bounds, and an accepted layer must run and be modeled cleanly, and its
 * decoded forms (columns and rows) give the streams' outputs and counts.
 */
#include <stdlib.h>
#include <string.h>

#include "../qemu-device/datapath/eie.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct cursor {
	const uint8_t *p;
	size_t left;
};

static const void *take(struct cursor *c, size_t n)
{
	const void *p = c->p;

	if (n > c->left)
		return NULL;
	c->p += n;
	c->left -= n;
	return p;
}

/* Copy into aligned memory of exactly the size given, so ASan sees ends. */
static void *dup(struct cursor *c, size_t n)
{
	const void *src = take(c, n);
	void *p;

	if (!src)
		return NULL;
	p = malloc(n ? n : 1);
	if (p)
		memcpy(p, src, n);
	return p;
}

/* A team without threads: its parts one after another, last first. */
static void run_reversed(void *opaque, void (*fn)(void *arg, uint32_t part),
			 void *arg, uint32_t n)
{
	(void)opaque;
	for (uint32_t p = n; p-- > 0;)
		fn(arg, p);
}

/*
 * The decoded layer's two forms, each forced, in the kernels `sel` picks,
 * alone and split over a team of 2 or 3 parts, must give what the streams
 * gave (want, with its statistics): a differential check of every host
 * form the device and libaccel run.
 */
static void check_decoded(const struct eie_layer *l, const int16_t *x,
			  const int16_t *want, const struct eie_stats *want_st,
			  uint8_t sel)
{
	static const enum eie_form forms[] = { EIE_FORM_COLUMNS, EIE_FORM_ROWS };
	static const enum eie_kernels kernels[] = {
		EIE_KERNELS_AUTO, EIE_KERNELS_BASELINE, EIE_KERNELS_AVX2,
	};
	const struct eie_team team = { 2 + sel % 2, run_reversed, NULL, 1 };
	void *buf = malloc(eie_decoded_size(l));
	void *rows = malloc(eie_decoded_rows_size(l) + 1);
	void *ws = malloc(eie_run_team_ws_size(l, team.parts));
	int16_t *got = malloc((size_t)2 * l->rows);
	struct eie_decoded d;

	if (buf && rows && ws && got) {
		eie_decode_layer(l, buf, &d);
		eie_decode_rows(&d, rows);
		eie_set_kernels(kernels[sel / 2 % 3]);
		for (int f = 0; f < 4; f++) {
			struct eie_stats st = { 0 };

			eie_set_form(forms[f % 2]);
			eie_run_decoded_team(&d, 1, x, got, ws, &st, NULL,
					     f < 2 ? NULL : &team);
			if (memcmp(got, want, (size_t)2 * l->rows) ||
			    memcmp(&st, want_st, sizeof(st)))
				abort();	/* a host form differs */
		}
		eie_set_form(EIE_FORM_AUTO);
		eie_set_kernels(EIE_KERNELS_AUTO);
	}
	free(buf);
	free(rows);
	free(ws);
	free(got);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct cursor c = { data, size };
	const uint8_t *h = take(&c, 12);
	struct eie_layer l = { 0 };
	void *codebook = NULL, *colptr = NULL, *entries = NULL, *input = NULL;
	void *bias = NULL, *ws = NULL, *cws = NULL, *out = NULL;
	struct eie_cycles cycles = { 0 };
	struct eie_stats stats = { 0 };

	if (!h)
		return 0;
	/* keep shapes small so each input runs fast */
	l.rows = 1 + h[0] % 64;
	l.cols = 1 + h[1] % 64;
	l.pes = 1 + h[2] % 16;
	l.wbits = h[3] % 10;		/* 0 and 9 are invalid on purpose */
	l.zbits = h[4] % 10;
	l.in_frac = h[5] % 18;
	l.w_frac = h[6] % 18;
	l.out_frac = h[7] % 18;
	l.relu = h[8] & 1;
	l.codebook_len = h[9];
	l.entry_count = h[10] | (uint32_t)(h[11] & 3) << 8;

	codebook = dup(&c, (size_t)2 << (l.wbits > 8 ? 8 : l.wbits));
	colptr = dup(&c, (size_t)4 * l.pes * (l.cols + 1));
	entries = dup(&c, (size_t)l.entry_count *
		      (l.wbits + l.zbits <= 8 ? 1 : 2));
	input = dup(&c, (size_t)2 * l.cols);
	if (h[8] & 2)
		bias = dup(&c, (size_t)4 * l.rows);
	if (!codebook || !colptr || !entries || !input)
		goto out;
	l.codebook = codebook;
	l.colptr = colptr;
	l.entries = entries;
	l.bias = bias;

	if (eie_validate(&l, NULL) == 0) {
		ws = malloc(eie_run_ws_size(&l));
		cws = malloc(eie_cycles_ws_size(l.pes, 1 + h[8] % 16));
		out = malloc((size_t)2 * l.rows);
		if (ws && cws && out) {
			eie_run(&l, 1, input, out, ws, &stats);
			eie_model_cycles(&l, 1 + h[8] % 16, 1, input, cws,
					 &cycles, NULL);
			if (stats.entries > l.entry_count ||
			    cycles.busy < stats.entries)
				abort();	/* the model and the run disagree */
			check_decoded(&l, input, out, &stats, h[9] ^ h[10]);
		}
	}
out:
	free(codebook);
	free(colptr);
	free(entries);
	free(input);
	free(bias);
	free(ws);
	free(cws);
	free(out);
	return 0;
}
