// SPDX-License-Identifier: MIT
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "../../qemu-device/datapath/dp_bitplane.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "eie_fixture.h"
#include "../../qemu-device/core/dev_le.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)
#define FOFF(field)	offsetof(struct dcaccel_op_fc, field)
#define QOFF(field)	offsetof(struct dcaccel_op_quant, field)

void rig_init(struct rig *r, uint32_t pes)
{
	memset(r, 0, sizeof(*r));
	guest_init(&r->g, 16 << 20, 4);
	guest_ctx(&r->g, 1);
	guest_caps(&r->caps, pes);
	guest_env(&r->g, &r->caps, &r->env);
	r->ring = guest_page(&r->g);
	r->completion = guest_page(&r->g);
	r->next_va = 0x100000;
}

uint64_t rig_array(struct rig *r, const void *data, uint64_t len,
		   uint64_t perms)
{
	uint64_t va = r->next_va;

	guest_map(&r->g, 1, va, len ? len : 1, perms);
	if (data)
		guest_write_va(&r->g, 1, va, data, len);
	/* an unmapped page after each array, so that overruns fault */
	r->next_va += (len + 2 * DCACCEL_PAGE_SIZE) & ~(DCACCEL_PAGE_SIZE - 1);
	return va;
}

enum dcdev_outcome rig_run(struct rig *r, uint32_t flags,
			   struct dcdev_entry *e, struct dcdev_result *res)
{
	uint8_t *ent = r->g.ram + r->ring;

	guest_map(&r->g, 1, RIG_CMD_VA, r->cmd_len, DCACCEL_PTE_READ);
	guest_write_va(&r->g, 1, RIG_CMD_VA, r->cmd, r->cmd_len);
	memset(ent, 0, DCACCEL_RING_ENTRY_SIZE);
	dcdev_st32(ent, flags);
	dcdev_st32(ent + 4, 1);
	dcdev_st64(ent + 8, RIG_CMD_VA);
	dcdev_st32(ent + 16, r->cmd_len);
	dcdev_st64(ent + 24, 0xabcd0001);
	dcdev_st64(ent + 32, r->completion);
	return dcdev_job_run(&r->env, r->ring, e, res);
}

uint32_t rig_run_to_record_flags(struct rig *r, uint32_t flags,
				 struct dcdev_result *res)
{
	struct dcdev_entry e;

	if (rig_run(r, DCACCEL_RING_F_PE_STATS | flags, &e, res) != DCDEV_COMPLETE ||
	    dcdev_job_complete(&r->env, &e, res))
		return UINT32_MAX;
	return res->status;
}

uint32_t rig_run_to_record(struct rig *r, struct dcdev_result *res)
{
	return rig_run_to_record_flags(r, 0, res);
}

/*
 * The stream fields of an FC or CONV op, pes to output_va, placing f's
 * arrays in the context: `fields` is where the FC op's offsets count from
 * (the CONV op's pes is 16 bytes further on than the FC op's).
 */
void rig_put_streams(struct rig *r, uint8_t *fields, const struct fixture *f,
		     uint32_t batch, uint64_t input_va, uint64_t output_va)
{
	uint32_t eb = DCACCEL_EIE_ENTRY_BYTES(f->wbits, f->zbits);

	dcdev_st32(fields + FOFF(pes), f->pes);
	dcdev_st32(fields + FOFF(batch), batch);
	fields[FOFF(wbits)] = f->wbits;
	fields[FOFF(zbits)] = f->zbits;
	fields[FOFF(in_frac)] = f->in_frac;
	fields[FOFF(w_frac)] = f->w_frac;
	fields[FOFF(out_frac)] = f->out_frac;
	fields[FOFF(flags)] = (f->relu ? DCACCEL_FC_F_RELU : 0) |
			      (f->bias ? DCACCEL_FC_F_BIAS : 0);
	dcdev_st32(fields + FOFF(codebook_len), f->codebook_len);
	dcdev_st32(fields + FOFF(entry_count), f->s.entry_count);
	dcdev_st64(fields + FOFF(codebook_va),
		   rig_array(r, f->codebook, 2ull * f->codebook_len, RW));
	dcdev_st64(fields + FOFF(colptr_va),
		   rig_array(r, f->s.colptr, 4ull * f->pes * (f->cols + 1), RW));
	dcdev_st64(fields + FOFF(entries_va),
		   rig_array(r, f->s.entries, (uint64_t)eb * f->s.entry_count,
			     RW));
	if (f->bias)
		dcdev_st64(fields + FOFF(bias_va),
			   rig_array(r, f->bias, 4ull * f->rows, RW));
	dcdev_st64(fields + FOFF(input_va), input_va);
	dcdev_st64(fields + FOFF(output_va), output_va);
}

