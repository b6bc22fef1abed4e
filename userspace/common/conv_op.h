/* SPDX-License-Identifier: MIT */
/*
 * The device's CONV and POOL ops for a convolution and a pooling of the
 * datapath (dp_conv.h, dp_pool.h): the shape, window and format fields
 * come from them; the caller places the arrays and fills in the VAs.
 */
#ifndef DCACCEL_COMMON_CONV_OP_H
#define DCACCEL_COMMON_CONV_OP_H

#include <string.h>

#include "dcaccel/dcaccel_hw.h"
#include "../../qemu-device/datapath/dp_conv.h"
#include "../../qemu-device/datapath/dp_pool.h"

static inline void conv_op_from(const struct dp_conv *c, uint32_t batch,
				struct dcaccel_op_conv *op)
{
	const struct eie_layer *f = &c->filters;

	memset(op, 0, sizeof(*op));
	op->hdr.opcode = DCACCEL_OP_CONV;
	op->hdr.size = DCACCEL_OP_CONV_SIZE;
	op->in_channels = c->in_channels;
	op->in_height = c->win.in_h;
	op->in_width = c->win.in_w;
	op->kernel_h = c->win.kernel_h;
	op->kernel_w = c->win.kernel_w;
	op->stride_h = c->win.stride_h;
	op->stride_w = c->win.stride_w;
	op->pad_h = c->win.pad_h;
	op->pad_w = c->win.pad_w;
	op->out_channels = f->rows;
	op->pes = f->pes;
	op->batch = batch;
	op->wbits = f->wbits;
	op->zbits = f->zbits;
	op->in_frac = f->in_frac;
	op->w_frac = f->w_frac;
	op->out_frac = f->out_frac;
	op->flags = (f->relu ? DCACCEL_CONV_F_RELU : 0) |
		    (f->bias ? DCACCEL_CONV_F_BIAS : 0);
	op->codebook_len = f->codebook_len;
	op->entry_count = f->entry_count;
}

static inline void pool_op_from(const struct dp_pool *p, uint32_t batch,
				struct dcaccel_op_pool *op)
{
	memset(op, 0, sizeof(*op));
	op->hdr.opcode = DCACCEL_OP_POOL;
	op->hdr.size = DCACCEL_OP_POOL_SIZE;
	op->channels = p->channels;
	op->in_height = p->win.in_h;
	op->in_width = p->win.in_w;
	op->kernel_h = p->win.kernel_h;
	op->kernel_w = p->win.kernel_w;
	op->stride_h = p->win.stride_h;
	op->stride_w = p->win.stride_w;
	op->pad_h = p->win.pad_h;
	op->pad_w = p->win.pad_w;
	op->mode = p->mode;
	op->batch = batch;
}

#endif
