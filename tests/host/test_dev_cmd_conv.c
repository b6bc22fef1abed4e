// SPDX-License-Identifier: MIT
/*
 * CONV and POOL op decoding: every check of hardware.rst's "CONV op" and
 * "POOL op", in order, with the status and detail it names.
 */
#include <stddef.h>
#include <string.h>

#include "dev_guest.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"

#define COFF(field)	offsetof(struct dcaccel_op_conv, field)
#define POFF(field)	offsetof(struct dcaccel_op_pool, field)
#define BAD		DCACCEL_JOB_BAD_COMMAND
#define BIG		DCACCEL_JOB_TOO_LARGE

/* A well-formed CONV op for 64 PEs: 3 x 32 x 32 maps, 16 3 x 3 filters. */
static void good_conv(uint8_t *op)
{
	memset(op, 0, DCACCEL_OP_CONV_SIZE);
	dcdev_st32(op + COFF(hdr.opcode), DCACCEL_OP_CONV);
	dcdev_st32(op + COFF(hdr.size), DCACCEL_OP_CONV_SIZE);
	dcdev_st32(op + COFF(in_channels), 3);
	dcdev_st32(op + COFF(in_height), 32);
	dcdev_st32(op + COFF(in_width), 32);
	op[COFF(kernel_h)] = 3;
	op[COFF(kernel_w)] = 3;
	op[COFF(stride_h)] = 1;
	op[COFF(stride_w)] = 2;
	op[COFF(pad_h)] = 1;
	op[COFF(pad_w)] = 0;
	dcdev_st32(op + COFF(out_channels), 16);
	dcdev_st32(op + COFF(pes), 64);
	dcdev_st32(op + COFF(batch), 2);
	op[COFF(wbits)] = 4;
	op[COFF(zbits)] = 4;
	op[COFF(in_frac)] = 8;
	op[COFF(w_frac)] = 7;
	op[COFF(out_frac)] = 8;
	op[COFF(flags)] = DCACCEL_CONV_F_RELU | DCACCEL_CONV_F_BIAS;
	dcdev_st32(op + COFF(codebook_len), 16);
	dcdev_st32(op + COFF(entry_count), 200);
	dcdev_st64(op + COFF(codebook_va), 0x10000);
	dcdev_st64(op + COFF(colptr_va), 0x20000);
	dcdev_st64(op + COFF(entries_va), 0x30001);
	dcdev_st64(op + COFF(bias_va), 0x40000);
	dcdev_st64(op + COFF(input_va), 0x50000);
	dcdev_st64(op + COFF(output_va), 0x60000);
}

/* A well-formed POOL op: 8 x 32 x 32 maps, 2 x 2 average pooling. */
static void good_pool(uint8_t *op)
{
	memset(op, 0, DCACCEL_OP_POOL_SIZE);
	dcdev_st32(op + POFF(hdr.opcode), DCACCEL_OP_POOL);
	dcdev_st32(op + POFF(hdr.size), DCACCEL_OP_POOL_SIZE);
	dcdev_st32(op + POFF(channels), 8);
	dcdev_st32(op + POFF(in_height), 32);
	dcdev_st32(op + POFF(in_width), 32);
	op[POFF(kernel_h)] = 2;
	op[POFF(kernel_w)] = 2;
	op[POFF(stride_h)] = 2;
	op[POFF(stride_w)] = 2;
	op[POFF(mode)] = DCACCEL_POOL_AVG;
	dcdev_st32(op + POFF(batch), 3);
	dcdev_st64(op + POFF(input_va), 0x50000);
	dcdev_st64(op + POFF(output_va), 0x60000);
}

struct field_case {
	size_t off, width;
	uint64_t value;
	uint32_t status;
	size_t detail;	/* where the check reports, when not off */
};

/* The detail of a check of the whole op: the op's offset. */
#define AT_OP	((size_t)-1)

static void put(uint8_t *op, const struct field_case *c)
{
	if (c->width == 1)
		op[c->off] = (uint8_t)c->value;
	else if (c->width == 2)
		dcdev_st16(op + c->off, (uint16_t)c->value);
	else if (c->width == 4)
		dcdev_st32(op + c->off, (uint32_t)c->value);
	else
		dcdev_st64(op + c->off, c->value);
}

/* Each case spoils one field of a good op at offset 16 of a buffer. */
static void check_cases(void (*good)(uint8_t *), size_t size,
			const struct field_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t buf[16 + DCACCEL_OP_CONV_SIZE + 8] = { 0 };
		size_t want = cases[i].detail == AT_OP ? 16 :
			      16 + (cases[i].detail ? cases[i].detail :
				    cases[i].off);
		struct dcdev_caps caps;
		struct dcdev_op d;
		uint32_t detail = 0, st;

		guest_caps(&caps, 64);
		good(buf + 16);
		put(buf + 16, &cases[i]);
		st = dcdev_op_decode(buf, (uint32_t)(16 + size + 8), 16, &caps,
				     &d, &detail);
		if (st != cases[i].status || detail != want)
			DIAG("case %zu: status %u detail %u", i, st, detail);
		CHECK_EQ(st, cases[i].status);
		CHECK_EQ(detail, want);
	}
}

