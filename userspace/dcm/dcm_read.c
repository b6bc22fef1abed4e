// SPDX-License-Identifier: MIT
/*
 * The .dcm reader. Nothing in the file is trusted: the size, the CRC32,
 * every record field and payload length, the Huffman tables and every
 * decoded pair are checked before use, and each error names the layer and
 * the field. The version-3 kinds' records and payloads are
 * dcm_bitplane_io.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dcm_layout.h"
#include "huffman.h"

static void read_geometry(const uint8_t *r, struct dcm_layer *l)
{
	l->kind = r[DCM_L_KIND];
	l->pool_mode = r[DCM_L_POOL_MODE];
	l->kernel_h = r[DCM_L_KERNEL_H];
	l->kernel_w = r[DCM_L_KERNEL_W];
	l->stride_h = r[DCM_L_STRIDE_H];
	l->stride_w = r[DCM_L_STRIDE_W];
	l->pad_h = r[DCM_L_PAD_H];
	l->pad_w = r[DCM_L_PAD_W];
	l->channels = dcm_get32(r + DCM_L_CHANNELS);
	l->in_h = dcm_get16(r + DCM_L_IN_HEIGHT);
	l->in_w = dcm_get16(r + DCM_L_IN_WIDTH);
}

/* Version 3: the bit-plane fields (checked by kind, as the others). */
static int read_plane_fields(const uint8_t *r, uint32_t i,
			     struct dcm_layer *l, struct dcm_error *err)
{
	l->w_planes = r[DCM_L_W_PLANES];
	l->a_planes = r[DCM_L_A_PLANES];
	l->w_kind = r[DCM_L_W_KIND];
	l->a_kind = r[DCM_L_A_KIND];
	l->bw_frac = r[DCM_L_BW_FRAC];
	l->ba_frac = r[DCM_L_BA_FRAC];
	l->quant_bits = r[DCM_L_QUANT_BITS];
	for (unsigned int b = DCM_L_RESERVED3; b < DCM_LAYER_BYTES_V3; b++)
		if (r[b])
			return dcm_fail(err, "layer %u: reserved record byte %u is %u, must be 0",
					i, b, r[b]);
	return 0;
}

/* A POOL layer's record has no payload, stream or flags. */
static int check_pool_record(const uint8_t *r, uint32_t i, struct dcm_error *err)
{
	static const unsigned int zero32[] = {
		DCM_L_PAYLOAD_OFFSET, DCM_L_PAYLOAD_BYTES, DCM_L_BIAS_BYTES,
		DCM_L_STORED_ENTRIES, DCM_L_STREAM_BYTES, DCM_L_NONZEROS,
	};

	for (size_t k = 0; k < sizeof(zero32) / sizeof(zero32[0]); k++)
		if (dcm_get32(r + zero32[k]))
			return dcm_fail(err, "layer %u (pool): payload field at record byte %u is %u, a pooling layer has no payload",
					i, zero32[k], dcm_get32(r + zero32[k]));
	if (r[DCM_L_FLAGS] || r[DCM_L_RUN_BITS] || r[DCM_L_RESERVED])
		return dcm_fail(err, "layer %u (pool): flags, run_bits or reserved byte set", i);
	return 0;
}

static int read_record(const uint8_t *buf, size_t len, uint32_t rec,
		       uint32_t i, struct dcm_layer *l, uint32_t r_off[4],
		       struct dcm_error *err)
{
	const uint8_t *r = buf + DCM_HEADER_BYTES + (size_t)i * rec;
	uint32_t off, bytes, bias_bytes, stream_bytes;
	uint64_t fixed;

