// SPDX-License-Identifier: MIT
/*
 * Records and payloads of the version-3 kinds. A BITPLANE or
 * BITPLANE_CONV payload is its weight planes (u64), weight bases and
 * activation bases (s16) and, with the bias flag, the version-2 bias
 * varints; a QUANT payload its thresholds (s16) and codes (u8). Every
 * byte has one meaning, and the reader refuses any other (padding bits,
 * a bias varint longer than it needs to be), so a file reads and writes
 * back byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "dcm_layout.h"

/* The record fields a version-3 kind leaves 0, and its flags. */
static int check_record(const uint8_t *r, uint32_t i, const struct dcm_layer *l,
			struct dcm_error *err)
{
	static const struct {
		unsigned int at;
		const char *name;
	} zero32[] = {
		{ DCM_L_STORED_ENTRIES, "stored_entries" },
		{ DCM_L_STREAM_BYTES, "stream_bytes" },
		{ DCM_L_NONZEROS, "nonzeros" },
	};
	const char *k = dcm_kind_name(l->kind);
	uint8_t flags = r[DCM_L_FLAGS];
	uint8_t known = l->kind == DCM_QUANT ? 0 : DCM_FLAG_RELU | DCM_FLAG_BIAS;

	for (size_t z = 0; z < sizeof(zero32) / sizeof(zero32[0]); z++)
		if (dcm_get32(r + zero32[z].at))
			return dcm_fail(err, "layer %u (%s): %s is %u, must be 0 (no Huffman stream)",
					i, k, zero32[z].name, dcm_get32(r + zero32[z].at));
	if (r[DCM_L_RUN_BITS] || r[DCM_L_RESERVED])
		return dcm_fail(err, "layer %u (%s): run_bits %u or reserved byte %u set",
				i, k, r[DCM_L_RUN_BITS], r[DCM_L_RESERVED]);
	if (flags & ~known)
		return dcm_fail(err, "layer %u (%s): flags 0x%02x (bit 0 ReLU, bit 1 bias%s)",
				i, k, flags,
				l->kind == DCM_QUANT ? "; a QUANT layer has none" : "");
	if (!(flags & DCM_FLAG_BIAS) && dcm_get32(r + DCM_L_BIAS_BYTES))
		return dcm_fail(err, "layer %u (%s): bias_bytes %u without the bias flag",
				i, k, dcm_get32(r + DCM_L_BIAS_BYTES));
	return 0;
}

/* rows bias varints filling exactly bytes, each in its shortest form. */
static int read_bias(const uint8_t *p, size_t bytes, uint32_t i,
		     struct dcm_layer *l, struct dcm_error *err)
{
	size_t at = 0;

	l->bias = malloc((size_t)l->rows * sizeof(*l->bias));
	if (!l->bias)
		return dcm_fail(err, "out of memory");
	for (uint32_t r = 0; r < l->rows; r++) {
		size_t from = at;
		uint32_t v;

		if (dcm_get_varint(p, bytes, &at, &v))
			return dcm_fail(err, "layer %u (%s): bias %u is cut short or malformed",
					i, dcm_kind_name(l->kind), r);
		if (at - from != dcm_put_varint(NULL, v))
			return dcm_fail(err, "layer %u (%s): bias %u takes %zu bytes, its shortest form %zu",
					i, dcm_kind_name(l->kind), r, at - from,
					dcm_put_varint(NULL, v));
		l->bias[r] = dcm_unzigzag(v);
	}
	if (at != bytes)
		return dcm_fail(err, "layer %u (%s): %zu stray bytes after the biases",
				i, dcm_kind_name(l->kind), bytes - at);
	return 0;
}

static int read_planes(const uint8_t *p, const uint8_t *r, uint32_t i,
		       struct dcm_layer *l, struct dcm_error *err)
{
	const uint64_t words = dcm_layer_plane_words(l);
	const size_t wb = (size_t)l->rows * l->w_planes;

	l->wplanes = malloc((size_t)words * sizeof(*l->wplanes));
	l->w_basis = malloc(wb * sizeof(*l->w_basis));
	l->a_basis = malloc(l->a_planes * sizeof(*l->a_basis));
	if (!l->wplanes || !l->w_basis || !l->a_basis)
		return dcm_fail(err, "out of memory");
	for (uint64_t t = 0; t < words; t++, p += 8)
		l->wplanes[t] = dcm_get64(p);
	for (size_t b = 0; b < wb; b++, p += 2)
		l->w_basis[b] = (int16_t)dcm_get16(p);
	for (uint32_t v = 0; v < l->a_planes; v++, p += 2)
		l->a_basis[v] = (int16_t)dcm_get16(p);
	if (r[DCM_L_FLAGS] & DCM_FLAG_BIAS)
		return read_bias(p, dcm_get32(r + DCM_L_BIAS_BYTES), i, l, err);
	return 0;
}