static void test_good_ops_decode(void)
{
	uint8_t op[DCACCEL_OP_CONV_SIZE];
	struct dcdev_caps caps;
	struct dcdev_op d;
	uint32_t detail;

	guest_caps(&caps, 64);
	good_conv(op);
	CHECK_EQ(dcdev_op_decode(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
	CHECK_EQ(d.conv.filters.rows, 16);
	CHECK_EQ(d.conv.filters.cols, 27);
	CHECK_EQ(d.conv.out_h, 32);	/* (32 + 2 - 3) / 1 + 1 */
	CHECK_EQ(d.conv.out_w, 15);	/* (32 - 3) / 2 + 1 */
	CHECK_EQ(dcdev_conv_bytes(&d.conv),
		 2 * 16 + 4 * 64 * 28 + 200 + 4 * 16 + 2 * 2 * 3 * 32 * 32 +
		 2 * 2 * 16 * 32 * 15);
	/* hardware.rst, "Work of the CONV and POOL ops" */
	CHECK_EQ(dcdev_op_work(&d),
		 2ull * (3 * 32 * 32 * (1 + 16 + 2 * 64) +
			 27ull * 32 * 15 * 2 * 64 + (200 + 16) * 32 * 15));
	good_pool(op);
	CHECK_EQ(dcdev_op_decode(op, DCACCEL_OP_POOL_SIZE, 0, &caps, &d,
				 &detail), DCACCEL_JOB_OK);
	CHECK_EQ(d.pool.out_h, 16);
	CHECK_EQ(dcdev_pool_bytes(&d.pool), 2 * 3 * 8 * (32 * 32 + 16 * 16));
	CHECK_EQ(dcdev_op_work(&d), 3 * 8 * (32 * 32 + 16 * 16 * (4 + 1)));
}

static void test_every_bad_conv_field(void)
{
	static const struct field_case cases[] = {
		{ COFF(hdr.size), 4, 104, BAD, 0 },
		{ COFF(hdr.size), 4, 120, BAD, 0 },
		{ COFF(in_channels), 4, 0, BAD, 0 },
		{ COFF(in_channels), 4, DCACCEL_MAX_DIM + 1, BIG, 0 },
		{ COFF(in_height), 4, 0, BAD, 0 },
		{ COFF(in_height), 4, DCACCEL_MAP_DIM_MAX + 1, BIG, 0 },
		{ COFF(in_width), 4, 0, BAD, 0 },
		{ COFF(in_width), 4, 0x80000000u, BIG, 0 },
		{ COFF(kernel_h), 1, 0, BAD, 0 },
		{ COFF(kernel_h), 1, 12, BAD, 0 },
		{ COFF(kernel_w), 1, 0, BAD, 0 },
		{ COFF(kernel_w), 1, 255, BAD, 0 },
		{ COFF(stride_h), 1, 0, BAD, 0 },
		{ COFF(stride_h), 1, 9, BAD, 0 },
		{ COFF(stride_w), 1, 0, BAD, 0 },
		{ COFF(stride_w), 1, 9, BAD, 0 },
		{ COFF(pad_h), 1, 3, BAD, 0 },	/* not below kernel_h */
		{ COFF(pad_w), 1, 3, BAD, 0 },
		{ COFF(reserved0), 2, 1, BAD, 0 },
		{ COFF(out_channels), 4, 0, BAD, 0 },
		{ COFF(out_channels), 4, DCACCEL_MAX_DIM + 1, BIG, 0 },
		{ COFF(pes), 4, 32, BAD, 0 },
		{ COFF(batch), 4, 0, BAD, 0 },
		{ COFF(batch), 4, DCACCEL_MAX_BATCH + 1, BIG, 0 },
		{ COFF(wbits), 1, 0, BAD, 0 },
		{ COFF(zbits), 1, 9, BAD, 0 },
		{ COFF(in_frac), 1, 16, BAD, 0 },
		{ COFF(w_frac), 1, 16, BAD, 0 },
		{ COFF(out_frac), 1, 16, BAD, 0 },
		{ COFF(flags), 1, 8, BAD, 0 },
		{ COFF(reserved1), 2, 1, BAD, 0 },
		{ COFF(codebook_len), 4, 17, BAD, 0 },
		{ COFF(entry_count), 4, DCACCEL_MAX_ENTRIES + 1, BIG, 0 },
		{ COFF(codebook_va), 8, 0x10001, BAD, 0 },
		{ COFF(colptr_va), 8, 0x20002, BAD, 0 },
		{ COFF(bias_va), 8, 0x40002, BAD, 0 },
		{ COFF(input_va), 8, 0x50001, BAD, 0 },
		{ COFF(output_va), 8, 0x60001, BAD, 0 },
		{ COFF(reserved2), 8, 1, BAD, 0 },
		/* cross-field checks, reported at the later field */
		{ COFF(in_channels), 4, 7282, BIG, COFF(kernel_w) },	/* C R S */
		{ COFF(in_width), 4, 2, BAD, COFF(pad_w) },	/* 2 + 0 < 3 */
		{ COFF(out_channels), 4, 8739, BIG, 0 },	/* K OH OW > 2^22 */
	};

	check_cases(good_conv, DCACCEL_OP_CONV_SIZE, cases,
		    sizeof(cases) / sizeof(cases[0]));
}

/* Just within the cross-field limits: the op decodes. */
static void test_conv_limits_are_inclusive(void)
{
	static const struct field_case cases[] = {
		/* 7281 x 9 columns: 4 x 64 x 65530 bytes of pointers */
		{ COFF(in_channels), 4, 7281, DCACCEL_JOB_OK, 0 },
		{ COFF(out_channels), 4, 8738, DCACCEL_JOB_OK, 0 },
		{ COFF(in_height), 4, DCACCEL_MAP_DIM_MAX, DCACCEL_JOB_OK, 0 },
		{ COFF(in_height), 4, 1, DCACCEL_JOB_OK, 0 },	/* 1 + 2 = 3 */
		{ COFF(pad_h), 1, 2, DCACCEL_JOB_OK, 0 },
		{ COFF(kernel_w), 1, DCACCEL_KERNEL_MAX, DCACCEL_JOB_OK, 0 },
		{ COFF(stride_h), 1, DCACCEL_STRIDE_MAX, DCACCEL_JOB_OK, 0 },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t op[DCACCEL_OP_CONV_SIZE];
		struct dcdev_caps caps;
		struct dcdev_op d;
		uint32_t detail;

		guest_caps(&caps, 64);
		good_conv(op);
		put(op, &cases[i]);
		CHECK_EQ(dcdev_op_decode(op, sizeof(op), 0, &caps, &d, &detail),
			 DCACCEL_JOB_OK);
	}
}

/* An op that would move more than CAP_MAX_OP_MB MiB is too large. */
static void test_conv_bytes_capped(void)
{
	uint8_t op[DCACCEL_OP_CONV_SIZE];
	struct dcdev_caps caps;
	struct dcdev_op d;
	uint32_t detail;

	guest_caps(&caps, 64);
	good_conv(op);
	/* 1024 x 8000 x 32 x 15 outputs: 7.3 GiB */
	dcdev_st32(op + COFF(batch), 1024);
	dcdev_st32(op + COFF(out_channels), 8000);
	CHECK_EQ(dcdev_op_decode(op, sizeof(op), 0, &caps, &d, &detail), BIG);
	CHECK_EQ(detail, 0);
	caps.max_op_mb = 1 << 14;
	CHECK_EQ(dcdev_op_decode(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
}

static void test_every_bad_pool_field(void)
{
	static const struct field_case cases[] = {
		{ POFF(hdr.size), 4, 64, BAD, 0 },
		{ POFF(channels), 4, 0, BAD, 0 },
		{ POFF(channels), 4, DCACCEL_MAX_DIM + 1, BIG, 0 },
		{ POFF(in_height), 4, 0, BAD, 0 },
		{ POFF(in_height), 4, DCACCEL_MAP_DIM_MAX + 1, BIG, 0 },
		{ POFF(in_width), 4, 0, BAD, 0 },
		{ POFF(in_width), 4, DCACCEL_MAP_DIM_MAX + 1, BIG, 0 },
		{ POFF(kernel_h), 1, 0, BAD, 0 },
		{ POFF(kernel_w), 1, 12, BAD, 0 },
		{ POFF(stride_h), 1, 0, BAD, 0 },
		{ POFF(stride_w), 1, 9, BAD, 0 },
		{ POFF(pad_h), 1, 2, BAD, 0 },
		{ POFF(pad_w), 1, 7, BAD, 0 },
		{ POFF(mode), 1, 2, BAD, 0 },
		{ POFF(reserved0), 1, 1, BAD, 0 },
		{ POFF(batch), 4, 0, BAD, 0 },
		{ POFF(batch), 4, DCACCEL_MAX_BATCH + 1, BIG, 0 },
		{ POFF(input_va), 8, 0x50001, BAD, 0 },
		{ POFF(output_va), 8, 0x60003, BAD, 0 },
		{ POFF(reserved1), 8, 1ull << 63, BAD, 0 },
		{ POFF(in_height), 4, 1, BAD, POFF(pad_h) },	/* 1 < 2 */
		/* no C R S cap for pooling, but the bytes moved: 400 MiB */
		{ POFF(channels), 4, 65536, BIG, AT_OP },
	};

	check_cases(good_pool, DCACCEL_OP_POOL_SIZE, cases,
		    sizeof(cases) / sizeof(cases[0]));
}

static const struct tap_test tests[] = {
	TAP_TEST(test_good_ops_decode),
	TAP_TEST(test_every_bad_conv_field),
	TAP_TEST(test_conv_limits_are_inclusive),
	TAP_TEST(test_conv_bytes_capped),
	TAP_TEST(test_every_bad_pool_field),
};

TAP_MAIN(tests)
