/* SPDX-License-Identifier: MIT */
/*
 * The .dcm model file: a chain of layers as the accelerator runs them:
 * sparse, weight-shared, fixed-point fully connected and convolution
 * layers, pooling, and (version 3) bit-plane layers and the quantizers
 * that feed them. Format: Documentation/accel/dcaccel/model-format.rst
 * (version 1: fully connected layers only; 2: fc, conv and pool graphs).
 *
 * Each FC and CONV layer's non-zero weights are stored column-major as
 * (zero run, codebook index) pairs, each Huffman-coded; the reader
 * rebuilds the per-PE EIE streams with the same encoder dcc used, so the
 * streams it hands out are exactly the ones dcc checked. Bit-plane layers
 * keep their planes as they are.
 */
#ifndef DCM_H
#define DCM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../eie/eie_encode.h"
#include "../../qemu-device/datapath/dp_window.h"

#define DCM_MAGIC		"DCM1"
#define DCM_VERSION		2	/* graphs of fc, conv and pool */
#define DCM_VERSION_BITPLANE	3	/* adds the bit-plane kinds */
#define DCM_VERSION_MAX		DCM_VERSION_BITPLANE
#define DCM_HEADER_BYTES	24
#define DCM_LAYER_BYTES_V1	48
#define DCM_LAYER_BYTES		64
#define DCM_LAYER_BYTES_V3	80
#define DCM_LAYERS_MAX		64

/*
 * Layer kinds: the device's ops (hardware.rst: FC, CONV, POOL; version 3
 * adds BITPLANE, BITPLANE_CONV and QUANT).
 */
enum dcm_kind {
	DCM_FC = 0, DCM_CONV = 1, DCM_POOL = 2,
	DCM_BITPLANE = 3, DCM_BITPLANE_CONV = 4, DCM_QUANT = 5,
};

/*
 * One layer as the writer takes it and the reader gives it back. An FC
 * layer is rows x cols; a CONV layer's filters are the rows x cols matrix
 * of out_channels x (channels kernel_h kernel_w) over a channels x in_h x
 * in_w map; a POOL layer has no weights (rows, cols, pes, wbits, zbits,
 * w_frac and codebook_len 0, out_frac == in_frac, no ReLU).
 *
 * Version 3: a BITPLANE layer is rows x cols, a BITPLANE_CONV layer rows
 * = K filters over a cols = channels x in_h x in_w map; both keep their
 * planes and bases (dp_bitplane.h's layout), in_frac 0, and have a bias
 * only when bias is not NULL; wbits, zbits, w_frac and codebook_len are
 * 0. A QUANT layer turns the previous layer's outputs into the next
 * bit-plane layer's quant_bits input planes: a vector (rows == cols, no
 * map) or a map (rows and cols 0, channels x in_h x in_w, no window); its
 * pes, out_frac and weight fields are 0, no ReLU, no bias.
 */
struct dcm_layer {
	uint8_t kind;			/* enum dcm_kind */
	/* CONV, POOL: the input map and the window */
	uint32_t channels, in_h, in_w;
	uint8_t kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w;
	uint8_t pool_mode;		/* DCACCEL_POOL_MAX or _AVG */
	uint32_t rows, cols, pes;
	uint8_t wbits, zbits;		/* EIE entry fields */
	uint8_t in_frac, w_frac, out_frac;
	bool relu;
	uint32_t codebook_len;		/* 1 .. 1 << wbits, codebook[0] == 0 */
	int16_t *codebook;
	int32_t *bias;			/* rows values at in_frac + w_frac */
	uint8_t *widx;			/* rows x cols codebook indices */
	/* BITPLANE, BITPLANE_CONV (version 3) */
	uint8_t w_planes, a_planes;	/* Kw, Ka: 1 .. 8 */
	uint8_t w_kind;			/* DCACCEL_PLANE_UNSIGNED or _SIGNED */
	uint8_t a_kind;			/* likewise; QUANT: what its reader reads */
	uint8_t bw_frac, ba_frac;	/* fraction bits of the bases */
	uint64_t *wplanes;		/* dcm_layer_plane_words() words */
	int16_t *w_basis;		/* rows x w_planes */
	int16_t *a_basis;		/* a_planes */
	/* QUANT (version 3) */
	uint8_t quant_bits;		/* Ko, 1 .. 8 */
	int16_t *thr;			/* 2^Ko - 1, non-decreasing, at in_frac */
	uint8_t *codes;			/* 2^Ko, each below 2^Ko */
	/* filled by the reader (and by dcm_layer_encode()) */
	struct eie_streams streams;
	/* storage statistics, filled by writer and reader */
	uint8_t run_bits;		/* zero-run symbol bits in the file */
	uint32_t stored_entries;	/* pairs, filler pairs included */
	uint32_t nonzeros;
	uint64_t huff_bits;		/* Huffman-coded pair stream */
	uint64_t widx_huff_bits;	/* of which codebook-index codes */
	uint32_t payload_bytes;		/* this layer's bytes in the file */
};

struct dcm_model {
	/* read: the file's; write: 0 = dcm_model_version() */
	uint16_t version;
	uint32_t layer_count;
	struct dcm_layer *layers;
	uint32_t file_bytes;
};

