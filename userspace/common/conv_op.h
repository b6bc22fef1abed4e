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
#include "fc_op.h"
#include "../../qemu-device/datapath/dp_conv.h"
#include "../../qemu-device/datapath/dp_pool.h"

/* The window fields, the same in the CONV and POOL ops. */
#define OP_WINDOW_FIELDS(op, w) do {					\
	(op)->in_height = (w)->in_h;					\
	(op)->in_width = (w)->in_w;					\
	(op)->kernel_h = (w)->kernel_h;					\
	(op)->kernel_w = (w)->kernel_w;					\
	(op)->stride_h = (w)->stride_h;					\
	(op)->stride_w = (w)->stride_w;					\
	(op)->pad_h = (w)->pad_h;					\
	(op)->pad_w = (w)->pad_w;					\
} while (0)

static inline void conv_op_from(const struct dp_conv *c, uint32_t batch,
				struct dcaccel_op_conv *op)
{
	memset(op, 0, sizeof(*op));
	op->hdr.opcode = DCACCEL_OP_CONV;
	op->hdr.size = DCACCEL_OP_CONV_SIZE;
	op->in_channels = c->in_channels;
	OP_WINDOW_FIELDS(op, &c->win);
	op->out_channels = c->filters.rows;
	EIE_OP_STREAM_FIELDS(op, &c->filters, batch);
}

static inline void pool_op_from(const struct dp_pool *p, uint32_t batch,
				struct dcaccel_op_pool *op)
{
	memset(op, 0, sizeof(*op));
	op->hdr.opcode = DCACCEL_OP_POOL;
	op->hdr.size = DCACCEL_OP_POOL_SIZE;
	op->channels = p->channels;
	OP_WINDOW_FIELDS(op, &p->win);
	op->mode = p->mode;
	op->batch = batch;
}

#endif
