// SPDX-License-Identifier: MIT
/*
 * The .dcm writer: per layer, the non-zero codebook indices in column-major
 * order become (zero run, index) pairs, runs longer than the run field
 * holds bridged by filler pairs of index 0 (Deep Compression's scheme);
 * both symbols are Huffman-coded. The run field width is picked per layer
 * as the one giving the fewest bits. Pooling layers have no payload; the
 * version-3 kinds' payloads are dcm_bitplane_io.c's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "dcm_layout.h"
#include "huffman.h"

struct pair_plan {
	uint8_t run_bits;
	uint64_t wfreq[HUFF_SYMBOLS_MAX], rfreq[HUFF_SYMBOLS_MAX];
	uint8_t wlen[HUFF_SYMBOLS_MAX], rlen[HUFF_SYMBOLS_MAX];
	uint32_t pairs;
	uint64_t bits;
};

/* Walk the pairs; with bb NULL only count symbols into plan. */
static void walk_pairs(const struct dcm_layer *l, struct pair_plan *p,
		       struct bitbuf *bb, const struct huff_code *wc,
		       const struct huff_code *rc)
{
	const uint64_t rmax = (1u << p->run_bits) - 1;
	uint64_t next = 0;

	for (uint32_t j = 0; j < l->cols; j++) {
		for (uint32_t i = 0; i < l->rows; i++) {
			uint8_t w = l->widx[(size_t)i * l->cols + j];
			uint64_t k = (uint64_t)j * l->rows + i, gap;

			if (!w)
				continue;
			for (gap = k - next; gap > rmax; gap -= rmax + 1) {
				if (bb) {
					bit_put(bb, rc->code[rmax], rc->len[rmax]);
					bit_put(bb, wc->code[0], wc->len[0]);
				} else {
					p->rfreq[rmax]++;
					p->wfreq[0]++;
					p->pairs++;
				}
			}
			if (bb) {
				bit_put(bb, rc->code[gap], rc->len[gap]);
				bit_put(bb, wc->code[w], wc->len[w]);
			} else {
				p->rfreq[gap]++;
				p->wfreq[w]++;
				p->pairs++;
			}
			next = k + 1;
		}
	}
}

static void plan_pairs(const struct dcm_layer *l, struct pair_plan *best)
{
	struct pair_plan p;

	best->bits = UINT64_MAX;
	for (uint8_t rb = 1; rb <= 8; rb++) {
		memset(&p, 0, sizeof(p));
		p.run_bits = rb;
		walk_pairs(l, &p, NULL, NULL, NULL);
		huff_lengths(p.wfreq, l->codebook_len, p.wlen);
		huff_lengths(p.rfreq, 1u << rb, p.rlen);
		p.bits = huff_cost(p.wfreq, p.wlen, l->codebook_len) +
			 huff_cost(p.rfreq, p.rlen, 1u << rb) +
			 8ull * ((1u << rb));	/* the run code lengths */
		if (p.bits < best->bits)
			*best = p;
	}
}

/* One layer's payload into a fresh buffer; fills the record fields. */
static int layer_payload(struct dcm_layer *l, uint32_t index,
			 uint8_t **out, size_t *out_len, struct dcm_error *err)
{
	struct pair_plan *plan = calloc(1, sizeof(*plan));
	struct huff_code *wc = calloc(1, sizeof(*wc)), *rc = calloc(1, sizeof(*rc));
	struct bitbuf bb = { 0 };
	size_t bias_bytes = 0, len, at = 0;
	uint8_t *buf = NULL;
	int ret = -1;

	if (!plan || !wc || !rc) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	if (dcm_check_layer_fields(l, index, err))
		goto out;
	if (l->codebook[0] != 0) {
		dcm_fail(err, "layer %u: codebook[0] is %d, must be 0", index,
			 l->codebook[0]);
		goto out;
	}
	l->nonzeros = 0;
	for (size_t k = 0; k < (size_t)l->rows * l->cols; k++) {
		if (l->widx[k] >= l->codebook_len) {
			dcm_fail(err, "layer %u: weight %zu has codebook index %u of %u",
				 index, k, l->widx[k], l->codebook_len);
			goto out;
		}
		l->nonzeros += l->widx[k] != 0;
	}
	plan_pairs(l, plan);
	if (huff_build(wc, plan->wlen, l->codebook_len) ||
	    huff_build(rc, plan->rlen, 1u << plan->run_bits)) {
		dcm_fail(err, "layer %u: Huffman code construction failed", index);
		goto out;
	}
	walk_pairs(l, plan, &bb, wc, rc);
	if (bb.oom) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t i = 0; i < l->rows; i++)
		bias_bytes += dcm_put_varint(NULL, dcm_zigzag(l->bias[i]));
	len = 2 * (size_t)l->codebook_len + bias_bytes + l->codebook_len +
	      (1u << plan->run_bits) + bb.bytes;
	buf = malloc(len);
	if (!buf) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	for (uint32_t c = 0; c < l->codebook_len; c++, at += 2)
		dcm_put16(buf + at, (uint16_t)l->codebook[c]);
	for (uint32_t i = 0; i < l->rows; i++)
		at += dcm_put_varint(buf + at, dcm_zigzag(l->bias[i]));
	memcpy(buf + at, plan->wlen, l->codebook_len);
	at += l->codebook_len;
	memcpy(buf + at, plan->rlen, 1u << plan->run_bits);
	at += 1u << plan->run_bits;
	if (bb.bytes)
		memcpy(buf + at, bb.buf, bb.bytes);
	l->run_bits = plan->run_bits;
	l->stored_entries = plan->pairs;
	l->huff_bits = bb.pos;
	l->widx_huff_bits = huff_cost(plan->wfreq, plan->wlen, l->codebook_len);
	l->payload_bytes = (uint32_t)len;
	*out = buf;
	*out_len = len;
	ret = (int)bias_bytes;
