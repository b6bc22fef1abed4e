// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the .dcm reader, version 1 (fully connected layers),
 * version 2 (graphs of fc, conv and pool layers) and version 3 (with
 * bit-plane, bit-plane conv and QUANT layers). The input's CRC32 trailer
 * is recomputed first so that mutations reach the field, table, graph,
 * stream and payload checks behind it; every accepted model must hold
 * layers the datapath validates, write back and read again, and a model
 * of no Huffman-coded layers (pool, bit-plane, QUANT) write back byte for
 * byte.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../userspace/dcm/dcm_layout.h"
#include "../qemu-device/datapath/dp_bitplane_conv.h"
#include "../qemu-device/datapath/dp_conv.h"
#include "../qemu-device/datapath/dp_outq.h"
#include "../qemu-device/datapath/dp_pool.h"

/*
 * The reader accepts FC and CONV layers of up to 2^26 weights; allocating
 * and zeroing that much for each mutated size would slow fuzzing to a
 * crawl, so inputs naming such layers over 2^18 weights (or column
 * pointers) are skipped. The other kinds' arrays are no larger than the
 * file.
 */
static int too_big(const uint8_t *buf, size_t size)
{
	uint32_t n, rec;

	if (size < DCM_HEADER_BYTES)
		return 0;
	n = dcm_get32(buf + DCM_H_LAYER_COUNT);
	rec = dcm_record_bytes(dcm_get16(buf + DCM_H_VERSION));
	for (uint32_t i = 0; rec && i < n && i < DCM_LAYERS_MAX; i++) {
		const uint8_t *r = buf + DCM_HEADER_BYTES + (size_t)i * rec;
		uint64_t rows, cols, pes;

		if ((size_t)(r - buf) + rec > size)
			break;
		if (rec > DCM_LAYER_BYTES_V1 && r[DCM_L_KIND] != DCM_FC &&
		    r[DCM_L_KIND] != DCM_CONV)
			continue;
		rows = dcm_get32(r + DCM_L_ROWS);
		cols = dcm_get32(r + DCM_L_COLS);
		pes = dcm_get32(r + DCM_L_PES);
		if (rows * cols > (1u << 18) || pes * (cols + 1) > (1u << 18))
			return 1;
	}
	return 0;
}

/* The datapath's validation of layer dl, by kind: 0 or -1 with ee. */
static int validate(const struct dcm_layer *dl, struct eie_error *ee)
{
	struct dp_conv c = { .in_channels = dl->channels };
	struct dp_pool p = { .channels = dl->channels, .mode = dl->pool_mode };
	struct dp_bitplane_conv bc;
	struct dp_outq q;

	dcm_layer_view(dl, &c.filters);
	dcm_layer_window(dl, &c.win);
	p.win = c.win;
	switch (dl->kind) {
	case DCM_FC:
		return eie_validate(&c.filters, ee);
	case DCM_CONV:
		return dp_conv_validate(&c, ee);
	case DCM_POOL:
		return dp_pool_validate(&p, ee);
	case DCM_BITPLANE:
		dcm_layer_bitplane(dl, &bc.l);
		return dp_bitplane_validate(&bc.l, ee);
	case DCM_BITPLANE_CONV:
		dcm_layer_bitplane_conv(dl, &bc);
		return dp_bitplane_conv_validate(&bc, ee);
	case DCM_QUANT:
		dcm_layer_outq(dl, &q);
		return dp_outq_validate(&q, ee);
	}
	snprintf(ee->msg, sizeof(ee->msg), "kind %u", dl->kind);
	return -1;
}

/*
 * The model as read writes back, in its version, to a file that reads;
 * without Huffman-coded layers (whose code lengths the writer picks) to
 * the same bytes.
 */
static void write_back(struct dcm_model *m, const uint8_t *in, size_t size)
{
	struct dcm_model again;
	struct dcm_error err;
	uint8_t *out;
	size_t len;
	int coded = 0;

	for (uint32_t i = 0; i < m->layer_count; i++)
		coded |= m->layers[i].kind == DCM_FC || m->layers[i].kind == DCM_CONV;
	if (dcm_write_buffer(m, &out, &len, &err)) {
		fprintf(stderr, "the reader's model does not write: %s\n", err.msg);
		abort();
	}
	if (dcm_read_buffer(out, len, &again, &err)) {
		fprintf(stderr, "the written model does not read: %s\n", err.msg);
		abort();
	}
	if (!coded && (len != size || memcmp(out, in, size))) {
		fprintf(stderr, "version %u: %zu bytes read, %zu written back differently\n",
			m->version, size, len);
		abort();
	}
	dcm_free(&again);
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcm_model m;
	struct dcm_error err;
	uint8_t *buf;

	if (size > (1u << 20) || too_big(data, size))
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (size >= 8)
		dcm_put32(buf + size - 4, (uint32_t)crc32(0L, buf, (uInt)(size - 4)));
	if (!dcm_read_buffer(buf, size, &m, &err)) {
		for (uint32_t i = 0; i < m.layer_count; i++) {
			const struct dcm_layer *dl = &m.layers[i];
			struct eie_error ee;
			int bad = validate(dl, &ee);

			if (bad || (i && dcm_layer_inputs(dl) !=
				    dcm_layer_outputs(&m.layers[i - 1]))) {
				/* the reader passed a bad layer */
				fprintf(stderr, "layer %u: %s\n", i, bad ? ee.msg : "does not follow");
				abort();
			}
		}
		write_back(&m, buf, size);
		dcm_free(&m);
	}
	free(buf);
	return 0;
}
