// SPDX-License-Identifier: MIT
/*
 * The EIE encoder: rows are dealt to PEs (row i to PE i % P, local row
 * i / P); each PE's rows are stored column by column as entries of
 * (codebook index, zero rows skipped since the previous entry). A gap longer
 * than the z field holds is bridged by padding entries of index 0, each
 * standing on the row after a maximal skip.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eie_encode.h"


static int check_params(uint32_t rows, uint32_t cols, uint32_t pes,
			uint8_t wbits, uint8_t zbits, struct eie_error *err)
{
	if (rows == 0 || rows > DCACCEL_EIE_DIM_MAX ||
	    cols == 0 || cols > DCACCEL_EIE_DIM_MAX)
		return eie_fail(err, "matrix %u x %u: both sides must be 1..%u",
			        rows, cols, DCACCEL_EIE_DIM_MAX);
	if (pes == 0 || pes > DCACCEL_EIE_PES_MAX)
		return eie_fail(err, "pes must be 1..%u, got %u",
			        DCACCEL_EIE_PES_MAX, pes);
	if (wbits == 0 || wbits > DCACCEL_EIE_WBITS_MAX ||
	    zbits == 0 || zbits > DCACCEL_EIE_ZBITS_MAX)
		return eie_fail(err, "wbits %u / zbits %u: each must be 1..8",
			        wbits, zbits);
	return 0;
}

static int check_csc(const uint32_t *colstart, const uint32_t *rowidx,
		     const uint8_t *widx, uint32_t rows, uint32_t cols,
		     uint8_t wbits, struct eie_error *err)
{
	if (colstart[0] != 0)
		return eie_fail(err, "colstart[0] must be 0, got %u", colstart[0]);
	for (uint32_t j = 0; j < cols; j++) {
		if (colstart[j + 1] < colstart[j])
			return eie_fail(err, "colstart decreases at column %u", j);
		for (uint32_t e = colstart[j]; e < colstart[j + 1]; e++) {
			if (rowidx[e] >= rows)
				return eie_fail(err,
					        "column %u: row %u is past the %u rows",
					        j, rowidx[e], rows);
			if (e > colstart[j] && rowidx[e] <= rowidx[e - 1])
				return eie_fail(err,
					        "column %u: rows must increase, got %u after %u",
					        j, rowidx[e], rowidx[e - 1]);
			if (widx[e] == DCACCEL_EIE_PAD_INDEX ||
			    widx[e] >= (1u << wbits))
				return eie_fail(err,
					        "column %u row %u: codebook index %u must be 1..%u",
					        j, rowidx[e], widx[e],
					        (1u << wbits) - 1);
		}
	}
	return 0;
}

static void put_entry(uint8_t *entries, uint32_t at, unsigned int bytes,
		      unsigned int value)
{
	if (bytes == 1) {
		entries[at] = (uint8_t)value;
	} else {
		entries[2 * (size_t)at] = (uint8_t)value;
		entries[2 * (size_t)at + 1] = (uint8_t)(value >> 8);
	}
}

/*
 * Walk column j for every PE. With s->entries NULL only count the entries
 * into fill[p]; otherwise write them at fill[p] onwards. next[p] is the
 * local row of PE p that the next skip starts from.
 */
static void encode_column(const uint32_t *rowidx, const uint8_t *widx,
			  uint32_t begin, uint32_t end, struct eie_streams *s,
			  uint32_t *next, uint64_t *fill)
{
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(s->wbits, s->zbits);
	const uint32_t zmax = DCACCEL_EIE_ZRUN_MAX(s->zbits);

	for (uint32_t e = begin; e < end; e++) {
		uint32_t p = rowidx[e] % s->pes, local = rowidx[e] / s->pes;
		uint32_t gap = local - next[p];

		for (; gap > zmax; gap -= zmax + 1) {
			if (s->entries)
				put_entry(s->entries, (uint32_t)fill[p], bytes,
					  DCACCEL_EIE_ENTRY(DCACCEL_EIE_PAD_INDEX,
							    zmax, s->zbits));
			else
				s->padding_count++;
			fill[p]++;
		}
		if (s->entries)
			put_entry(s->entries, (uint32_t)fill[p], bytes,
				  DCACCEL_EIE_ENTRY(widx[e], gap, s->zbits));
		fill[p]++;
		next[p] = local + 1;
	}
}

