// SPDX-License-Identifier: MIT
/*
 * Op decoding. Checks come in the order of the fields so that `detail`
 * names the first bad one; sizes are computed in 64 bits from 32-bit
 * fields, so nothing here can overflow.
 */
#include <stddef.h>

#include "dev_cmd.h"
#include "dev_le.h"
#include "dcaccel/dcaccel_hw.h"

#define HOFF(field)	((uint32_t)offsetof(struct dcaccel_op_header, field))
#define FOFF(field)	((uint32_t)offsetof(struct dcaccel_op_fc, field))
#define DOFF(field)	((uint32_t)offsetof(struct dcaccel_op_debug, field))

_Static_assert(sizeof(struct dcaccel_op_fc) == DCACCEL_OP_FC_SIZE,
	       "FC op layout");
_Static_assert(sizeof(struct dcaccel_op_debug) == DCACCEL_OP_DEBUG_SIZE,
	       "debug op layout");

static uint32_t bad(uint32_t *detail, uint32_t offset, uint32_t status)
{
	*detail = offset;
	return status;
}

uint64_t dcdev_fc_bytes(const struct dcdev_fc *fc)
{
	uint64_t entry_bytes = DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits);

	return 2ull * fc->codebook_len +
	       4ull * fc->pes * ((uint64_t)fc->cols + 1) +
	       entry_bytes * fc->entry_count +
	       (fc->flags & DCACCEL_FC_F_BIAS ? 4ull * fc->rows : 0) +
	       2ull * fc->batch * fc->cols + 2ull * fc->batch * fc->rows;
}

uint64_t dcdev_fc_work(const struct dcdev_fc *fc)
{
	return DCACCEL_FC_WORK(fc->rows, fc->cols, fc->pes, fc->batch,
			       fc->codebook_len, fc->entry_count);
}

