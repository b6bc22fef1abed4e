/* SPDX-License-Identifier: MIT */
/*
 * The EIE encoder and decoder on the userspace side: a weight matrix of
 * codebook indices -> per-PE compressed sparse column streams, and back.
 * dcc encodes models with it; libaccel and the tests decode.
 */
#ifndef DCACCEL_EIE_ENCODE_H
#define DCACCEL_EIE_ENCODE_H

#include <stdint.h>

#include "../../qemu-device/datapath/eie.h"

/* Streams owned by the caller after eie_encode(); free with eie_streams_free(). */
struct eie_streams {
	uint32_t rows, cols, pes;
	uint8_t wbits, zbits;
	uint32_t *colptr;	/* pes * (cols + 1) */
	uint8_t *entries;	/* entry_count * DCACCEL_EIE_ENTRY_BYTES() bytes */
	uint32_t entry_count;
	uint32_t padding_count;	/* entries that only bridge zero runs */
};

/*
 * Encode a rows x cols matrix of codebook indices, row-major, 0 meaning a
 * zero weight, for `pes` PEs. Indices must be below 1 << wbits. The result
 * is checked with eie_validate() before it is returned. Returns 0, -EINVAL
 * (bad argument, err->msg says which) or -ENOMEM.
 */
int eie_encode(const uint8_t *widx, uint32_t rows, uint32_t cols,
	       uint32_t pes, uint8_t wbits, uint8_t zbits,
	       struct eie_streams *out, struct eie_error *err);

/*
 * The same from a compressed sparse column matrix: column j holds the
 * entries colstart[j] .. colstart[j + 1] - 1 of rowidx[] and widx[], rows
 * strictly increasing within a column, widx non-zero.
 */
int eie_encode_csc(const uint32_t *colstart, const uint32_t *rowidx,
		   const uint8_t *widx, uint32_t rows, uint32_t cols,
		   uint32_t pes, uint8_t wbits, uint8_t zbits,
		   struct eie_streams *out, struct eie_error *err);

/*
 * Encode a rows x cols row-major matrix of fixed-point weights whose every
 * non-zero value is one of codebook[1 .. codebook_len - 1] (codebook[0] is
 * 0): a weight-shared layer as dcc makes it. A weight outside the codebook
 * is an error that names its row and column.
 */
int eie_encode_weights(const int16_t *weights, uint32_t rows, uint32_t cols,
		       const int16_t *codebook, uint32_t codebook_len,
		       uint32_t pes, uint8_t wbits, uint8_t zbits,
		       struct eie_streams *out, struct eie_error *err);

void eie_streams_free(struct eie_streams *s);

/* A layer view of encoded streams; the caller fills codebook, bias, formats. */
void eie_streams_to_layer(const struct eie_streams *s, struct eie_layer *l);

/*
 * Validate a layer and expand it back to a rows x cols row-major matrix of
 * codebook indices. Returns 0 or -EINVAL with err->msg.
 */
int eie_decode(const struct eie_layer *l, uint8_t *widx,
	       struct eie_error *err);

#endif /* DCACCEL_EIE_ENCODE_H */
