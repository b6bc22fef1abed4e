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

#define DCM_FLAG_RELU		1u
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

/* Shape and field limits shared by writer and reader, by kind. */
int dcm_check_layer_fields(const struct dcm_layer *l, uint32_t index,
			   struct dcm_error *err);

/* The record size of a format version (0 for an unknown version). */
static inline uint32_t dcm_record_bytes(uint16_t version)
{
	return version == 1 ? DCM_LAYER_BYTES_V1 :
	       version == DCM_VERSION ? DCM_LAYER_BYTES : 0;
}

#endif /* DCM_LAYOUT_H */