out:
	free(bb.buf);
	free(plan);
	free(wc);
	free(rc);
	return ret;
}

/* The version-2 fields: kind, map and window. */
static void put_geometry(uint8_t *r, const struct dcm_layer *l)
{
	r[DCM_L_KIND] = l->kind;
	r[DCM_L_POOL_MODE] = l->pool_mode;
	r[DCM_L_KERNEL_H] = l->kernel_h;
	r[DCM_L_KERNEL_W] = l->kernel_w;
	r[DCM_L_STRIDE_H] = l->stride_h;
	r[DCM_L_STRIDE_W] = l->stride_w;
	r[DCM_L_PAD_H] = l->pad_h;
	r[DCM_L_PAD_W] = l->pad_w;
	dcm_put32(r + DCM_L_CHANNELS, l->channels);
	dcm_put16(r + DCM_L_IN_HEIGHT, (uint16_t)l->in_h);
	dcm_put16(r + DCM_L_IN_WIDTH, (uint16_t)l->in_w);
}

/* Version 3: the bit-plane fields; bytes 71..79 stay 0. */
static void put_planes(uint8_t *r, const struct dcm_layer *l)
{
	r[DCM_L_W_PLANES] = l->w_planes;
	r[DCM_L_A_PLANES] = l->a_planes;
	r[DCM_L_W_KIND] = l->w_kind;
	r[DCM_L_A_KIND] = l->a_kind;
	r[DCM_L_BW_FRAC] = l->bw_frac;
	r[DCM_L_BA_FRAC] = l->ba_frac;
	r[DCM_L_QUANT_BITS] = l->quant_bits;
}

static void put_record(uint8_t *r, struct dcm_layer *l, size_t at,
		       size_t plen, int bias_bytes, uint16_t version)
{
	/* only FC and CONV layers have a Huffman stream */
	bool stream = l->kind == DCM_FC || l->kind == DCM_CONV;
	size_t fixed = !stream ? plen :
		       3 * (size_t)l->codebook_len + (size_t)bias_bytes +
		       (1u << l->run_bits);
	uint8_t flags = l->relu ? DCM_FLAG_RELU : 0;

	if (dcm_kind_is_bitplane(l->kind) && l->bias)
		flags |= DCM_FLAG_BIAS;

	dcm_put32(r + DCM_L_ROWS, l->rows);
	dcm_put32(r + DCM_L_COLS, l->cols);
	dcm_put32(r + DCM_L_PES, l->pes);
	r[DCM_L_WBITS] = l->wbits;
	r[DCM_L_ZBITS] = l->zbits;
	r[DCM_L_IN_FRAC] = l->in_frac;
	r[DCM_L_W_FRAC] = l->w_frac;
	r[DCM_L_OUT_FRAC] = l->out_frac;
	r[DCM_L_FLAGS] = flags;
	r[DCM_L_RUN_BITS] = l->run_bits;
	dcm_put32(r + DCM_L_CODEBOOK_LEN, l->codebook_len);
	dcm_put32(r + DCM_L_PAYLOAD_OFFSET, plen ? (uint32_t)at : 0);
	dcm_put32(r + DCM_L_PAYLOAD_BYTES, (uint32_t)plen);
	dcm_put32(r + DCM_L_BIAS_BYTES, (uint32_t)bias_bytes);
	dcm_put32(r + DCM_L_STORED_ENTRIES, l->stored_entries);
	dcm_put32(r + DCM_L_STREAM_BYTES, (uint32_t)(plen - fixed));
	dcm_put32(r + DCM_L_NONZEROS, l->nonzeros);
	if (version != 1)
		put_geometry(r, l);
	if (version >= DCM_VERSION_BITPLANE)
		put_planes(r, l);
}

