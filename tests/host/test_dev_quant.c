// SPDX-License-Identifier: MIT
/*
 * The QUANT op (hardware.rst, "QUANT op") through the device core: random
 * quantizers over random maps against the spec's layout written out here
 * (and dp_outq_pack_map), no cycles and no statistics; every bad field
 * with its status and offset; thresholds out of order and codes too large
 * refused as a bad layer; faults on each array.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "rng.h"
#include "tap.h"
#include "dp_outq.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "../../qemu-device/core/dev_le.h"

#define QOFF(field)	offsetof(struct dcaccel_op_quant, field)
#define RW		(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

static struct dcdev_result res;	/* per-PE counters: not on the stack */

struct q_case {
	uint32_t channels, pixels, batch;
	uint8_t bits;
	int16_t thr[255], *in;
	uint8_t codes[256];
};

static int cmp16(const void *a, const void *b)
{
	return *(const int16_t *)a - *(const int16_t *)b;
}

static void case_make(struct q_case *c, struct rng *r)
{
	uint32_t levels;
	size_t n;

	memset(c, 0, sizeof(*c));
	c->channels = rng_range(r, 1, 150);
	c->pixels = rng_range(r, 1, 5);
	c->batch = rng_range(r, 1, 3);
	c->bits = rng_range(r, 1, 8);
	levels = 1u << c->bits;
	for (uint32_t l = 0; l + 1 < levels; l++)
		c->thr[l] = (int16_t)rng_range(r, -3000, 3000);
	qsort(c->thr, levels - 1, sizeof(c->thr[0]), cmp16);
	for (uint32_t l = 0; l < levels; l++)
		c->codes[l] = (uint8_t)rng_range(r, 0, levels - 1);
	n = (size_t)c->batch * c->channels * c->pixels;
	c->in = malloc(2 * n);
	for (size_t i = 0; i < n; i++)
		c->in[i] = (int16_t)rng_range(r, -4000, 4000);
}

static size_t out_words(const struct q_case *c)
{
	return (size_t)c->batch * c->bits * c->pixels *
	       DCACCEL_PLANE_WORDS(c->channels);
}

/* The spec's layout: code bit v of (b, c, x) at ((b Ko + v) px + x) Lc + c / 64. */
static void reference(const struct q_case *c, uint64_t *want)
{
	const size_t lc = DCACCEL_PLANE_WORDS(c->channels);
	const uint32_t levels = 1u << c->bits;

	memset(want, 0, 8 * out_words(c));
	for (uint32_t b = 0; b < c->batch; b++)
		for (uint32_t ch = 0; ch < c->channels; ch++)
			for (uint32_t x = 0; x < c->pixels; x++) {
				int16_t y = c->in[((size_t)b * c->channels + ch) * c->pixels + x];
				uint32_t level = 0;

				for (uint32_t l = 0; l + 1 < levels; l++)
					level += y >= c->thr[l];
				for (uint32_t v = 0; v < c->bits; v++)
					if (c->codes[level] >> v & 1)
						want[(((size_t)b * c->bits + v) * c->pixels + x) * lc +
						     ch / 64] |= 1ull << (ch % 64);
			}
}

/* Append c's QUANT op, its arrays in the rig; its output VA in *out_va. */
static uint32_t add_quant(struct rig *r, const struct q_case *c,
			  uint64_t *out_va)
{
	uint32_t levels = 1u << c->bits;
	size_t n = (size_t)c->batch * c->channels * c->pixels;
	uint8_t thr[2 * 255], *in = malloc(2 * n);

	for (uint32_t l = 0; l + 1 < levels; l++)
		dcdev_st16(thr + 2 * l, (uint16_t)c->thr[l]);
	for (size_t i = 0; i < n; i++)
		dcdev_st16(in + 2 * i, (uint16_t)c->in[i]);
	uint64_t thr_va = rig_array(r, thr, 2 * (levels - 1), DCACCEL_PTE_READ);
	uint64_t codes_va = rig_array(r, c->codes, levels, DCACCEL_PTE_READ);
	uint64_t in_va = rig_array(r, in, 2 * n, DCACCEL_PTE_READ);

	*out_va = rig_array(r, NULL, 8 * out_words(c), RW);
	free(in);
	return add_quant_op(r, c->channels, c->pixels, c->batch, c->bits,
			    thr_va, codes_va, in_va, *out_va);
}

static void test_random_quantizers(void)
{
	struct rng rng = { 0x9a47 };
	int bad = 0;

	for (int k = 0; k < 40; k++) {
		struct q_case c;
		struct rig r;
		struct dcdev_entry e;
		struct dp_outq q;
		uint64_t out_va, *got, *want, *dp;
		size_t w;

		case_make(&c, &rng);
		w = out_words(&c);
		got = malloc(8 * w);
		want = malloc(8 * w);
		dp = malloc(8 * w);
		rig_init(&r, 4);
		add_quant(&r, &c, &out_va);
		CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
		CHECK_EQ(res.status, DCACCEL_JOB_OK);
		CHECK_EQ(res.cycles.cycles, 0);
		CHECK_EQ(res.stats.macs + res.stats.entries + res.stats.nonzero_acts, 0);
		guest_read_va(&r.g, 1, out_va, got, 8 * w);
		for (size_t i = 0; i < w; i++)	/* the guest's order to the host's */
			got[i] = dcdev_ld64((const uint8_t *)&got[i]);
		reference(&c, want);
		q = (struct dp_outq){ .bits = c.bits, .thr = c.thr, .codes = c.codes };
		dp_outq_pack_map(&q, c.channels, c.pixels, c.batch, c.in, dp);
		if (memcmp(got, want, 8 * w) || memcmp(dp, want, 8 * w)) {
			if (bad++ < 3)
				DIAG("case %d: %u channels x %u pixels, batch %u, Ko %u differ",
				     k, c.channels, c.pixels, c.batch, c.bits);
		}
		guest_free(&r.g);
		free(c.in);
		free(got);
		free(want);
		free(dp);
	}
	CHECK_EQ(bad, 0);
}

