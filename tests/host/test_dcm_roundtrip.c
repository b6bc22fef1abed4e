// SPDX-License-Identifier: MIT
/*
 * The .dcm writer and reader: a model round-trips field for field, the
 * reader's EIE streams equal the encoder's, and damaged files are refused
 * with a message that says what is wrong.
 */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "../../userspace/dcm/dcm.h"
#include "../../userspace/dcm/dcm_layout.h"
#include "dcm_cnn_fixture.h"
#include "dcm_damage.h"

static uint64_t lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ull + 1442695040888963407ull;
	return *s >> 33;
}

/* A random sparse layer; density in percent. */
static void make_layer(struct dcm_layer *l, uint32_t rows, uint32_t cols,
		       uint8_t wbits, unsigned int density, uint64_t seed)
{
	uint64_t s = seed;

	memset(l, 0, sizeof(*l));
	l->rows = rows;
	l->cols = cols;
	l->pes = 8;
	l->wbits = wbits;
	l->zbits = 4;
	l->in_frac = 12;
	l->w_frac = 14;
	l->out_frac = 12;
	l->relu = true;
	l->codebook_len = 1u << wbits;
	l->codebook = calloc(l->codebook_len, sizeof(int16_t));
	l->bias = calloc(rows, sizeof(int32_t));
	l->widx = calloc((size_t)rows * cols, 1);
	for (uint32_t c = 1; c < l->codebook_len; c++)
		l->codebook[c] = (int16_t)(lcg(&s) % 60000 - 30000);
	for (uint32_t r = 0; r < rows; r++)
		l->bias[r] = (int32_t)(lcg(&s) % 2000000) - 1000000;
	l->bias[0] = INT32_MIN;
	for (size_t k = 0; k < (size_t)rows * cols; k++)
		if (lcg(&s) % 100 < density)
			l->widx[k] = (uint8_t)(1 + lcg(&s) % (l->codebook_len - 1));
}

static void make_model(struct dcm_model *m)
{
	memset(m, 0, sizeof(*m));
	m->layer_count = 3;
	m->layers = calloc(3, sizeof(*m->layers));
	make_layer(&m->layers[0], 100, 80, 5, 8, 1);
	make_layer(&m->layers[1], 30, 100, 4, 30, 2);
	make_layer(&m->layers[2], 10, 30, 2, 100, 3);
	/* a long empty stretch: forces filler pairs */
	memset(m->layers[0].widx, 0, 100 * 60);
	m->layers[2].relu = false;
}

static void test_round_trip(void)
{
	struct dcm_model m, back;
	struct dcm_error err;
	uint8_t *buf;
	size_t len;

	make_model(&m);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), 0);
	CHECK_EQ(len, m.file_bytes);
	CHECK_EQ(dcm_read_buffer(buf, len, &back, &err), 0);
	CHECK_EQ(back.layer_count, 3);
	for (uint32_t i = 0; i < 3 && back.layers; i++) {
		struct dcm_layer *a = &m.layers[i], *b = &back.layers[i];
		struct eie_streams s = { 0 };
		struct eie_error ee;

		CHECK_EQ(a->rows, b->rows);
		CHECK_EQ(a->cols, b->cols);
		CHECK_EQ(a->pes, b->pes);
		CHECK_EQ(a->wbits, b->wbits);
		CHECK_EQ(a->zbits, b->zbits);
		CHECK_EQ(a->in_frac, b->in_frac);
		CHECK_EQ(a->w_frac, b->w_frac);
		CHECK_EQ(a->out_frac, b->out_frac);
		CHECK_EQ(a->relu, b->relu);
		CHECK_EQ(a->nonzeros, b->nonzeros);
		CHECK_EQ(a->huff_bits, b->huff_bits);
		CHECK_EQ(a->widx_huff_bits, b->widx_huff_bits);
		CHECK(!memcmp(a->codebook, b->codebook, a->codebook_len * 2));
		CHECK(!memcmp(a->bias, b->bias, a->rows * 4));
		CHECK(!memcmp(a->widx, b->widx, (size_t)a->rows * a->cols));
		/* the reader's streams are the encoder's */
		CHECK_EQ(eie_encode(a->widx, a->rows, a->cols, a->pes, a->wbits,
				    a->zbits, &s, &ee), 0);
		CHECK_EQ(s.entry_count, b->streams.entry_count);
		CHECK(!memcmp(s.colptr, b->streams.colptr,
			      (size_t)s.pes * (s.cols + 1) * 4));
		CHECK(!memcmp(s.entries, b->streams.entries, s.entry_count *
			      DCACCEL_EIE_ENTRY_BYTES(s.wbits, s.zbits)));
		eie_streams_free(&s);
	}
	CHECK(m.layers[0].stored_entries > m.layers[0].nonzeros);	/* fillers */
	dcm_free(&back);
	dcm_free(&m);
	free(buf);
}

