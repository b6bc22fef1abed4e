/* SPDX-License-Identifier: MIT */
/*
 * Byte offsets of the .dcm header and layer records and the limits both
 * the writer and the reader hold to (model-format.rst has the tables).
 */
#ifndef DCM_LAYOUT_H
#define DCM_LAYOUT_H

#include "dcm.h"

/* header */
#define DCM_H_MAGIC		0
#define DCM_H_VERSION		4	/* u16 */
#define DCM_H_HEADER_BYTES	6	/* u16 */
#define DCM_H_LAYER_COUNT	8
#define DCM_H_FILE_BYTES	12
#define DCM_H_TABLE_OFFSET	16
#define DCM_H_RESERVED		20

/* layer record (version 1: bytes 0..47 only, every layer FC) */
#define DCM_L_ROWS		0
#define DCM_L_COLS		4
#define DCM_L_PES		8
#define DCM_L_WBITS		12
#define DCM_L_ZBITS		13
#define DCM_L_IN_FRAC		14
#define DCM_L_W_FRAC		15
#define DCM_L_OUT_FRAC		16
#define DCM_L_FLAGS		17	/* bit 0: ReLU */
#define DCM_L_RUN_BITS		18
#define DCM_L_RESERVED		19
#define DCM_L_CODEBOOK_LEN	20
#define DCM_L_PAYLOAD_OFFSET	24
#define DCM_L_PAYLOAD_BYTES	28
#define DCM_L_BIAS_BYTES	32
#define DCM_L_STORED_ENTRIES	36
#define DCM_L_STREAM_BYTES	40
#define DCM_L_NONZEROS		44
/* version 2: the layer's kind and, for CONV and POOL, its map and window */
#define DCM_L_KIND		48
#define DCM_L_POOL_MODE		49
#define DCM_L_KERNEL_H		50
#define DCM_L_KERNEL_W		51
#define DCM_L_STRIDE_H		52
#define DCM_L_STRIDE_W		53
#define DCM_L_PAD_H		54
#define DCM_L_PAD_W		55
#define DCM_L_CHANNELS		56
#define DCM_L_IN_HEIGHT		60	/* u16 */
#define DCM_L_IN_WIDTH		62	/* u16 */
/* version 3: the bit-plane kinds' fields (all 0 for the others) */
#define DCM_L_W_PLANES		64
#define DCM_L_A_PLANES		65
#define DCM_L_W_KIND		66
#define DCM_L_A_KIND		67
#define DCM_L_BW_FRAC		68
#define DCM_L_BA_FRAC		69
#define DCM_L_QUANT_BITS	70
#define DCM_L_RESERVED3		71	/* 9 bytes, to the record's end */

#define DCM_FLAG_RELU		1u
#define DCM_FLAG_BIAS		2u	/* bit-plane layers: a bias block */
#define DCM_CRC_BYTES		4

/* Largest layer either side handles: keeps allocations bounded. */
#define DCM_WEIGHTS_MAX		(1u << 26)
#define DCM_COLPTR_MAX		(1u << 24)
/* A map between two layers is an FC layer's input vector at most. */
#define DCM_MAP_MAX		(1u << 24)

static inline uint16_t dcm_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline void dcm_put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static inline uint64_t dcm_get64(const uint8_t *p)
{
	return (uint64_t)dcm_get32(p) | (uint64_t)dcm_get32(p + 4) << 32;
}

static inline void dcm_put64(uint8_t *p, uint64_t v)
{
	dcm_put32(p, (uint32_t)v);
	dcm_put32(p + 4, (uint32_t)(v >> 32));
}

/* Zigzag varints for the biases, which are mostly small. */
static inline uint32_t dcm_zigzag(int32_t v)
{
	return ((uint32_t)v << 1) ^ (uint32_t)(v >> 31);
}

static inline int32_t dcm_unzigzag(uint32_t v)
{
	return (int32_t)(v >> 1) ^ -(int32_t)(v & 1);
}

int dcm_fail(struct dcm_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * LEB128 varints (the bias blocks). dcm_put_varint() with out NULL only
 * counts. dcm_get_varint() reads one below len from *at: 0, or -1 when
 * cut short or over 32 bits.
 */
size_t dcm_put_varint(uint8_t *out, uint32_t v);
int dcm_get_varint(const uint8_t *p, size_t len, size_t *at, uint32_t *v);

/* Shape and field limits shared by writer and reader, by kind. */
int dcm_check_layer_fields(const struct dcm_layer *l, uint32_t index,
			   struct dcm_error *err);
/* The map and window of a CONV, POOL or BITPLANE_CONV layer. */
int dcm_check_map_fields(const struct dcm_layer *l, uint32_t i,
			 struct dcm_error *err);

/* The record size of a format version (0 for an unknown version). */
static inline uint32_t dcm_record_bytes(uint16_t version)
{
	return version == 1 ? DCM_LAYER_BYTES_V1 :
	       version == DCM_VERSION ? DCM_LAYER_BYTES :
	       version == DCM_VERSION_BITPLANE ? DCM_LAYER_BYTES_V3 : 0;
}

/* dcm_bitplane.c: the version-3 kinds' fields, payloads and order. */
int dcm_check_bitplane_fields(const struct dcm_layer *l, uint32_t i,
			      struct dcm_error *err);
int dcm_check_bitplane_follows(const struct dcm_layer *prev,
			       const struct dcm_layer *l, uint32_t i,
			       struct dcm_error *err);
/* The datapath's validation of the arrays, then the planes' padding bits. */
int dcm_check_bitplane_payload(const struct dcm_layer *l, uint32_t i,
			       struct dcm_error *err);
/* Bytes of a payload without its bias block. */
uint64_t dcm_bitplane_fixed_bytes(const struct dcm_layer *l);

/*
 * dcm_bitplane_io.c: records and payloads of the version-3 kinds. The
 * reader takes layer i's record r, its fields already in l and checked
 * (dcm_check_layer_fields()); its payload lies past table_end.
 */
int dcm_bitplane_read(const uint8_t *buf, size_t len, size_t table_end,
		      const uint8_t *r, uint32_t i, struct dcm_layer *l,
		      struct dcm_error *err);
/* The payload (malloc()ed) and its bias block's size, or -1. */
int dcm_bitplane_write(const struct dcm_layer *l, uint32_t i, uint8_t **out,
		       size_t *out_len, size_t *bias_bytes,
		       struct dcm_error *err);

#endif /* DCM_LAYOUT_H */