struct dcm_error {
	char msg[256];
};

/*
 * Serialize a model to a malloc()ed buffer, in m->version or, when that
 * is 0, the one dcm_model_version() picks. Every FC
 * and CONV layer needs rows, cols, pes, wbits, zbits, formats, codebook,
 * bias and widx; a bit-plane layer its planes and bases, a QUANT layer
 * its thresholds and codes. Fills the layers' storage statistics. Returns
 * 0 or -1 with err->msg.
 */
int dcm_write_buffer(struct dcm_model *m, uint8_t **buf, size_t *len,
		     struct dcm_error *err);
int dcm_write_file(struct dcm_model *m, const char *path,
		   struct dcm_error *err);

/*
 * Parse and check a .dcm image: every length, every field, the CRC32, the
 * Huffman streams; rebuild each layer's widx matrix and EIE streams.
 * Returns 0 or -1 with err->msg naming what is wrong. On success free the
 * model with dcm_free().
 */
int dcm_read_buffer(const uint8_t *buf, size_t len, struct dcm_model *m,
		    struct dcm_error *err);
int dcm_read_file(const char *path, struct dcm_model *m,
		  struct dcm_error *err);

/*
 * The version a model is written in by default: 3 when a layer is of a
 * bit-plane kind, else 2 (version 1, every layer FC, only on request).
 */
uint16_t dcm_model_version(const struct dcm_model *m);

/* Encode a layer's widx into its EIE streams (the reader does this too). */
int dcm_layer_encode(struct dcm_layer *l, struct dcm_error *err);

/* An eie_layer view of a read layer (pointers into l); CONV: its filters. */
void dcm_layer_view(const struct dcm_layer *l, struct eie_layer *out);

struct dp_bitplane;
struct dp_bitplane_conv;
struct dp_outq;

/* The datapath's views of read bit-plane and QUANT layers (pointers into l). */
void dcm_layer_bitplane(const struct dcm_layer *l, struct dp_bitplane *out);
void dcm_layer_bitplane_conv(const struct dcm_layer *l,
			     struct dp_bitplane_conv *out);
void dcm_layer_outq(const struct dcm_layer *l, struct dp_outq *out);

/* Weight plane words of a bit-plane layer: Kw rows L, or Kw K R S Lc. */
uint64_t dcm_layer_plane_words(const struct dcm_layer *l);

/* A BITPLANE or BITPLANE_CONV layer? */
static inline bool dcm_kind_is_bitplane(uint8_t kind)
{
	return kind == DCM_BITPLANE || kind == DCM_BITPLANE_CONV;
}

/*
 * Does the layer take and give maps (CONV, POOL, BITPLANE_CONV, a QUANT
 * layer over a map) rather than vectors (FC, BITPLANE, a QUANT vector)?
 */
bool dcm_layer_is_map(const struct dcm_layer *l);

/* The window of a CONV, POOL or BITPLANE_CONV layer, as the datapath has it. */
void dcm_layer_window(const struct dcm_layer *l, struct dp_window *w);
/* Output rows and columns of a map layer (1 x 1 for a vector). */
uint32_t dcm_layer_out_h(const struct dcm_layer *l);
uint32_t dcm_layer_out_w(const struct dcm_layer *l);
/* Values a layer takes and gives per input (a map counts C H W). */
uint64_t dcm_layer_inputs(const struct dcm_layer *l);
uint64_t dcm_layer_outputs(const struct dcm_layer *l);
/* Output channels of a map layer (FC, BITPLANE: its rows). */
uint32_t dcm_layer_out_channels(const struct dcm_layer *l);

/*
 * Does layer i follow layer i - 1 (sizes, and for two map layers the
 * channels and the map; a bit-plane layer reads the planes of a QUANT
 * layer of its a_planes and a_kind, and only it)? 0 or -1 with err
 * naming both.
 */
int dcm_check_follows(const struct dcm_layer *prev, const struct dcm_layer *l,
		      uint32_t i, struct dcm_error *err);

/*
 * May layer i of count stand where it is (a bit-plane layer is never
 * first, a QUANT layer never last)? 0 or -1 with err.
 */
int dcm_check_place(const struct dcm_layer *l, uint32_t i, uint32_t count,
		    struct dcm_error *err);

/* The channels and pixels a QUANT layer quantizes (a vector: one pixel). */
uint32_t dcm_quant_channels(const struct dcm_layer *l);
uint32_t dcm_quant_pixels(const struct dcm_layer *l);
/*
 * Bytes per input of what a layer reads and writes in the device's
 * layouts: int16 values, or the 64-bit words of bit planes.
 */
uint64_t dcm_layer_in_bytes(const struct dcm_layer *l);
uint64_t dcm_layer_out_bytes(const struct dcm_layer *l);

/* "fc", "conv", "pool", "bitplane", "bitplane_conv", "quant" */
const char *dcm_kind_name(uint8_t kind);

void dcm_free(struct dcm_model *m);

/* Little-endian helpers shared by the writer and the reader. */
static inline uint32_t dcm_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline void dcm_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

#endif /* DCM_H */