	l->rows = dcm_get32(r + DCM_L_ROWS);
	l->cols = dcm_get32(r + DCM_L_COLS);
	l->pes = dcm_get32(r + DCM_L_PES);
	l->wbits = r[DCM_L_WBITS];
	l->zbits = r[DCM_L_ZBITS];
	l->in_frac = r[DCM_L_IN_FRAC];
	l->w_frac = r[DCM_L_W_FRAC];
	l->out_frac = r[DCM_L_OUT_FRAC];
	l->relu = r[DCM_L_FLAGS] & DCM_FLAG_RELU;
	l->run_bits = r[DCM_L_RUN_BITS];
	l->codebook_len = dcm_get32(r + DCM_L_CODEBOOK_LEN);
	l->stored_entries = dcm_get32(r + DCM_L_STORED_ENTRIES);
	l->nonzeros = dcm_get32(r + DCM_L_NONZEROS);
	off = dcm_get32(r + DCM_L_PAYLOAD_OFFSET);
	bytes = dcm_get32(r + DCM_L_PAYLOAD_BYTES);
	bias_bytes = dcm_get32(r + DCM_L_BIAS_BYTES);
	stream_bytes = dcm_get32(r + DCM_L_STREAM_BYTES);
	if (rec >= DCM_LAYER_BYTES)
		read_geometry(r, l);
	if (rec == DCM_LAYER_BYTES_V3 && read_plane_fields(r, i, l, err))
		return -1;
	if (rec != DCM_LAYER_BYTES_V3 && l->kind > DCM_POOL && l->kind <= DCM_QUANT)
		return dcm_fail(err, "layer %u: kind %u (%s) in a version-%u file: the bit-plane kinds are version 3's",
				i, l->kind, dcm_kind_name(l->kind), rec == DCM_LAYER_BYTES ? 2 : 1);

	if (dcm_check_layer_fields(l, i, err))
		return -1;
	if (l->kind > DCM_POOL)
		return 0;	/* dcm_bitplane_read() */
	if (l->kind == DCM_POOL)
		return check_pool_record(r, i, err);
	if (r[DCM_L_FLAGS] & ~DCM_FLAG_RELU || r[DCM_L_RESERVED])
		return dcm_fail(err, "layer %u: unknown flags 0x%02x or reserved byte set",
				i, r[DCM_L_FLAGS]);
	if (l->run_bits == 0 || l->run_bits > 8)
		return dcm_fail(err, "layer %u: run field of %u bits (must be 1..8)",
				i, l->run_bits);
	if (l->nonzeros > l->stored_entries ||
	    (uint64_t)l->nonzeros > (uint64_t)l->rows * l->cols)
		return dcm_fail(err, "layer %u: %u non-zeros in %u stored pairs of a %u x %u matrix",
				i, l->nonzeros, l->stored_entries, l->rows, l->cols);
	if ((uint64_t)off + bytes > len - DCM_CRC_BYTES ||
	    off < DCM_HEADER_BYTES + (uint64_t)rec)
		return dcm_fail(err, "layer %u: payload at %u (+%u bytes) is outside the file",
				i, off, bytes);
	fixed = 3ull * l->codebook_len + bias_bytes + (1u << l->run_bits);
	if (fixed + stream_bytes != bytes)
		return dcm_fail(err, "layer %u: payload of %u bytes does not match its parts (%llu + %u)",
				i, bytes, (unsigned long long)fixed, stream_bytes);
	/* every pair costs at least two bits */
	if ((uint64_t)l->stored_entries * 2 > (uint64_t)stream_bytes * 8)
		return dcm_fail(err, "layer %u: %u pairs cannot fit a %u-byte stream",
				i, l->stored_entries, stream_bytes);
	r_off[0] = off;
	r_off[1] = bias_bytes;
	r_off[2] = stream_bytes;
	r_off[3] = bytes;
	return 0;
}

