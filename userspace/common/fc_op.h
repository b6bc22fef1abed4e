/* SPDX-License-Identifier: MIT */
/*
 * The device's FC op for an EIE layer: the shape and format fields come
 * from the layer; the caller places the arrays and fills in the VAs.
 */
#ifndef DCACCEL_COMMON_FC_OP_H
#define DCACCEL_COMMON_FC_OP_H

#include <string.h>

#include "dcaccel/dcaccel_hw.h"
#include "../../qemu-device/datapath/eie.h"

/*
 * The fields from pes on, which the FC and CONV ops share (hardware.rst,
 * "CONV op"; their RELU and BIAS flags are the same bits), from the layer
 * (a CONV op's filters).
 */
#define EIE_OP_STREAM_FIELDS(op, l, n) do {				\
	(op)->pes = (l)->pes;						\
	(op)->batch = (n);						\
	(op)->wbits = (l)->wbits;					\
	(op)->zbits = (l)->zbits;					\
	(op)->in_frac = (l)->in_frac;					\
	(op)->w_frac = (l)->w_frac;					\
	(op)->out_frac = (l)->out_frac;					\
	(op)->flags = ((l)->relu ? DCACCEL_FC_F_RELU : 0) |		\
		      ((l)->bias ? DCACCEL_FC_F_BIAS : 0);		\
	(op)->codebook_len = (l)->codebook_len;				\
	(op)->entry_count = (l)->entry_count;				\
} while (0)

static inline void fc_op_from_layer(const struct eie_layer *l, uint32_t batch,
				    struct dcaccel_op_fc *op)
{
	memset(op, 0, sizeof(*op));
	op->hdr.opcode = DCACCEL_OP_FC;
	op->hdr.size = DCACCEL_OP_FC_SIZE;
	op->rows = l->rows;
	op->cols = l->cols;
	EIE_OP_STREAM_FIELDS(op, l, batch);
}

#endif
