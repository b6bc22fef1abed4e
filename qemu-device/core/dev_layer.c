// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "dev_layer.h"
#include "../datapath/dp_quant.h"
#include "dev_le.h"

#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))

void *dcdev_alloc(size_t n)
{
	return malloc(n ? n : 1);
}

void dcdev_le16_to_host(int16_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v = dcdev_ld16((const uint8_t *)&a[i]);

		memcpy(&a[i], &v, 2);
	}
}

void dcdev_le32_to_host(void *arr, size_t n)
{
	uint32_t *a = arr;

	for (size_t i = 0; i < n; i++) {
		uint32_t v = dcdev_ld32((const uint8_t *)&a[i]);

		memcpy(&a[i], &v, 4);
	}
}

void dcdev_le64_to_host(uint64_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++)
		a[i] = dcdev_ld64((const uint8_t *)&a[i]);
}

void dcdev_host_to_le16(int16_t *a, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint16_t v;

		memcpy(&v, &a[i], 2);
		dcdev_st16((uint8_t *)&a[i], v);
	}
}

uint32_t dcdev_op_fault(struct dcdev_result *r, const struct dcdev_fault *f,
			uint32_t detail)
{
	r->fault = f->reason << DCACCEL_FAULT_REASON_SHIFT |
		   (f->write ? DCACCEL_FAULT_WRITE : 0);
	r->fault_va = f->va;
	r->detail = detail;
	return r->status = DCACCEL_JOB_MMU_FAULT;
}

uint32_t dcdev_op_read(struct dcdev_mmu *m, uint64_t va, void *buf, size_t n,
		       struct dcdev_result *r, uint32_t detail)
{
	struct dcdev_fault f;

	if (n && dcdev_mmu_read(m, va, buf, n, &f))
		return dcdev_op_fault(r, &f, detail);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_op_bad_layer(struct dcdev_result *r, const struct dcdev_op *op,
			    const struct eie_error *err)
{
	memcpy(r->msg, err->msg, sizeof(r->msg));
	r->msg[sizeof(r->msg) - 1] = '\0';
	r->detail = op->offset;
	return r->status = DCACCEL_JOB_BAD_LAYER;
}

/*
 * The op's n inputs into in (host order): int16 as they are, or floats
 * converted as dp_quant.h says, in_frac the fraction bits. Reads a page of
 * floats at a time, so that the floats need no buffer of their own.
 */
static int dcdev_input_read(struct dcdev_mmu *m, const struct dcdev_fc *fc,
			    size_t n, int16_t *in, struct dcdev_fault *f)
{
	enum { CHUNK = 1024 };	/* floats per read: one page */
	uint8_t buf[4 * CHUNK];

	if (!(fc->flags & DCACCEL_FC_F_INPUT_F32)) {
		if (dcdev_mmu_read(m, fc->input_va, in, 2 * n, f))
			return -1;
		dcdev_le16_to_host(in, n);
		return 0;
	}
	for (size_t k = 0; k < n; k += CHUNK) {
		size_t c = n - k < CHUNK ? n - k : CHUNK;

		if (dcdev_mmu_read(m, fc->input_va + 4 * (uint64_t)k, buf,
				   4 * c, f))
			return -1;
		dp_quant_f32_le(buf, in + k, c, fc->in_frac);
	}
	return 0;
}

uint32_t dcdev_layer_fetch(struct dcdev_mmu *m, const struct dcdev_fc *fc,
			   uint32_t fields, size_t in_n, size_t out_n,
			   struct dcdev_layer_bufs *b, struct eie_layer *l,
			   struct dcdev_result *r)
{
	size_t colptr_n = (size_t)fc->pes * (fc->cols + 1);
	size_t entry_bytes = (size_t)fc->entry_count *
			     DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits);
	struct dcdev_fault f;

	b->codebook = dcdev_alloc(2 * (size_t)fc->codebook_len);
	b->raw = dcdev_alloc(4 * colptr_n + entry_bytes);
	b->input = dcdev_alloc(2 * in_n);
	b->output = dcdev_alloc(2 * out_n);
	if (fc->flags & DCACCEL_FC_F_BIAS)
		b->bias = dcdev_alloc(4 * (size_t)fc->rows);
	if (!b->codebook || !b->raw || !b->input || !b->output ||
	    ((fc->flags & DCACCEL_FC_F_BIAS) && !b->bias))
		return r->status = DCACCEL_JOB_NO_MEMORY;

	if (dcdev_mmu_read(m, fc->codebook_va, b->codebook,
			   2 * (size_t)fc->codebook_len, &f))
		return dcdev_op_fault(r, &f, fields + FOFF(codebook_va));
	if (dcdev_mmu_read(m, fc->colptr_va, b->raw, 4 * colptr_n, &f))
		return dcdev_op_fault(r, &f, fields + FOFF(colptr_va));
	if (dcdev_mmu_read(m, fc->entries_va, b->raw + 4 * colptr_n,
			   entry_bytes, &f))
		return dcdev_op_fault(r, &f, fields + FOFF(entries_va));
	if (b->bias && dcdev_mmu_read(m, fc->bias_va, b->bias,
				      4 * (size_t)fc->rows, &f))
		return dcdev_op_fault(r, &f, fields + FOFF(bias_va));
	if (dcdev_input_read(m, fc, in_n, b->input, &f))
		return dcdev_op_fault(r, &f, fields + FOFF(input_va));

	dcdev_le16_to_host(b->codebook, fc->codebook_len);
	if (b->bias)
		dcdev_le32_to_host(b->bias, fc->rows);

	*l = (struct eie_layer){
		.rows = fc->rows, .cols = fc->cols, .pes = fc->pes,
		.wbits = fc->wbits, .zbits = fc->zbits,
		.in_frac = fc->in_frac, .w_frac = fc->w_frac,
		.out_frac = fc->out_frac,
		.relu = fc->flags & DCACCEL_FC_F_RELU,
		.codebook_len = fc->codebook_len, .codebook = b->codebook,
		.colptr = NULL, .entries = b->raw + 4 * colptr_n,
		.entry_count = fc->entry_count, .bias = b->bias,
	};
	return DCACCEL_JOB_OK;
}

void dcdev_layer_bufs_free(struct dcdev_layer_bufs *b)
{
	free(b->codebook);
	free(b->raw);
	free(b->bias);
	free(b->input);
	free(b->output);
}

uint32_t dcdev_output_write(struct dcdev_mmu *m, uint64_t va, int16_t *out,
			    size_t n, struct dcdev_result *r, uint32_t detail)
{
	struct dcdev_fault f;

	dcdev_host_to_le16(out, n);
	if (dcdev_mmu_write(m, va, out, 2 * n, &f))
		return dcdev_op_fault(r, &f, detail);
	return DCACCEL_JOB_OK;
}
