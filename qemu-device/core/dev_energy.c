// SPDX-License-Identifier: MIT
#include <stddef.h>
#include <string.h>

#include "dev_energy.h"
#include "dev_le.h"
#include "dcaccel/dcaccel_bitplane.h"

#define EOFF(field)	offsetof(struct dcaccel_energy_record, field)

_Static_assert(sizeof(struct dcaccel_energy_record) == DCACCEL_ENERGY_RECORD_SIZE,
	       "energy record layout");

void dcdev_op_io(const struct dcdev_op *op, struct dcdev_op_io *io)
{
	const struct dcdev_fc *f;

	memset(io, 0, sizeof(*io));
	switch (op->opcode) {
	case DCACCEL_OP_FC:
		f = &op->fc;
		io->in_f32 = f->flags & DCACCEL_FC_F_INPUT_F32;
		io->in_bytes = (uint64_t)f->batch * f->cols * (io->in_f32 ? 4 : 2);
		io->out_bytes = (uint64_t)f->batch * f->rows * 2;
		break;
	case DCACCEL_OP_CONV:
		f = &op->conv.filters;
		io->in_f32 = f->flags & DCACCEL_CONV_F_INPUT_F32;
		io->in_bytes = (uint64_t)f->batch * op->conv.in_channels *
			       op->conv.win.in_h * op->conv.win.in_w *
			       (io->in_f32 ? 4 : 2);
		io->out_bytes = (uint64_t)f->batch * f->rows * op->conv.out_h *
				op->conv.out_w * 2;
		break;
	case DCACCEL_OP_POOL:
		io->in_va = op->pool.input_va;
		io->out_va = op->pool.output_va;
		io->in_bytes = (uint64_t)op->pool.batch * op->pool.pool.channels *
			       op->pool.pool.win.in_h * op->pool.pool.win.in_w * 2;
		io->out_bytes = (uint64_t)op->pool.batch * op->pool.pool.channels *
				op->pool.out_h * op->pool.out_w * 2;
		io->has_io = true;
		return;
	case DCACCEL_OP_BITPLANE:
		io->in_va = op->bitplane.input_va;
		io->out_va = op->bitplane.output_va;
		io->in_bytes = (uint64_t)op->bitplane.batch * op->bitplane.l.a_planes *
			       DCACCEL_PLANE_WORDS(op->bitplane.l.cols) * 8;
		io->out_bytes = (uint64_t)op->bitplane.batch * op->bitplane.l.rows * 2;
		io->has_io = true;
		return;
	case DCACCEL_OP_BITPLANE_CONV: {
		const struct dcdev_bitplane_conv *bc = &op->bpconv;
		const uint64_t lc = DCACCEL_PLANE_WORDS(bc->c.l.cols);

		io->in_va = bc->input_va;
		io->out_va = bc->output_va;
		io->in_bytes = 8ull * bc->batch * bc->c.l.a_planes *
			       bc->c.win.in_h * bc->c.win.in_w * lc;
		io->out_bytes = 2ull * bc->batch * bc->c.l.rows * bc->out_h *
				bc->out_w;
		io->has_io = true;
		return;
	}
	case DCACCEL_OP_QUANT:
		io->in_va = op->quant.input_va;
		io->out_va = op->quant.output_va;
		io->in_bytes = 2ull * op->quant.batch * op->quant.channels *
			       op->quant.pixels;
		io->out_bytes = 8ull * op->quant.batch * op->quant.bits *
				op->quant.pixels *
				DCACCEL_PLANE_WORDS(op->quant.channels);
		io->has_io = true;
		return;
	default:
		return;
	}
	io->in_va = f->input_va;
	io->out_va = f->output_va;
	io->has_io = true;
}

void dcdev_energy_io(const struct dcdev_op_io *ops, uint32_t count,
		     uint32_t k, struct dp_energy_io *out)
{
	const struct dcdev_op_io *me = &ops[k];

	memset(out, 0, sizeof(*out));
	out->in_f32 = me->in_f32;
	for (uint32_t j = 0; j < count; j++) {
		const struct dcdev_op_io *o = &ops[j];

		if (!o->has_io || j == k)
			continue;
		if (j < k && o->out_va == me->in_va && o->out_bytes == me->in_bytes)
			out->in_on_chip = true;
		if (j > k && o->in_va == me->out_va && o->in_bytes == me->out_bytes)
			out->out_on_chip = true;
	}
}

void dcdev_energy_encode(const struct dp_energy *e,
			 uint8_t buf[DCACCEL_ENERGY_RECORD_SIZE])
{
	struct dp_energy_fj fj;

	dp_energy_price(e, &fj);
	dcdev_st64(buf + EOFF(dram_weight_words), e->dram_weights);
	dcdev_st64(buf + EOFF(dram_act_words), e->dram_acts);
	dcdev_st64(buf + EOFF(sram_words), e->sram);
	dcdev_st64(buf + EOFF(dram_weights_fj), fj.dram_weights);
	dcdev_st64(buf + EOFF(dram_acts_fj), fj.dram_acts);
	dcdev_st64(buf + EOFF(sram_fj), fj.sram);
	dcdev_st64(buf + EOFF(arith_fj), fj.arith);
	dcdev_st64(buf + EOFF(bitops_fj), fj.bitops);
}