/* Append an FC op over f's streams; returns the op's offset. */
uint32_t add_fc(struct rig *r, const struct fixture *f, uint32_t batch,
		uint64_t input_va, uint64_t output_va)
{
	uint8_t *op = r->cmd + r->cmd_len;
	uint32_t at = r->cmd_len;

	memset(op, 0, DCACCEL_OP_FC_SIZE);
	dcdev_st32(op + FOFF(hdr.opcode), DCACCEL_OP_FC);
	dcdev_st32(op + FOFF(hdr.size), DCACCEL_OP_FC_SIZE);
	dcdev_st32(op + FOFF(rows), f->rows);
	dcdev_st32(op + FOFF(cols), f->cols);
	rig_put_streams(r, op, f, batch, input_va, output_va);
	r->cmd_len += DCACCEL_OP_FC_SIZE;
	return at;
}

uint32_t add_quant_op(struct rig *r, uint32_t channels, uint32_t pixels,
		      uint32_t batch, uint8_t bits, uint64_t thr_va,
		      uint64_t codes_va, uint64_t input_va, uint64_t output_va)
{
	uint8_t *op = r->cmd + r->cmd_len;
	uint32_t at = r->cmd_len;

	memset(op, 0, DCACCEL_OP_QUANT_SIZE);
	dcdev_st32(op + QOFF(hdr.opcode), DCACCEL_OP_QUANT);
	dcdev_st32(op + QOFF(hdr.size), DCACCEL_OP_QUANT_SIZE);
	dcdev_st32(op + QOFF(channels), channels);
	dcdev_st32(op + QOFF(pixels), pixels);
	dcdev_st32(op + QOFF(batch), batch);
	op[QOFF(bits)] = bits;
	dcdev_st64(op + QOFF(thr_va), thr_va);
	dcdev_st64(op + QOFF(codes_va), codes_va);
	dcdev_st64(op + QOFF(input_va), input_va);
	dcdev_st64(op + QOFF(output_va), output_va);
	r->cmd_len += DCACCEL_OP_QUANT_SIZE;
	return at;
}

/* A little-endian copy of n values of `width` bytes, as a guest writes it. */
uint64_t rig_put_le(struct rig *r, const void *a, size_t n,
		    unsigned int width)
{
	uint8_t *b = malloc(width * n);
	const uint8_t *src = a;
	uint64_t va;

	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;

		memcpy(&v, src + width * i, width);	/* host order, low part */
		for (unsigned int k = 0; k < width; k++)
			b[width * i + k] = (uint8_t)(v >> (8 * k));
	}
	va = rig_array(r, b, width * n, DCACCEL_PTE_READ);
	free(b);
	return va;
}

#define POFF(field)	(offsetof(struct dcaccel_op_bitplane, field) - \
			 offsetof(struct dcaccel_op_bitplane, w_planes))

void rig_put_plane_fields(struct rig *r, uint8_t *fields,
			  const struct dp_bitplane *l, size_t wn,
			  const uint64_t *in, size_t in_n, uint64_t output_va)
{
	fields[POFF(w_planes)] = l->w_planes;
	fields[POFF(a_planes)] = l->a_planes;
	fields[POFF(w_kind)] = l->w_kind;
	fields[POFF(a_kind)] = l->a_kind;
	fields[POFF(bw_frac)] = l->bw_frac;
	fields[POFF(ba_frac)] = l->ba_frac;
	fields[POFF(out_frac)] = l->out_frac;
	fields[POFF(flags)] = (l->relu ? DCACCEL_BITPLANE_F_RELU : 0) |
			      (l->bias ? DCACCEL_BITPLANE_F_BIAS : 0);
	dcdev_st64(fields + POFF(wplanes_va), rig_put_le(r, l->wplanes, wn, 8));
	dcdev_st64(fields + POFF(w_basis_va),
		   rig_put_le(r, l->w_basis, (size_t)l->rows * l->w_planes, 2));
	dcdev_st64(fields + POFF(a_basis_va),
		   rig_put_le(r, l->a_basis, l->a_planes, 2));
	if (l->bias)
		dcdev_st64(fields + POFF(bias_va),
			   rig_put_le(r, l->bias, l->rows, 4));
	dcdev_st64(fields + POFF(input_va), rig_put_le(r, in, in_n, 8));
	dcdev_st64(fields + POFF(output_va), output_va);
}

#define ROFF(field)	offsetof(struct dcaccel_completion, field)

int rig_record_mismatches(struct rig *r, const struct eie_stats *st,
			  const struct eie_cycles *cy, const uint64_t *busy,
			  uint32_t pes)
{
	int bad = (rec64(r, ROFF(macs)) != st->macs) +
		  (rec64(r, ROFF(entries)) != st->entries) +
		  (rec64(r, ROFF(nonzero_acts)) != st->nonzero_acts) +
		  (rec64(r, ROFF(cycles)) != cy->cycles) +
		  (rec64(r, ROFF(busy)) != cy->busy);

	for (uint32_t p = 0; p < pes; p++)
		bad += rec64(r, DCACCEL_COMPLETION_SIZE + 8 * p) != busy[p];
	return bad;
}

uint64_t rec64(struct rig *r, size_t off)
{
	return dcdev_ld64(r->g.ram + r->completion + off);
}

uint32_t rec32(struct rig *r, size_t off)
{
	return dcdev_ld32(r->g.ram + r->completion + off);
}