/* A dimension: 0 is malformed, above the cap is too large. */
static uint32_t check_range(uint32_t v, uint32_t max, uint32_t off,
			    uint32_t *detail)
{
	if (v == 0)
		return bad(detail, off, DCACCEL_JOB_BAD_COMMAND);
	if (v > max)
		return bad(detail, off, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_fc(const uint8_t *p, uint32_t base,
			  const struct dcdev_caps *caps, struct dcdev_fc *fc,
			  uint32_t *detail)
{
	uint32_t st;

	fc->rows = dcdev_ld32(p + FOFF(rows));
	fc->cols = dcdev_ld32(p + FOFF(cols));
	fc->pes = dcdev_ld32(p + FOFF(pes));
	fc->batch = dcdev_ld32(p + FOFF(batch));
	fc->wbits = p[FOFF(wbits)];
	fc->zbits = p[FOFF(zbits)];
	fc->in_frac = p[FOFF(in_frac)];
	fc->w_frac = p[FOFF(w_frac)];
	fc->out_frac = p[FOFF(out_frac)];
	fc->flags = p[FOFF(flags)];
	fc->codebook_len = dcdev_ld32(p + FOFF(codebook_len));
	fc->entry_count = dcdev_ld32(p + FOFF(entry_count));
	fc->codebook_va = dcdev_ld64(p + FOFF(codebook_va));
	fc->colptr_va = dcdev_ld64(p + FOFF(colptr_va));
	fc->entries_va = dcdev_ld64(p + FOFF(entries_va));
	fc->bias_va = dcdev_ld64(p + FOFF(bias_va));
	fc->input_va = dcdev_ld64(p + FOFF(input_va));
	fc->output_va = dcdev_ld64(p + FOFF(output_va));

	if ((st = check_range(fc->rows, caps->max_dim, base + FOFF(rows), detail)))
		return st;
	if ((st = check_range(fc->cols, caps->max_dim, base + FOFF(cols), detail)))
		return st;
	if (fc->pes != caps->pes)
		return bad(detail, base + FOFF(pes), DCACCEL_JOB_BAD_COMMAND);
	if ((st = check_range(fc->batch, caps->max_batch, base + FOFF(batch),
			      detail)))
		return st;
	if (fc->wbits == 0 || fc->wbits > caps->wbits_max)
		return bad(detail, base + FOFF(wbits), DCACCEL_JOB_BAD_COMMAND);
	if (fc->zbits == 0 || fc->zbits > caps->zbits_max)
		return bad(detail, base + FOFF(zbits), DCACCEL_JOB_BAD_COMMAND);
	if (fc->in_frac > caps->frac_max)
		return bad(detail, base + FOFF(in_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->w_frac > caps->frac_max)
		return bad(detail, base + FOFF(w_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->out_frac > caps->frac_max ||
	    fc->out_frac > fc->in_frac + fc->w_frac)
		return bad(detail, base + FOFF(out_frac), DCACCEL_JOB_BAD_COMMAND);
	if (fc->flags & ~DCACCEL_FC_F_ALL)
		return bad(detail, base + FOFF(flags), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld16(p + FOFF(reserved0)))
		return bad(detail, base + FOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	if (fc->codebook_len == 0 || fc->codebook_len > (1u << fc->wbits))
		return bad(detail, base + FOFF(codebook_len),
			   DCACCEL_JOB_BAD_COMMAND);
	if (fc->entry_count > caps->max_entries)
		return bad(detail, base + FOFF(entry_count), DCACCEL_JOB_TOO_LARGE);
	if (fc->codebook_va % 2)
		return bad(detail, base + FOFF(codebook_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->colptr_va % 4)
		return bad(detail, base + FOFF(colptr_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->entries_va % DCACCEL_EIE_ENTRY_BYTES(fc->wbits, fc->zbits))
		return bad(detail, base + FOFF(entries_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->flags & DCACCEL_FC_F_BIAS ? fc->bias_va % 4 : fc->bias_va != 0)
		return bad(detail, base + FOFF(bias_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->input_va % 2)
		return bad(detail, base + FOFF(input_va), DCACCEL_JOB_BAD_COMMAND);
	if (fc->output_va % 2)
		return bad(detail, base + FOFF(output_va), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld64(p + FOFF(reserved1)))
		return bad(detail, base + FOFF(reserved1), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_fc_bytes(fc) > (uint64_t)caps->max_op_mb << 20)
		return bad(detail, base, DCACCEL_JOB_TOO_LARGE);
	return DCACCEL_JOB_OK;
}

static uint32_t decode_debug(const uint8_t *p, uint32_t base,
			     const struct dcdev_caps *caps,
			     struct dcdev_op *op, uint32_t *detail)
{
	op->debug.action = dcdev_ld32(p + DOFF(action));
	op->debug.va = dcdev_ld64(p + DOFF(va));
	if (!caps->fault_injection)
		return bad(detail, base + DOFF(hdr.opcode), DCACCEL_JOB_BAD_COMMAND);
	if (op->debug.action < DCACCEL_DEBUG_HANG ||
	    op->debug.action > DCACCEL_DEBUG_WEDGE)
		return bad(detail, base + DOFF(action), DCACCEL_JOB_BAD_COMMAND);
	if (dcdev_ld32(p + DOFF(reserved0)))
		return bad(detail, base + DOFF(reserved0), DCACCEL_JOB_BAD_COMMAND);
	/* the stuck engine's counter is one aligned 64-bit word */
	if (op->debug.action >= DCACCEL_DEBUG_STUCK && op->debug.va % 8)
		return bad(detail, base + DOFF(va), DCACCEL_JOB_BAD_COMMAND);
	return DCACCEL_JOB_OK;
}

uint32_t dcdev_op_decode(const uint8_t *buf, uint32_t len, uint32_t offset,
			 const struct dcdev_caps *caps, struct dcdev_op *op,
			 uint32_t *detail)
{
	const uint8_t *p = buf + offset;
	uint32_t want;

	*detail = 0;
	if (len < offset || len - offset < sizeof(struct dcaccel_op_header))
		return bad(detail, offset, DCACCEL_JOB_BAD_COMMAND);
	op->opcode = dcdev_ld32(p + HOFF(opcode));
	op->size = dcdev_ld32(p + HOFF(size));
	op->offset = offset;
	if (op->size < sizeof(struct dcaccel_op_header) || op->size % 8 ||
	    op->size > DCACCEL_OP_MAX_SIZE || op->size > len - offset)
		return bad(detail, offset + HOFF(size), DCACCEL_JOB_BAD_COMMAND);

	switch (op->opcode) {
	case DCACCEL_OP_NOP:
		return DCACCEL_JOB_OK;
	case DCACCEL_OP_FC:
		want = DCACCEL_OP_FC_SIZE;
		break;
	case DCACCEL_OP_DEBUG:
		want = DCACCEL_OP_DEBUG_SIZE;
		break;
	default:
		return bad(detail, offset + HOFF(opcode), DCACCEL_JOB_BAD_COMMAND);
	}
	if (op->size != want)
		return bad(detail, offset + HOFF(size), DCACCEL_JOB_BAD_COMMAND);
	if (op->opcode == DCACCEL_OP_FC)
		return decode_fc(p, offset, caps, &op->fc, detail);
	return decode_debug(p, offset, caps, op, detail);
}