static void test_corrupted_files_refused(void)
{
	struct dcm_model m;
	struct dcm_error err;
	uint8_t *buf, *bad;
	size_t len;

	make_model(&m);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), 0);
	bad = malloc(len);

	CHECK_EQ(read_err(buf, len - 7, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	CHECK_EQ(read_err(buf, 10, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "shorter than a .dcm header");

	memcpy(bad, buf, len);
	bad[0] = 'X';
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "magic");

	memcpy(bad, buf, len);
	bad[len / 2] ^= 0x10;
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "CRC32");

	memcpy(bad, buf, len);
	bad[DCM_HEADER_BYTES + DCM_L_WBITS] = 9;
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "wbits");

	/* outputs finer than the accumulator: the engine refuses it too */
	memcpy(bad, buf, len);
	bad[DCM_HEADER_BYTES + DCM_L_IN_FRAC] = 2;
	bad[DCM_HEADER_BYTES + DCM_L_W_FRAC] = 3;
	bad[DCM_HEADER_BYTES + DCM_L_OUT_FRAC] = 14;
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "out_frac 14 exceeds in_frac + w_frac = 5");

	memcpy(bad, buf, len);
	dcm_put32(bad + DCM_HEADER_BYTES + DCM_L_PAYLOAD_OFFSET, 0x7fffffff);
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "outside the file");

	memcpy(bad, buf, len);
	dcm_put32(bad + DCM_HEADER_BYTES + DCM_LAYER_BYTES + DCM_L_COLS, 99);
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 1 (fc) takes 99 inputs");

	memcpy(bad, buf, len);
	dcm_put32(bad + DCM_HEADER_BYTES + DCM_L_NONZEROS,
		  dcm_get32(buf + DCM_HEADER_BYTES + DCM_L_NONZEROS) - 1);
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "non-zeros");

	memcpy(bad, buf, len);
	dcm_put32(bad + DCM_H_LAYER_COUNT, 1000);
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer count");

	/* codebook[0] must be the zero weight */
	memcpy(bad, buf, len);
	bad[dcm_get32(buf + DCM_HEADER_BYTES + DCM_L_PAYLOAD_OFFSET)] = 1;
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "codebook[0]");

	free(bad);
	free(buf);
	dcm_free(&m);
}

static void test_writer_checks(void)
{
	struct dcm_model m;
	struct dcm_error err;
	uint8_t *buf = NULL;
	size_t len;

	make_model(&m);
	m.layers[1].codebook[0] = 5;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "codebook[0]");
	m.layers[1].codebook[0] = 0;
	m.layers[2].cols = 29;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "takes 29 inputs");
	m.layers[2].cols = 30;
	m.layers[2].codebook_len = 3;
	m.layers[2].widx[0] = 3;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "codebook index 3 of 3");
	dcm_free(&m);
}

/* The CNN graph round-trips, kinds, maps and windows included. */
static void test_graph_round_trip(void)
{
	struct dcm_model m, back;
	struct dcm_error err;
	uint8_t *buf;
	size_t len;

	dcm_cnn_fixture(&m, 1);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), 0);
	CHECK_EQ(dcm_get16(buf + DCM_H_VERSION), DCM_VERSION);
	CHECK_EQ(dcm_read_buffer(buf, len, &back, &err), 0);
	CHECK_EQ(back.version, DCM_VERSION);
	CHECK_EQ(back.layer_count, CNN_FIXTURE_LAYERS);
	for (uint32_t i = 0; i < back.layer_count && back.layers; i++) {
		const struct dcm_layer *a = &m.layers[i], *b = &back.layers[i];

		CHECK_EQ(a->kind, b->kind);
		CHECK(a->channels == b->channels && a->in_h == b->in_h && a->in_w == b->in_w);
		CHECK(a->kernel_h == b->kernel_h && a->kernel_w == b->kernel_w &&
		      a->stride_h == b->stride_h && a->stride_w == b->stride_w &&
		      a->pad_h == b->pad_h && a->pad_w == b->pad_w);
		CHECK_EQ(a->pool_mode, b->pool_mode);
		CHECK_EQ(a->in_frac, b->in_frac);
		CHECK_EQ(a->out_frac, b->out_frac);
		CHECK_EQ(a->relu, b->relu);
		if (a->kind == DCM_POOL) {
			CHECK_EQ(b->payload_bytes, 0);
			continue;
		}
		CHECK(a->rows == b->rows && a->cols == b->cols);
		CHECK(!memcmp(a->widx, b->widx, (size_t)a->rows * a->cols));
		CHECK(!memcmp(a->bias, b->bias, a->rows * 4));
		CHECK(b->streams.entry_count > 0);
	}
	CHECK_EQ(dcm_layer_outputs(&back.layers[2]), 24);
	dcm_free(&back);
	dcm_free(&m);
	free(buf);
}