/*
 * Count (s->entries NULL: per-PE running counts into colptr) or write all
 * columns. Fails only when one PE's stream would not fit 32-bit offsets.
 */
static int encode_pass(const uint32_t *colstart, const uint32_t *rowidx,
		       const uint8_t *widx, struct eie_streams *s,
		       uint32_t *next, uint64_t *fill, struct eie_error *err)
{
	const size_t stride = (size_t)s->cols + 1;

	for (uint32_t p = 0; p < s->pes; p++)
		fill[p] = s->entries ? s->colptr[p * stride] : 0;
	for (uint32_t j = 0; j < s->cols; j++) {
		memset(next, 0, s->pes * sizeof(*next));
		encode_column(rowidx, widx, colstart[j], colstart[j + 1], s,
			      next, fill);
		if (s->entries)
			continue;
		for (uint32_t p = 0; p < s->pes; p++) {
			if (fill[p] > UINT32_MAX)
				return eie_fail(err, "PE %u needs more than %u entries: the layer is too large for one stream",
					        p, UINT32_MAX);
			s->colptr[p * stride + j + 1] = (uint32_t)fill[p];
		}
	}
	return 0;
}

/* Turn per-PE counts into offsets into one stream, PE after PE. */
static int counts_to_offsets(struct eie_streams *s, struct eie_error *err)
{
	const size_t stride = (size_t)s->cols + 1;
	uint64_t base = 0;

	for (uint32_t p = 0; p < s->pes; p++) {
		uint32_t *ptr = s->colptr + p * stride;
		uint64_t count = ptr[s->cols];

		if (base + count > UINT32_MAX)
			return eie_fail(err, "more than %u entries: the layer is too large for one stream",
				        UINT32_MAX);
		for (uint32_t j = 0; j <= s->cols; j++)
			ptr[j] = (uint32_t)(ptr[j] + base);
		base += count;
	}
	s->entry_count = (uint32_t)base;
	return 0;
}

/* The encoder's own output must pass the validator the device runs. */
static int check_result(const struct eie_streams *s, struct eie_error *err)
{
	static const int16_t zeros[1u << DCACCEL_EIE_WBITS_MAX];
	struct eie_layer l = { .codebook = zeros };
	int ret;

	eie_streams_to_layer(s, &l);
	ret = eie_validate(&l, err);
	if (ret && err) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		snprintf(err->msg, sizeof(err->msg), "encoder bug: %.150s", why);
	}
	return ret;
}

int eie_encode_csc(const uint32_t *colstart, const uint32_t *rowidx,
		   const uint8_t *widx, uint32_t rows, uint32_t cols,
		   uint32_t pes, uint8_t wbits, uint8_t zbits,
		   struct eie_streams *out, struct eie_error *err)
{
	struct eie_streams s = {
		.rows = rows, .cols = cols, .pes = pes,
		.wbits = wbits, .zbits = zbits,
	};
	uint32_t *next = NULL;
	uint64_t *fill = NULL;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_params(rows, cols, pes, wbits, zbits, err);
	if (!ret)
		ret = check_csc(colstart, rowidx, widx, rows, cols, wbits, err);
	if (ret)
		return ret;

	ret = -ENOMEM;
	s.colptr = calloc((size_t)pes * (cols + 1), sizeof(*s.colptr));
	next = calloc(pes, sizeof(*next));
	fill = calloc(pes, sizeof(*fill));
	if (!s.colptr || !next || !fill)
		goto out;

	ret = encode_pass(colstart, rowidx, widx, &s, next, fill, err);
	if (!ret)
		ret = counts_to_offsets(&s, err);
	if (ret)
		goto out;
	ret = -ENOMEM;
	s.entries = malloc((size_t)s.entry_count *
			   DCACCEL_EIE_ENTRY_BYTES(wbits, zbits) + 1);
	if (!s.entries)
		goto out;
	encode_pass(colstart, rowidx, widx, &s, next, fill, err);
	ret = check_result(&s, err);
	if (ret)
		goto out;
	*out = s;
	s.colptr = NULL;
	s.entries = NULL;
	ret = 0;
out:
	free(s.colptr);
	free(s.entries);
	free(next);
	free(fill);
	return ret;
}