/* A job of one good QUANT op with one field changed: status and detail. */
static void check_field(size_t off, unsigned int width, uint64_t value,
			uint32_t status)
{
	struct rng rng = { 5 };
	struct q_case c;
	struct rig r;
	struct dcdev_entry e;
	uint64_t out_va;

	case_make(&c, &rng);
	rig_init(&r, 4);
	add_quant(&r, &c, &out_va);
	if (width == 1)
		r.cmd[off] = (uint8_t)value;
	else if (width == 4)
		dcdev_st32(r.cmd + off, (uint32_t)value);
	else
		dcdev_st64(r.cmd + off, value);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	if (res.status != status || res.detail != off)
		DIAG("field at %zu = %llu: status %u detail %u, want %u at %zu", off,
		     (unsigned long long)value, res.status, res.detail, status, off);
	CHECK_EQ(res.status, status);
	CHECK_EQ(res.detail, off);
	guest_free(&r.g);
	free(c.in);
}

static void test_bad_fields(void)
{
	const uint32_t cap = 1u << 16;

	check_field(QOFF(hdr.size), 4, 56, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(channels), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(channels), 4, cap + 1, DCACCEL_JOB_TOO_LARGE);
	check_field(QOFF(pixels), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(pixels), 4, (1u << 24) + 1, DCACCEL_JOB_TOO_LARGE);
	/* channels x pixels above 2^24: too large at pixels */
	check_field(QOFF(pixels), 4, 1u << 24, DCACCEL_JOB_TOO_LARGE);
	check_field(QOFF(batch), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(batch), 4, 1u << 20, DCACCEL_JOB_TOO_LARGE);
	check_field(QOFF(bits), 1, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(bits), 1, 9, DCACCEL_JOB_BAD_COMMAND);
	for (unsigned int i = 0; i < 3; i++)
		check_field(QOFF(reserved0) + i, 1, 1, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(thr_va), 8, 0x100001, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(input_va), 8, 0x100001, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(output_va), 8, 0x100004, DCACCEL_JOB_BAD_COMMAND);
	check_field(QOFF(reserved1), 8, 1ull << 63, DCACCEL_JOB_BAD_COMMAND);
	/* unmapped arrays: the fault names the array's field */
	check_field(QOFF(thr_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(QOFF(codes_va), 8, 0x7f000001, DCACCEL_JOB_MMU_FAULT);
	check_field(QOFF(input_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(QOFF(output_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
}

/* A quantizer that breaks its rules: a bad layer, nothing written. */
static void test_bad_quantizer_refused(void)
{
	for (int kind = 0; kind < 2; kind++) {
		struct rng rng = { 6 };
		struct q_case c;
		struct rig r;
		struct dcdev_entry e;
		uint64_t out_va, first;

		case_make(&c, &rng);
		c.bits = 3;
		if (kind == 0)
			c.thr[5] = (int16_t)(c.thr[4] - 1);	/* decreasing */
		else
			c.codes[2] = 8;				/* not below 2^3 */
		rig_init(&r, 4);
		add_quant(&r, &c, &out_va);
		CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
		CHECK_EQ(res.status, DCACCEL_JOB_BAD_LAYER);
		CHECK_EQ(res.detail, 0);
		guest_read_va(&r.g, 1, out_va, &first, 8);
		CHECK_EQ(first, 0);
		guest_free(&r.g);
		free(c.in);
	}
}

/*
 * The spec reviewer's worked example, from the text alone: 3 channels of
 * 2 pixels, Ko 2, thresholds -10 0 10, codes 0 1 2 3; the four words.
 */
static void test_worked_example(void)
{
	struct q_case c = {
		.channels = 3, .pixels = 2, .batch = 1, .bits = 2,
		.thr = { -10, 0, 10 }, .codes = { 0, 1, 2, 3 },
	};
	int16_t in[6] = { -20, 5, 0, 15, -1, 10 };
	const uint64_t want[4] = { 0x4, 0x6, 0x2, 0x7 };
	uint64_t got[4], out_va;
	struct dcdev_entry e;
	struct rig r;

	c.in = in;
	rig_init(&r, 4);
	add_quant(&r, &c, &out_va);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, out_va, got, sizeof(got));
	for (int i = 0; i < 4; i++)
		CHECK_EQ(dcdev_ld64((const uint8_t *)&got[i]), want[i]);
	guest_free(&r.g);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_worked_example),
	TAP_TEST(test_random_quantizers),
	TAP_TEST(test_bad_fields),
	TAP_TEST(test_bad_quantizer_refused),
};

TAP_MAIN(tests)