/* Version 1 (fully connected only) files still read, as a graph of FC layers. */
static void test_version1_reads(void)
{
	struct dcm_model m, back;
	struct dcm_error err;
	uint8_t *buf;
	size_t len, len2;

	make_model(&m);
	m.version = 1;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), 0);
	CHECK_EQ(dcm_get16(buf + DCM_H_VERSION), 1);
	CHECK_EQ(dcm_read_buffer(buf, len, &back, &err), 0);
	CHECK_EQ(back.version, 1);
	for (uint32_t i = 0; i < back.layer_count; i++)
		CHECK_EQ(back.layers[i].kind, DCM_FC);
	dcm_free(&back);
	free(buf);
	m.version = 0;		/* the same model in version 2: 16 bytes a record more */
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len2, &err), 0);
	CHECK_EQ(dcm_get16(buf + DCM_H_VERSION), 2);
	CHECK_EQ(len2, len + 3 * (DCM_LAYER_BYTES - DCM_LAYER_BYTES_V1));
	free(buf);
	dcm_free(&m);
	dcm_cnn_fixture(&m, 1);
	m.version = 1;
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "layer 0 (conv): format version 1 holds fully connected layers only");
	dcm_free(&m);
}

static void test_bad_graphs_refused(void)
{
	struct dcm_model m;
	struct dcm_error err;
	uint8_t *buf, *bad;
	size_t len;

	dcm_cnn_fixture(&m, 2);
	CHECK_EQ(dcm_write_buffer(&m, &buf, &len, &err), 0);
	refused(buf, len, 0, DCM_L_KIND, 1, 7, "layer 0: unknown kind 7");
	refused(buf, len, 0, DCM_L_KERNEL_H, 1, 12, "kernel_h must be 1..11");
	refused(buf, len, 0, DCM_L_STRIDE_W, 1, 9, "stride_w must be 1..8");
	refused(buf, len, 0, DCM_L_PAD_H, 1, 3, "pad_h 3 must be below kernel_h 3");
	refused(buf, len, 0, DCM_L_IN_WIDTH, 2, 5000, "in_w must be 1..4096");
	refused(buf, len, 0, DCM_L_CHANNELS, 4, 3, "filters of 18 columns, channels x kernel_h x kernel_w is 27");
	refused(buf, len, 0, DCM_L_CHANNELS, 4, 0, "channels 0");
	refused(buf, len, 1, DCM_L_POOL_MODE, 1, 3, "layer 1 (pool): mode 3");
	refused(buf, len, 1, DCM_L_PAYLOAD_BYTES, 4, 10, "a pooling layer has no payload");
	refused(buf, len, 1, DCM_L_ROWS, 4, 4, "a pooling layer has no weights");
	refused(buf, len, 1, DCM_L_OUT_FRAC, 1, 9, "out_frac 9 must equal in_frac 10");
	refused(buf, len, 1, DCM_L_IN_HEIGHT, 2, 6, "layer 1 (pool) takes 192 inputs (4 x 6 x 8) but layer 0 (conv) gives 256 (4 x 8 x 8)");
	refused(buf, len, 2, DCM_L_IN_FRAC, 1, 11, "in_frac 11 is not layer 1's out_frac 10");
	refused(buf, len, 3, DCM_L_KERNEL_W, 1, 1, "layer 3 (fc): map or window fields set");
	refused(buf, len, 2, DCM_L_POOL_MODE, 1, 1, "layer 2 (conv): pool mode 1 set");
	refused(buf, len, 3, DCM_L_COLS, 4, 25, "layer 3 (fc) takes 25 inputs");
	/* a conv map that the pooling after it does not take */
	refused(buf, len, 0, DCM_L_IN_HEIGHT, 2, 4096, "layer 1 (pool) takes 256 inputs (4 x 8 x 8) but layer 0 (conv) gives 131072");
	/* truncated, a future version */
	CHECK_EQ(read_err(buf, len - 40, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "truncated");
	bad = malloc(len);
	memcpy(bad, buf, len);
	dcm_put16(bad + DCM_H_VERSION, 4);
	reseal(bad, len);
	CHECK_EQ(read_err(bad, len, &err), -1);
	CHECK_STR_CONTAINS(err.msg, "format version 4, this reader knows 1 to 3");
	free(bad);
	free(buf);
	dcm_free(&m);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_round_trip),
	TAP_TEST(test_corrupted_files_refused),
	TAP_TEST(test_writer_checks),
	TAP_TEST(test_graph_round_trip),
	TAP_TEST(test_version1_reads),
	TAP_TEST(test_bad_graphs_refused),
};

TAP_MAIN(tests)