int eie_encode(const uint8_t *widx, uint32_t rows, uint32_t cols,
	       uint32_t pes, uint8_t wbits, uint8_t zbits,
	       struct eie_streams *out, struct eie_error *err)
{
	uint32_t *colstart = NULL, *rowidx = NULL;
	uint8_t *values = NULL;
	uint64_t nnz = 0;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_params(rows, cols, pes, wbits, zbits, err);
	if (ret)
		return ret;
	for (size_t i = 0; i < (size_t)rows * cols; i++)
		nnz += widx[i] != 0;
	if (nnz > UINT32_MAX)
		return eie_fail(err, "%llu non-zero weights: too many for one layer",
			        (unsigned long long)nnz);

	ret = -ENOMEM;
	colstart = malloc(((size_t)cols + 1) * sizeof(*colstart));
	rowidx = malloc((nnz + 1) * sizeof(*rowidx));
	values = malloc(nnz + 1);
	if (!colstart || !rowidx || !values)
		goto out;

	/* Row-major to column-major (CSC), rows increasing in each column. */
	nnz = 0;
	for (uint32_t j = 0; j < cols; j++) {
		colstart[j] = (uint32_t)nnz;
		for (uint32_t i = 0; i < rows; i++) {
			uint8_t w = widx[(size_t)i * cols + j];

			if (w) {
				rowidx[nnz] = i;
				values[nnz++] = w;
			}
		}
	}
	colstart[cols] = (uint32_t)nnz;
	ret = eie_encode_csc(colstart, rowidx, values, rows, cols, pes, wbits,
			     zbits, out, err);
out:
	free(colstart);
	free(rowidx);
	free(values);
	return ret;
}

int eie_encode_weights(const int16_t *weights, uint32_t rows, uint32_t cols,
		       const int16_t *codebook, uint32_t codebook_len,
		       uint32_t pes, uint8_t wbits, uint8_t zbits,
		       struct eie_streams *out, struct eie_error *err)
{
	uint8_t index_of[1u << 16];	/* weight (as uint16) -> index + 1 */
	uint8_t *widx;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_params(rows, cols, pes, wbits, zbits, err);
	if (ret)
		return ret;
	if (codebook_len == 0 || codebook_len > (1u << wbits))
		return eie_fail(err, "codebook_len must be 1..%u for wbits %u, got %u",
			        1u << wbits, wbits, codebook_len);
	if (codebook[0] != 0)
		return eie_fail(err, "codebook[0] must be 0 (the zero weight), got %d",
			        codebook[0]);
	memset(index_of, 0, sizeof(index_of));
	for (uint32_t w = codebook_len; w-- > 1;) {
		if (codebook[w] == 0)
			return eie_fail(err, "codebook[%u] is 0: only index 0 may hold the zero weight",
				        w);
		index_of[(uint16_t)codebook[w]] = (uint8_t)w;
	}

	widx = malloc((size_t)rows * cols);
	if (!widx)
		return -ENOMEM;
	for (size_t i = 0; i < (size_t)rows * cols; i++) {
		widx[i] = index_of[(uint16_t)weights[i]];
		if (weights[i] && !widx[i]) {
			free(widx);
			return eie_fail(err, "row %zu column %zu: weight %d is not in the codebook",
				        i / cols, i % cols, weights[i]);
		}
	}
	ret = eie_encode(widx, rows, cols, pes, wbits, zbits, out, err);
	free(widx);
	return ret;
}

void eie_streams_free(struct eie_streams *s)
{
	free(s->colptr);
	free(s->entries);
	memset(s, 0, sizeof(*s));
}

void eie_streams_to_layer(const struct eie_streams *s, struct eie_layer *l)
{
	l->rows = s->rows;
	l->cols = s->cols;
	l->pes = s->pes;
	l->wbits = s->wbits;
	l->zbits = s->zbits;
	l->codebook_len = 1u << s->wbits;
	l->colptr = s->colptr;
	l->entries = s->entries;
	l->entry_count = s->entry_count;
}
