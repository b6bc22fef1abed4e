// SPDX-License-Identifier: MIT
/*
 * Validation of an EIE layer: after this, eie_run() and eie_model_cycles()
 * index nothing outside the layer's arrays, whatever the streams held.
 */
#include <errno.h>
#include <stdio.h>

#include "eie.h"
#include "eie_entry.h"


static int validate_shape(const struct eie_layer *l, struct eie_error *err)
{
	if (l->rows == 0 || l->rows > DCACCEL_EIE_DIM_MAX)
		return eie_fail(err, "rows must be 1..%u, got %u",
			        DCACCEL_EIE_DIM_MAX, l->rows);
	if (l->cols == 0 || l->cols > DCACCEL_EIE_DIM_MAX)
		return eie_fail(err, "cols must be 1..%u, got %u",
			        DCACCEL_EIE_DIM_MAX, l->cols);
	if (l->pes == 0 || l->pes > DCACCEL_EIE_PES_MAX)
		return eie_fail(err, "pes must be 1..%u, got %u",
			        DCACCEL_EIE_PES_MAX, l->pes);
	if (l->wbits == 0 || l->wbits > DCACCEL_EIE_WBITS_MAX)
		return eie_fail(err, "wbits must be 1..%u, got %u",
			        DCACCEL_EIE_WBITS_MAX, l->wbits);
	if (l->zbits == 0 || l->zbits > DCACCEL_EIE_ZBITS_MAX)
		return eie_fail(err, "zbits must be 1..%u, got %u",
			        DCACCEL_EIE_ZBITS_MAX, l->zbits);
	return 0;
}

static int validate_arith(const struct eie_layer *l, struct eie_error *err)
{
	if (l->in_frac > DCACCEL_EIE_FRAC_MAX ||
	    l->w_frac > DCACCEL_EIE_FRAC_MAX ||
	    l->out_frac > DCACCEL_EIE_FRAC_MAX)
		return eie_fail(err,
			        "fraction bits must be 0..%u, got in %u, w %u, out %u",
			        DCACCEL_EIE_FRAC_MAX, l->in_frac, l->w_frac,
			        l->out_frac);
	if (l->out_frac > l->in_frac + l->w_frac)
		return eie_fail(err,
			        "out_frac %u exceeds in_frac + w_frac = %u (outputs are rounded, never shifted left)",
			        l->out_frac, l->in_frac + l->w_frac);
	if (l->codebook_len == 0 || l->codebook_len > (1u << l->wbits))
		return eie_fail(err, "codebook_len must be 1..%u for wbits %u, got %u",
			        1u << l->wbits, l->wbits, l->codebook_len);
	if (!l->codebook)
		return eie_fail(err, "codebook is missing");
	if (l->codebook[DCACCEL_EIE_PAD_INDEX] != 0)
		return eie_fail(err,
			        "codebook[0] must be 0 (the padding weight), got %d",
			        l->codebook[DCACCEL_EIE_PAD_INDEX]);
	return 0;
}

/* Pointers: PE-major, non-decreasing, PE p+1 starting where PE p ends. */
static int validate_colptr(const struct eie_layer *l, struct eie_error *err)
{
	uint32_t expect = 0;

	if (!l->colptr)
		return eie_fail(err, "column pointers are missing");
	if (l->entry_count && !l->entries)
		return eie_fail(err, "entries are missing (entry_count %u)",
			        l->entry_count);
	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t *ptr = l->colptr + (size_t)p * (l->cols + 1);

		if (ptr[0] != expect)
			return eie_fail(err,
				        "PE %u: column pointers start at %u, expected %u (where the previous PE ends)",
				        p, ptr[0], expect);
		for (uint32_t j = 0; j < l->cols; j++) {
			if (ptr[j + 1] < ptr[j])
				return eie_fail(err,
					        "PE %u: colptr[%u] = %u is below colptr[%u] = %u (pointers must not decrease)",
					        p, j + 1, ptr[j + 1], j, ptr[j]);
		}
		if (ptr[l->cols] > l->entry_count)
			return eie_fail(err,
				        "PE %u: column pointers end at %u, past the %u entries of the stream",
				        p, ptr[l->cols], l->entry_count);
		expect = ptr[l->cols];
	}
	if (expect != l->entry_count)
		return eie_fail(err,
			        "column pointers end at %u but the stream has %u entries",
			        expect, l->entry_count);
	return 0;
}

/* Every entry must land on a row of its PE and name a codebook entry. */
static int validate_entries(const struct eie_layer *l, struct eie_error *err)
{
	const unsigned int bytes = DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);

	for (uint32_t p = 0; p < l->pes; p++) {
		const uint32_t *ptr = l->colptr + (size_t)p * (l->cols + 1);
		const uint64_t pe_rows = DCACCEL_EIE_PE_ROWS(l->rows, l->pes, p);

		for (uint32_t j = 0; j < l->cols; j++) {
			uint64_t row = 0;	/* next row a zero skip starts at */

			for (uint32_t e = ptr[j]; e < ptr[j + 1]; e++) {
				unsigned int v = eie_entry_at(l->entries, e, bytes);
				unsigned int w = DCACCEL_EIE_ENTRY_WIDX(v, l->zbits);

				row += DCACCEL_EIE_ENTRY_Z(v, l->zbits);
				if (row >= pe_rows)
					return eie_fail(err,
						        "PE %u column %u: entry %u lands on local row %llu, but the PE holds %llu rows",
						        p, j, e - ptr[j],
						        (unsigned long long)row,
						        (unsigned long long)pe_rows);
				if (w >= l->codebook_len)
					return eie_fail(err,
						        "PE %u column %u: entry %u has codebook index %u, past the codebook's %u entries",
						        p, j, e - ptr[j], w,
						        l->codebook_len);
				row++;
			}
		}
	}
	return 0;
}

int eie_validate_format(const struct eie_layer *l, struct eie_error *err)
{
	int ret;

	if (!l)
		return eie_fail(err, "no layer");
	ret = validate_shape(l, err);
	if (!ret)
		ret = validate_arith(l, err);
	return ret;
}

int eie_validate(const struct eie_layer *l, struct eie_error *err)
{
	int ret = eie_validate_format(l, err);

	if (!ret)
		ret = validate_colptr(l, err);
	if (!ret)
		ret = validate_entries(l, err);
	return ret;
}