static int read_payload(const uint8_t *buf, struct dcm_layer *l, uint32_t i,
			const uint32_t r_off[4], struct dcm_error *err)
{
	const uint8_t *p = buf + r_off[0];
	struct huff_code *wc = malloc(sizeof(*wc)), *rc = malloc(sizeof(*rc));
	struct bitbuf bb = { 0 };
	size_t at = 0, bias_end;
	uint64_t next = 0, total = (uint64_t)l->rows * l->cols;
	uint32_t nz = 0;
	int ret = -1;

	l->codebook = malloc(l->codebook_len * sizeof(*l->codebook));
	l->bias = malloc(l->rows * sizeof(*l->bias));
	l->widx = calloc(total, 1);
	if (!wc || !rc || !l->codebook || !l->bias || !l->widx) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t c = 0; c < l->codebook_len; c++, at += 2)
		l->codebook[c] = (int16_t)dcm_get16(p + at);
	if (l->codebook[0] != 0) {
		dcm_fail(err, "layer %u: codebook[0] is %d, must be 0 (the zero weight)",
			 i, l->codebook[0]);
		goto out;
	}
	bias_end = at + r_off[1];
	for (uint32_t r = 0; r < l->rows; r++) {
		uint32_t v;

		if (dcm_get_varint(p, bias_end, &at, &v)) {
			dcm_fail(err, "layer %u: bias %u is cut short or malformed", i, r);
			goto out;
		}
		l->bias[r] = dcm_unzigzag(v);
	}
	if (at != bias_end) {
		dcm_fail(err, "layer %u: %zu stray bytes after the biases", i,
			 bias_end - at);
		goto out;
	}
	if (huff_build(wc, p + at, l->codebook_len)) {
		dcm_fail(err, "layer %u: bad Huffman table for codebook indices", i);
		goto out;
	}
	at += l->codebook_len;
	if (huff_build(rc, p + at, 1u << l->run_bits)) {
		dcm_fail(err, "layer %u: bad Huffman table for zero runs", i);
		goto out;
	}
	at += 1u << l->run_bits;
	bb.in = p + at;
	bb.bytes = r_off[2];
	for (uint32_t e = 0; e < l->stored_entries; e++) {
		int run = huff_get(rc, &bb), w;
		uint64_t k, before = bb.pos;

		w = run < 0 ? -1 : huff_get(wc, &bb);
		l->widx_huff_bits += bb.pos - before;
		if (run < 0 || w < 0) {
			dcm_fail(err, "layer %u: pair %u of %u: stream ends or has an unused code",
				 i, e, l->stored_entries);
			goto out;
		}
		k = next + (uint64_t)run;
		if (k >= total) {
			dcm_fail(err, "layer %u: pair %u lands past the %u x %u matrix",
				 i, e, l->rows, l->cols);
			goto out;
		}
		if (w) {
			/* column-major position k -> row-major matrix */
			l->widx[(k % l->rows) * l->cols + k / l->rows] = (uint8_t)w;
			nz++;
		} else if ((uint32_t)run != (1u << l->run_bits) - 1) {
			dcm_fail(err, "layer %u: pair %u is a filler of a short run %d",
				 i, e, run);
			goto out;
		}
		next = k + 1;
	}
	if (nz != l->nonzeros) {
		dcm_fail(err, "layer %u: stream holds %u non-zeros, record says %u",
			 i, nz, l->nonzeros);
		goto out;
	}
	l->huff_bits = bb.pos;
	l->payload_bytes = r_off[3];
	if (dcm_layer_encode(l, err)) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		dcm_fail(err, "layer %u: %.200s", i, why);
		goto out;
	}
	ret = 0;
out:
	free(wc);
	free(rc);
	return ret;
}

/*
 * Version 3: the payloads follow the table in layer order with nothing
 * between them (a layer without one at offset 0), so that the file is
 * the one the writer would write.
 */
static int in_order(const uint8_t *r, uint32_t i, size_t *next,
		    struct dcm_error *err)
{
	uint32_t off = dcm_get32(r + DCM_L_PAYLOAD_OFFSET);
	uint32_t bytes = dcm_get32(r + DCM_L_PAYLOAD_BYTES);

	if (!bytes)
		return 0;
	if (off != *next)
		return dcm_fail(err, "layer %u: payload at %u, version 3 puts it at %zu (right after the one before)",
				i, off, *next);
	*next += bytes;
	return 0;
}

int dcm_read_buffer(const uint8_t *buf, size_t len, struct dcm_model *m,
		    struct dcm_error *err)
{
	struct dcm_error local;
	uint32_t n, crc, file_bytes, rec;
	size_t next, table_end;
	uint16_t version;

