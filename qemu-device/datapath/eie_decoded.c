// SPDX-License-Identifier: MIT
/*
 * A decoded form of a validated layer for running many vectors on a host:
 * per column, the global row and codebook index of every non-padding entry
 * of every PE, and the entry and padding counts that the statistics need.
 * Decoding costs one pass over the streams; each vector then costs one
 * short loop per non-zero activation instead of one per PE, which is what
 * a CPU wants (the per-PE runs are short and their ends unpredictable).
 * The results and statistics are those of eie_run(), bit for bit.
 */
#include <errno.h>
#include <string.h>

#include "eie.h"
#include "eie_arith.h"
#include "eie_entry.h"

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

size_t eie_decoded_size(const struct eie_layer *l)
{
	return align8(((size_t)l->cols + 1) * sizeof(uint32_t)) +
	       align8((size_t)l->cols * 2 * sizeof(uint32_t)) +
	       align8((size_t)l->entry_count * sizeof(uint32_t)) +
	       align8(l->entry_count);
}

/*
 * PE by PE, so that the column pointers and entries are read in order
 * (column by column, a PE's pointers are a row of the pointer matrix
 * apart): first each column's counts, then its entries, appended PE
 * after PE in each column's list as a column-by-column walk would.
 */
void eie_decode_layer(const struct eie_layer *l, void *buf,
		      struct eie_decoded *d)
{
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	uint32_t *next;		/* each column's next free slot */
	uint8_t *p = buf;

	d->layer = l;
	d->colstart = (uint32_t *)p;
	p += align8(((size_t)l->cols + 1) * sizeof(uint32_t));
	d->colcount = (uint32_t *)p;
	p += align8((size_t)l->cols * 2 * sizeof(uint32_t));
	d->row = (uint32_t *)p;
	p += align8((size_t)l->entry_count * sizeof(uint32_t));
	d->widx = p;

	/* colstart[j + 1]: column j's non-padding entries, for now */
	memset(d->colstart, 0, ((size_t)l->cols + 1) * sizeof(uint32_t));
	memset(d->colcount, 0, (size_t)l->cols * 2 * sizeof(uint32_t));
	for (uint32_t pe = 0; pe < l->pes; pe++) {
		const uint32_t *ptr = l->colptr + (size_t)pe * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t padding = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);

				padding += DCACCEL_EIE_ENTRY_WIDX(v, l->zbits) ==
					   DCACCEL_EIE_PAD_INDEX;
			}
			d->colcount[2 * j] += ptr[j + 1] - ptr[j];
			d->colcount[2 * j + 1] += padding;
			d->colstart[j + 1] += ptr[j + 1] - ptr[j] - padding;
		}
	}
	for (uint32_t j = 0; j < l->cols; j++)
		d->colstart[j + 1] += d->colstart[j];

	/* next[j] runs over column j's slots; it ends as colstart[j + 1] */
	next = d->colstart;
	for (uint32_t pe = 0; pe < l->pes; pe++) {
		const uint32_t *ptr = l->colptr + (size_t)pe * (l->cols + 1);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint32_t local = 0;

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);
				unsigned int w = DCACCEL_EIE_ENTRY_WIDX(v, l->zbits);

				local += DCACCEL_EIE_ENTRY_Z(v, l->zbits);
				if (w != DCACCEL_EIE_PAD_INDEX) {
					d->row[next[j]] = local * l->pes + pe;
					d->widx[next[j]++] = (uint8_t)w;
				}
				local++;
			}
		}
	}
	/* next[j] is where column j + 1 starts: shift back by one */
	memmove(d->colstart + 1, d->colstart, (size_t)l->cols * sizeof(uint32_t));
	d->colstart[0] = 0;
}

/* Non-zero activations between two questions to the poll, as eie_run(). */
#define EIE_POLL_EVERY	256

/* One vector; -ECANCELED when poll said stop (every 256 non-zeros). */
static int run_decoded_vector(const struct eie_decoded *d, const int16_t *x,
			      int16_t *y, void *ws, struct eie_stats *stats,
			      const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;
	const unsigned int shift = l->in_frac + l->w_frac - l->out_frac;
	int64_t *acc = ws;
	int32_t *prod = (int32_t *)(acc + l->rows);
	uint64_t nnz = 0, entries = 0, padding = 0;

	memset(acc, 0, (size_t)l->rows * sizeof(*acc));
	for (uint32_t j = 0; j < l->cols; j++) {
		const int32_t a = x[j];

		if (!a)
			continue;
		if (nnz && nnz % EIE_POLL_EVERY == 0 && eie_poll_stop(poll))
			return -ECANCELED;
		nnz++;
		entries += d->colcount[2 * j];
		padding += d->colcount[2 * j + 1];
		for (uint32_t w = 0; w < l->codebook_len; w++)
			prod[w] = (int32_t)l->codebook[w] * a;
		for (uint32_t e = d->colstart[j]; e < d->colstart[j + 1]; e++)
			acc[d->row[e]] += prod[d->widx[e]];
	}
	for (uint32_t i = 0; i < l->rows; i++)
		y[i] = eie_finish(acc[i] + (l->bias ? l->bias[i] : 0), l->relu,
				  shift);
	if (stats) {
		stats->nonzero_acts += nnz;
		stats->entries += entries;
		stats->padding += padding;
		stats->macs += entries - padding;
	}
	return 0;
}

int eie_run_decoded_poll(const struct eie_decoded *d, uint32_t batch,
			 const int16_t *in, int16_t *out, void *ws,
			 struct eie_stats *stats, const struct eie_poll *poll)
{
	const struct eie_layer *l = d->layer;

	for (uint32_t b = 0; b < batch; b++) {
		if (eie_poll_stop(poll) ||
		    run_decoded_vector(d, in + (size_t)b * l->cols,
				       out + (size_t)b * l->rows, ws, stats,
				       poll))
			return -ECANCELED;
	}
	return 0;
}

void eie_run_decoded(const struct eie_decoded *d, uint32_t batch,
		     const int16_t *in, int16_t *out, void *ws,
		     struct eie_stats *stats)
{
	eie_run_decoded_poll(d, batch, in, out, ws, stats, NULL);
}
