/* SPDX-License-Identifier: MIT */
/*
 * Command buffer ops: decoding one op of a buffer already copied out of
 * the guest, and checking every field against the device's capabilities
 * before anything is fetched for it.
 */
#ifndef DCDEV_CMD_H
#define DCDEV_CMD_H

#include <stdint.h>

#include "dev_caps.h"
#include "../datapath/dp_bitplane.h"
#include "../datapath/dp_bitplane_conv.h"
#include "../datapath/dp_pool.h"

/* An FC op after decoding; see struct dcaccel_op_fc. */
struct dcdev_fc {
	uint32_t rows, cols, pes, batch;
	uint8_t wbits, zbits, in_frac, w_frac, out_frac, flags;
	uint32_t codebook_len, entry_count;
	uint64_t codebook_va, colptr_va, entries_va, bias_va;
	uint64_t input_va, output_va;
};

/*
 * A CONV op after decoding: its filters are an FC op's streams (rows:
 * out_channels; cols: in_channels x kernel_h x kernel_w; input_va and
 * output_va name the maps), over the window's geometry.
 */
struct dcdev_conv {
	struct dcdev_fc filters;
	uint32_t in_channels;
	struct dp_window win;
	uint32_t out_h, out_w;
};

/* A POOL op after decoding. */
struct dcdev_pool {
	struct dp_pool pool;
	uint32_t batch;
	uint32_t out_h, out_w;
	uint64_t input_va, output_va;
};

/* A BITPLANE op after decoding: l without its arrays, and their VAs. */
struct dcdev_bitplane {
	struct dp_bitplane l;
	uint32_t batch;
	uint8_t flags;
	uint64_t wplanes_va, w_basis_va, a_basis_va, bias_va;
	uint64_t input_va, output_va;
};

/* A BITPLANE_CONV op after decoding: c without its arrays, and their VAs. */
struct dcdev_bitplane_conv {
	struct dp_bitplane_conv c;
	uint32_t batch, out_h, out_w;
	uint8_t flags;
	uint64_t wplanes_va, w_basis_va, a_basis_va, bias_va;
	uint64_t input_va, output_va;
};

/* A QUANT op after decoding. */
struct dcdev_quant {
	uint32_t channels, pixels, batch;
	uint8_t bits;
	uint64_t thr_va, codes_va, input_va, output_va;
};

struct dcdev_op {
	uint32_t opcode;
	uint32_t size;		/* bytes, header included */
	uint32_t offset;	/* of the op in the command buffer */
	union {
		struct dcdev_fc fc;
		struct dcdev_conv conv;
		struct dcdev_pool pool;
		struct dcdev_bitplane bitplane;
		struct dcdev_quant quant;
		struct dcdev_bitplane_conv bpconv;
		struct {
			uint32_t action;
			uint64_t va;
		} debug;
	};
};

/*
 * Decode the op at `offset` of the len-byte buffer buf. Returns
 * DCACCEL_JOB_OK, or BAD_COMMAND / TOO_LARGE with *detail the byte offset
 * in the buffer of the first bad field.
 */
uint32_t dcdev_op_decode(const uint8_t *buf, uint32_t len, uint32_t offset,
			 const struct dcdev_caps *caps, struct dcdev_op *op,
			 uint32_t *detail);

/* Bytes an FC op moves between guest memory and the device, all arrays. */
/* Bytes of one input value: 4 with F_INPUT_F32 (float), else 2. */
uint32_t dcdev_input_bytes(const struct dcdev_fc *fc);
uint64_t dcdev_fc_bytes(const struct dcdev_fc *fc);

/* Work units of an FC op (hardware.rst, "Limits"). */
uint64_t dcdev_fc_work(const struct dcdev_fc *fc);

/* The same for the CONV, POOL and BITPLANE ops. */
uint64_t dcdev_conv_bytes(const struct dcdev_conv *conv);
uint64_t dcdev_conv_work(const struct dcdev_conv *conv);
uint64_t dcdev_pool_bytes(const struct dcdev_pool *pool);
uint64_t dcdev_pool_work(const struct dcdev_pool *pool);
uint64_t dcdev_bitplane_bytes(const struct dcdev_bitplane *bp);
uint64_t dcdev_bitplane_work(const struct dcdev_bitplane *bp);
uint64_t dcdev_bitplane_conv_bytes(const struct dcdev_bitplane_conv *bc);
uint64_t dcdev_bitplane_conv_work(const struct dcdev_bitplane_conv *bc);
uint64_t dcdev_quant_bytes(const struct dcdev_quant *q);
uint64_t dcdev_quant_work(const struct dcdev_quant *q);

/* Work units of any decoded op against the job's limit: 0 for NOP, DEBUG. */
uint64_t dcdev_op_work(const struct dcdev_op *op);

#endif