	if (!err)
		err = &local;
	memset(m, 0, sizeof(*m));
	if (len < DCM_HEADER_BYTES + DCM_CRC_BYTES)
		return dcm_fail(err, "file of %zu bytes is shorter than a .dcm header", len);
	if (memcmp(buf + DCM_H_MAGIC, DCM_MAGIC, 4))
		return dcm_fail(err, "bad magic: not a .dcm file");
	version = dcm_get16(buf + DCM_H_VERSION);
	rec = dcm_record_bytes(version);
	if (!rec)
		return dcm_fail(err, "format version %u, this reader knows 1 to %u (a newer dcc wrote it: read it with that dcc's libdcm)",
				version, DCM_VERSION_MAX);
	if (dcm_get16(buf + DCM_H_HEADER_BYTES) != DCM_HEADER_BYTES ||
	    dcm_get32(buf + DCM_H_TABLE_OFFSET) != DCM_HEADER_BYTES ||
	    dcm_get32(buf + DCM_H_RESERVED))
		return dcm_fail(err, "header size, layer table offset or reserved field is wrong");
	file_bytes = dcm_get32(buf + DCM_H_FILE_BYTES);
	if (file_bytes != len)
		return dcm_fail(err, "header says %u bytes, file has %zu (truncated or padded)",
				file_bytes, len);
	crc = (uint32_t)crc32(0L, buf, (uInt)(len - DCM_CRC_BYTES));
	if (crc != dcm_get32(buf + len - DCM_CRC_BYTES))
		return dcm_fail(err, "CRC32 mismatch: file is corrupted (0x%08x, stored 0x%08x)",
				crc, dcm_get32(buf + len - DCM_CRC_BYTES));
	n = dcm_get32(buf + DCM_H_LAYER_COUNT);
	if (n == 0 || n > DCM_LAYERS_MAX ||
	    DCM_HEADER_BYTES + (uint64_t)n * rec > len - DCM_CRC_BYTES)
		return dcm_fail(err, "layer count %u (must be 1..%u and fit the file)",
				n, DCM_LAYERS_MAX);
	m->layers = calloc(n, sizeof(*m->layers));
	if (!m->layers)
		return dcm_fail(err, "out of memory");
	m->layer_count = n;
	m->version = version;
	next = table_end = DCM_HEADER_BYTES + (size_t)n * rec;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *r = buf + DCM_HEADER_BYTES + (size_t)i * rec;
		struct dcm_layer *l = &m->layers[i];
		uint32_t r_off[4] = { 0 };

		if (read_record(buf, len, rec, i, l, r_off, err))
			goto fail;
		if (dcm_check_place(l, i, n, err) ||
		    (i && dcm_check_follows(&m->layers[i - 1], l, i, err)))
			goto fail;
		if (version >= DCM_VERSION_BITPLANE && in_order(r, i, &next, err))
			goto fail;
		if (l->kind > DCM_POOL) {
			if (dcm_bitplane_read(buf, len, table_end, r, i, l, err))
				goto fail;
		} else if (l->kind != DCM_POOL && read_payload(buf, l, i, r_off, err)) {
			goto fail;
		}
	}
	if (version >= DCM_VERSION_BITPLANE && next != len - DCM_CRC_BYTES) {
		dcm_fail(err, "%zu bytes after the last payload, before the CRC32",
			 len - DCM_CRC_BYTES - next);
		goto fail;
	}
	m->file_bytes = (uint32_t)len;
	return 0;
fail:
	dcm_free(m);
	return -1;
}

int dcm_read_file(const char *path, struct dcm_model *m,
		  struct dcm_error *err)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf = NULL;
	struct dcm_error local;
	long size;
	int ret;

	if (!err)
		err = &local;
	memset(m, 0, sizeof(*m));
	if (!f)
		return dcm_fail(err, "%s: cannot open", path);
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 ||
	    size > UINT32_MAX || fseek(f, 0, SEEK_SET)) {
		fclose(f);
		return dcm_fail(err, "%s: cannot size the file", path);
	}
	buf = malloc(size ? (size_t)size : 1);
	if (!buf || fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		fclose(f);
		return dcm_fail(err, "%s: read failed", path);
	}
	fclose(f);
	ret = dcm_read_buffer(buf, (size_t)size, m, err);
	if (ret) {
		char why[sizeof(err->msg)];

		memcpy(why, err->msg, sizeof(why));
		snprintf(err->msg, sizeof(err->msg), "%s: %.200s", path, why);
	}
	free(buf);
	return ret;
}
