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

/* layer record */
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

#define DCM_FLAG_RELU		1u
#define DCM_CRC_BYTES		4

/* Largest layer either side handles: keeps allocations bounded. */
#define DCM_WEIGHTS_MAX		(1u << 26)
#define DCM_COLPTR_MAX		(1u << 24)

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

/* Shape and field limits shared by writer and reader. */
int dcm_check_layer_fields(const struct dcm_layer *l, uint32_t index,
			   struct dcm_error *err);

#endif /* DCM_LAYOUT_H */