static int read_quant(const uint8_t *p, struct dcm_layer *l,
		      struct dcm_error *err)
{
	const uint32_t levels = 1u << l->quant_bits;

	l->thr = malloc((levels - 1) * sizeof(*l->thr));
	l->codes = malloc(levels);
	if (!l->thr || !l->codes)
		return dcm_fail(err, "out of memory");
	for (uint32_t t = 0; t + 1 < levels; t++, p += 2)
		l->thr[t] = (int16_t)dcm_get16(p);
	memcpy(l->codes, p, levels);
	return 0;
}

int dcm_bitplane_read(const uint8_t *buf, size_t len, size_t table_end,
		      const uint8_t *r, uint32_t i, struct dcm_layer *l,
		      struct dcm_error *err)
{
	uint32_t off = dcm_get32(r + DCM_L_PAYLOAD_OFFSET);
	uint32_t bytes = dcm_get32(r + DCM_L_PAYLOAD_BYTES);
	uint32_t bias_bytes = dcm_get32(r + DCM_L_BIAS_BYTES);
	uint64_t fixed = dcm_bitplane_fixed_bytes(l);
	int ret;

	if (check_record(r, i, l, err))
		return -1;
	if (fixed + bias_bytes != bytes)
		return dcm_fail(err, "layer %u (%s): payload of %u bytes does not match its parts (%llu + %u bias bytes)",
				i, dcm_kind_name(l->kind), bytes,
				(unsigned long long)fixed, bias_bytes);
	if ((uint64_t)off + bytes > len - DCM_CRC_BYTES || off < table_end)
		return dcm_fail(err, "layer %u (%s): payload at %u (+%u bytes) is outside the file",
				i, dcm_kind_name(l->kind), off, bytes);
	ret = l->kind == DCM_QUANT ? read_quant(buf + off, l, err) :
	      read_planes(buf + off, r, i, l, err);
	if (ret)
		return -1;
	l->payload_bytes = bytes;
	return dcm_check_bitplane_payload(l, i, err);
}

int dcm_bitplane_write(const struct dcm_layer *l, uint32_t i, uint8_t **out,
		       size_t *out_len, size_t *bias_bytes,
		       struct dcm_error *err)
{
	const bool bias = l->kind != DCM_QUANT && l->bias;
	uint64_t len = dcm_bitplane_fixed_bytes(l);
	uint8_t *buf, *p;

	/* the reader's checks: what is written reads back */
	if (dcm_check_bitplane_payload(l, i, err))
		return -1;
	*bias_bytes = 0;
	for (uint32_t r = 0; bias && r < l->rows; r++)
		*bias_bytes += dcm_put_varint(NULL, dcm_zigzag(l->bias[r]));
	len += *bias_bytes;
	if (len > UINT32_MAX)
		return dcm_fail(err, "layer %u (%s): a payload of %llu bytes does not fit the format",
				i, dcm_kind_name(l->kind), (unsigned long long)len);
	buf = p = malloc(len);
	if (!buf)
		return dcm_fail(err, "out of memory");
	if (l->kind == DCM_QUANT) {
		for (uint32_t t = 0; t + 1 < 1u << l->quant_bits; t++, p += 2)
			dcm_put16(p, (uint16_t)l->thr[t]);
		memcpy(p, l->codes, 1u << l->quant_bits);
	} else {
		for (uint64_t t = 0; t < dcm_layer_plane_words(l); t++, p += 8)
			dcm_put64(p, l->wplanes[t]);
		for (size_t b = 0; b < (size_t)l->rows * l->w_planes; b++, p += 2)
			dcm_put16(p, (uint16_t)l->w_basis[b]);
		for (uint32_t v = 0; v < l->a_planes; v++, p += 2)
			dcm_put16(p, (uint16_t)l->a_basis[v]);
		for (uint32_t r = 0; bias && r < l->rows; r++)
			p += dcm_put_varint(p, dcm_zigzag(l->bias[r]));
	}
	*out = buf;
	*out_len = len;
	return 0;
}
