// SPDX-License-Identifier: MIT
/*
 * libFuzzer target: the .dcm reader, version 1 (fully connected layers)
 * and version 2 (graphs of fc, conv and pool layers). The input's CRC32
 * trailer is recomputed first so that mutations reach the field, table,
 * graph and stream checks behind it; every accepted model must hold
 * layers the datapath validates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "../userspace/dcm/dcm_layout.h"
#include "../qemu-device/datapath/dp_conv.h"
#include "../qemu-device/datapath/dp_pool.h"

/*
 * The reader accepts layers of up to 2^26 weights; allocating and zeroing
 * that much for each mutated size would slow fuzzing to a crawl, so inputs
 * naming layers over 2^18 weights (or column pointers) are skipped.
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
		rows = dcm_get32(r + DCM_L_ROWS);
		cols = dcm_get32(r + DCM_L_COLS);
		pes = dcm_get32(r + DCM_L_PES);
		if (rows * cols > (1u << 18) || pes * (cols + 1) > (1u << 18))
			return 1;
	}
	return 0;
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
			struct dp_conv c = { .in_channels = dl->channels };
			struct dp_pool p = { .channels = dl->channels,
					     .mode = dl->pool_mode };
			struct eie_error ee;
			int bad;

			dcm_layer_view(dl, &c.filters);
			dcm_layer_window(dl, &c.win);
			p.win = c.win;
			bad = dl->kind == DCM_FC ? eie_validate(&c.filters, &ee) :
			      dl->kind == DCM_CONV ? dp_conv_validate(&c, &ee) :
			      dp_pool_validate(&p, &ee);
			if (bad || (i && dcm_layer_inputs(dl) !=
				    dcm_layer_outputs(&m.layers[i - 1]))) {
				/* the reader passed a bad layer */
				fprintf(stderr, "layer %u: %s\n", i, bad ? ee.msg : "does not follow");
				abort();
			}
		}
		dcm_free(&m);
	}
	free(buf);
	return 0;
}