/* Check layer i and make its payload (none for a POOL layer). */
static int one_layer(struct dcm_model *m, uint32_t i, uint16_t version,
		     uint8_t **payload, size_t *plen, struct dcm_error *err)
{
	struct dcm_layer *l = &m->layers[i];
	size_t bias_bytes = 0;

	if (version == 1 && l->kind != DCM_FC)
		return dcm_fail(err, "layer %u (%s): format version 1 holds fully connected layers only",
				i, dcm_kind_name(l->kind));
	if (version == DCM_VERSION && l->kind > DCM_POOL)
		return dcm_fail(err, "layer %u (%s): format version 2 holds fc, conv and pool layers only",
				i, dcm_kind_name(l->kind));
	if (dcm_check_place(l, i, m->layer_count, err) ||
	    (i && dcm_check_follows(&m->layers[i - 1], l, i, err)))
		return -1;
	if (l->kind == DCM_FC || l->kind == DCM_CONV)
		return layer_payload(l, i, payload, plen, err);
	/* no Huffman stream: a POOL layer has no payload, the others raw arrays */
	if (dcm_check_layer_fields(l, i, err))
		return -1;
	*payload = NULL;
	*plen = 0;
	if (l->kind != DCM_POOL &&
	    dcm_bitplane_write(l, i, payload, plen, &bias_bytes, err))
		return -1;
	l->run_bits = 0;
	l->stored_entries = l->nonzeros = 0;
	l->huff_bits = l->widx_huff_bits = 0;
	l->payload_bytes = (uint32_t)*plen;
	return (int)bias_bytes;
}

int dcm_write_buffer(struct dcm_model *m, uint8_t **out, size_t *out_len,
		     struct dcm_error *err)
{
	uint8_t **payload = NULL, *buf = NULL;
	size_t *plen = NULL, total, at;
	int *bias_bytes = NULL, ret = -1;
	uint32_t n = m->layer_count;
	uint16_t version = m->version ? m->version : dcm_model_version(m);
	uint32_t rec = dcm_record_bytes(version);

	if (!rec)
		return dcm_fail(err, "format version %u: this writer knows 1 to %u",
				version, DCM_VERSION_MAX);
	if (n == 0 || n > DCM_LAYERS_MAX)
		return dcm_fail(err, "a model has 1..%u layers, got %u",
				DCM_LAYERS_MAX, n);
	payload = calloc(n, sizeof(*payload));
	plen = calloc(n, sizeof(*plen));
	bias_bytes = calloc(n, sizeof(*bias_bytes));
	if (!payload || !plen || !bias_bytes) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	total = DCM_HEADER_BYTES + (size_t)n * rec;
	for (uint32_t i = 0; i < n; i++) {
		bias_bytes[i] = one_layer(m, i, version, &payload[i], &plen[i], err);
		if (bias_bytes[i] < 0)
			goto out;
		total += plen[i];
	}
	total += DCM_CRC_BYTES;
	if (total > UINT32_MAX) {
		dcm_fail(err, "model of %zu bytes does not fit the format", total);
		goto out;
	}
	buf = calloc(1, total);
	if (!buf) {
		dcm_fail(err, "out of memory");
		goto out;
	}
	memcpy(buf + DCM_H_MAGIC, DCM_MAGIC, 4);
	dcm_put16(buf + DCM_H_VERSION, version);
	dcm_put16(buf + DCM_H_HEADER_BYTES, DCM_HEADER_BYTES);
	dcm_put32(buf + DCM_H_LAYER_COUNT, n);
	dcm_put32(buf + DCM_H_FILE_BYTES, (uint32_t)total);
	dcm_put32(buf + DCM_H_TABLE_OFFSET, DCM_HEADER_BYTES);
	at = DCM_HEADER_BYTES + (size_t)n * rec;
	for (uint32_t i = 0; i < n; i++) {
		put_record(buf + DCM_HEADER_BYTES + (size_t)i * rec, &m->layers[i],
			   at, plen[i], bias_bytes[i], version);
		if (plen[i])
			memcpy(buf + at, payload[i], plen[i]);
		at += plen[i];
	}
	dcm_put32(buf + at, (uint32_t)crc32(0L, buf, (uInt)at));
	m->file_bytes = (uint32_t)total;
	*out = buf;
	*out_len = total;
	ret = 0;
out:
	for (uint32_t i = 0; payload && i < n; i++)
		free(payload[i]);
	free(payload);
	free(plen);
	free(bias_bytes);
	return ret;
}

int dcm_write_file(struct dcm_model *m, const char *path,
		   struct dcm_error *err)
{
	uint8_t *buf;
	size_t len;
	FILE *f;
	int ret = 0;

	if (dcm_write_buffer(m, &buf, &len, err))
		return -1;
	f = fopen(path, "wb");
	if (!f) {
		free(buf);
		return dcm_fail(err, "%s: cannot create", path);
	}
	if (fwrite(buf, 1, len, f) != len)
		ret = dcm_fail(err, "%s: write failed", path);
	if (fclose(f) && !ret)
		ret = dcm_fail(err, "%s: write failed", path);
	free(buf);
	return ret;
}
