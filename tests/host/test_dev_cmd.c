// SPDX-License-Identifier: MIT
/* Command buffer op decoding: every FC field, the debug op, sizes, limits. */
#include <stddef.h>
#include <string.h>

#include "dev_guest.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"

#define FOFF(field)	offsetof(struct dcaccel_op_fc, field)

/* A well-formed FC op for 64 PEs at byte `at` of buf. */
static void good_fc(uint8_t *op)
{
	memset(op, 0, DCACCEL_OP_FC_SIZE);
	dcdev_st32(op + FOFF(hdr.opcode), DCACCEL_OP_FC);
	dcdev_st32(op + FOFF(hdr.size), DCACCEL_OP_FC_SIZE);
	dcdev_st32(op + FOFF(rows), 300);
	dcdev_st32(op + FOFF(cols), 200);
	dcdev_st32(op + FOFF(pes), 64);
	dcdev_st32(op + FOFF(batch), 4);
	op[FOFF(wbits)] = 4;
	op[FOFF(zbits)] = 4;
	op[FOFF(in_frac)] = 8;
	op[FOFF(w_frac)] = 7;
	op[FOFF(out_frac)] = 8;
	op[FOFF(flags)] = DCACCEL_FC_F_RELU | DCACCEL_FC_F_BIAS;
	dcdev_st32(op + FOFF(codebook_len), 16);
	dcdev_st32(op + FOFF(entry_count), 5000);
	dcdev_st64(op + FOFF(codebook_va), 0x10000);
	dcdev_st64(op + FOFF(colptr_va), 0x20000);
	dcdev_st64(op + FOFF(entries_va), 0x30001);
	dcdev_st64(op + FOFF(bias_va), 0x40000);
	dcdev_st64(op + FOFF(input_va), 0x50000);
	dcdev_st64(op + FOFF(output_va), 0x60000);
}

static uint32_t decode_at(const uint8_t *buf, uint32_t len, uint32_t at,
			  struct dcdev_caps *caps, struct dcdev_op *op,
			  uint32_t *detail)
{
	return dcdev_op_decode(buf, len, at, caps, op, detail);
}

static void test_good_fc_decodes(void)
{
	uint8_t buf[8 + DCACCEL_OP_FC_SIZE];
	struct dcdev_caps caps;
	struct dcdev_op op;
	uint32_t detail;

	guest_caps(&caps, 64);
	memset(buf, 0, 8);	/* a NOP first */
	dcdev_st32(buf + 4, 8);
	good_fc(buf + 8);
	CHECK_EQ(decode_at(buf, sizeof(buf), 0, &caps, &op, &detail),
		 DCACCEL_JOB_OK);
	CHECK_EQ(op.opcode, DCACCEL_OP_NOP);
	CHECK_EQ(op.size, 8);
	CHECK_EQ(decode_at(buf, sizeof(buf), 8, &caps, &op, &detail),
		 DCACCEL_JOB_OK);
	CHECK_EQ(op.opcode, DCACCEL_OP_FC);
	CHECK_EQ(op.offset, 8);
	CHECK_EQ(op.fc.rows, 300);
	CHECK_EQ(op.fc.cols, 200);
	CHECK_EQ(op.fc.batch, 4);
	CHECK_EQ(op.fc.flags, 3);
	CHECK_EQ(op.fc.entry_count, 5000);
	CHECK(op.fc.entries_va == 0x30001);	/* 1-byte entries: any alignment */
	CHECK(op.fc.output_va == 0x60000);
	CHECK_EQ(dcdev_fc_bytes(&op.fc),
		 2 * 16 + 4 * 64 * 201 + 5000 + 4 * 300 + 2 * 4 * 200 +
		 2 * 4 * 300);
	/* per vector: cols x (1 + codebook_len + 2 pes) + rows + entries */
	CHECK_EQ(dcdev_fc_work(&op.fc),
		 4ull * (200 * (1 + 16 + 2 * 64) + 300 + 5000));
}

/* Each case breaks one field of the FC op at offset 16 of the buffer. */
static void test_every_bad_fc_field_rejected(void)
{
	static const struct {
		size_t off, width;
		uint64_t value;
		uint32_t status;
	} cases[] = {
		{ FOFF(hdr.size), 4, 88, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(hdr.size), 4, 104, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(hdr.size), 4, 97, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(hdr.opcode), 4, 0x7777, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(rows), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(rows), 4, DCACCEL_MAX_DIM + 1, DCACCEL_JOB_TOO_LARGE },
		{ FOFF(cols), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(cols), 4, 0xffffffff, DCACCEL_JOB_TOO_LARGE },
		{ FOFF(pes), 4, 32, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(pes), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(batch), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(batch), 4, DCACCEL_MAX_BATCH + 1, DCACCEL_JOB_TOO_LARGE },
		{ FOFF(wbits), 1, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(wbits), 1, 9, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(zbits), 1, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(zbits), 1, 200, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(in_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(w_frac), 1, 255, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(out_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(flags), 1, 8, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(reserved0), 2, 1, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(codebook_len), 4, 0, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(codebook_len), 4, 17, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(entry_count), 4, DCACCEL_MAX_ENTRIES + 1,
		  DCACCEL_JOB_TOO_LARGE },
		{ FOFF(codebook_va), 8, 0x10001, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(colptr_va), 8, 0x20002, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(bias_va), 8, 0x40002, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(input_va), 8, 0x50001, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(output_va), 8, 0x60003, DCACCEL_JOB_BAD_COMMAND },
		{ FOFF(reserved1), 8, 1ull << 40, DCACCEL_JOB_BAD_COMMAND },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t buf[16 + DCACCEL_OP_FC_SIZE + 8];
		uint8_t *op = buf + 16;
		struct dcdev_caps caps;
		struct dcdev_op d;
		uint32_t detail = 0, st;

		guest_caps(&caps, 64);
		memset(buf, 0, sizeof(buf));
		good_fc(op);
		if (cases[i].width == 1)
			op[cases[i].off] = (uint8_t)cases[i].value;
		else if (cases[i].width == 2)
			dcdev_st16(op + cases[i].off, (uint16_t)cases[i].value);
		else if (cases[i].width == 4)
			dcdev_st32(op + cases[i].off, (uint32_t)cases[i].value);
		else
			dcdev_st64(op + cases[i].off, cases[i].value);
		st = decode_at(buf, sizeof(buf), 16, &caps, &d, &detail);
		if (st != cases[i].status || detail != 16 + cases[i].off)
			DIAG("case %zu: status %u detail %u", i, st, detail);
		CHECK_EQ(st, cases[i].status);
		CHECK_EQ(detail, 16 + cases[i].off);
	}
}

static void test_fc_cross_field_checks(void)
{
	uint8_t op[DCACCEL_OP_FC_SIZE];
	struct dcdev_caps caps;
	struct dcdev_op d;
	uint32_t detail;

	guest_caps(&caps, 64);
	/* out_frac above in_frac + w_frac */
	good_fc(op);
	op[FOFF(in_frac)] = 2;
	op[FOFF(w_frac)] = 3;
	op[FOFF(out_frac)] = 6;
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, FOFF(out_frac));
	/* a bias address without the bias flag */
	good_fc(op);
	op[FOFF(flags)] = DCACCEL_FC_F_RELU;
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, FOFF(bias_va));
	dcdev_st64(op + FOFF(bias_va), 0);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
	/* 2-byte entries must be 2-aligned */
	good_fc(op);
	op[FOFF(wbits)] = 8;
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, FOFF(entries_va));
	/* codebook_len up to 2^wbits */
	dcdev_st64(op + FOFF(entries_va), 0x30000);
	dcdev_st32(op + FOFF(codebook_len), 256);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
	/* the bytes one op moves are capped: a huge batch of wide vectors */
	good_fc(op);
	dcdev_st32(op + FOFF(rows), 65536);
	dcdev_st32(op + FOFF(cols), 65536);
	dcdev_st32(op + FOFF(batch), 1024);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_TOO_LARGE);
	CHECK_EQ(detail, 0);
	/* a device with fewer PEs wants its own count */
	good_fc(op);
	caps.pes = 16;
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, FOFF(pes));
}

static void test_headers_and_sizes(void)
{
	uint8_t buf[64];
	struct dcdev_caps caps;
	struct dcdev_op d;
	uint32_t detail;

	guest_caps(&caps, 64);
	memset(buf, 0, sizeof(buf));
	/* NOP of 0 bytes would never advance */
	CHECK_EQ(decode_at(buf, sizeof(buf), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 4);
	/* a NOP of 64 bytes fills the buffer */
	dcdev_st32(buf + 4, 64);
	CHECK_EQ(decode_at(buf, sizeof(buf), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
	/* running past the buffer */
	dcdev_st32(buf + 4, 72);
	CHECK_EQ(decode_at(buf, sizeof(buf), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 4);
	dcdev_st32(buf + 4, 0xfffffff8u);
	CHECK_EQ(decode_at(buf, sizeof(buf), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	/* fewer than 8 bytes left for a header */
	CHECK_EQ(decode_at(buf, 60, 56, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 56);
	CHECK_EQ(decode_at(buf, 60, 64, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
}

static void test_debug_op_needs_fault_injection(void)
{
	uint8_t op[DCACCEL_OP_DEBUG_SIZE] = { 0 };
	struct dcdev_caps caps;
	struct dcdev_op d;
	uint32_t detail;

	guest_caps(&caps, 64);
	dcdev_st32(op, DCACCEL_OP_DEBUG);
	dcdev_st32(op + 4, DCACCEL_OP_DEBUG_SIZE);
	dcdev_st32(op + 8, DCACCEL_DEBUG_HANG);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 0);
	caps.fault_injection = true;
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_OK);
	CHECK_EQ(d.debug.action, DCACCEL_DEBUG_HANG);
	dcdev_st32(op + 8, 0);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 8);
	dcdev_st32(op + 8, DCACCEL_DEBUG_WEDGE + 1);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 8);
	dcdev_st32(op + 8, DCACCEL_DEBUG_FAULT);
	dcdev_st32(op + 12, 1);
	CHECK_EQ(decode_at(op, sizeof(op), 0, &caps, &d, &detail),
		 DCACCEL_JOB_BAD_COMMAND);
	CHECK_EQ(detail, 12);
}

static void test_caps_registers(void)
{
	struct dcdev_caps caps;

	guest_caps(&caps, 64);
	CHECK(dcdev_caps_check(&caps) == NULL);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_ID), DCACCEL_ID_MAGIC);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CAP_PES), 64);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CAP_QUEUE), 8);
	CHECK_EQ(DCACCEL_CAP_FORMAT_WBITS(dcdev_caps_reg(&caps,
							 DCACCEL_REG_CAP_FORMAT)), 8);
	CHECK_EQ(DCACCEL_CAP_FORMAT_FRAC(dcdev_caps_reg(&caps,
							DCACCEL_REG_CAP_FORMAT)), 15);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CLOCK_MHZ), 800);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CAP_FLAGS),
		 DCACCEL_CAP_F_INPUT_F32 | DCACCEL_CAP_F_ENERGY);
	caps.fault_injection = true;
	caps.modeled_timing = true;
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CAP_FLAGS), 15);
	CHECK_EQ(dcdev_caps_reg(&caps, DCACCEL_REG_CONTROL), 0);
	caps.pes = 0;
	CHECK(dcdev_caps_check(&caps) != NULL);
	caps.pes = 257;
	CHECK(dcdev_caps_check(&caps) != NULL);
	caps.pes = 256;
	caps.queue_depth = 0;
	CHECK(dcdev_caps_check(&caps) != NULL);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_good_fc_decodes),
	TAP_TEST(test_every_bad_fc_field_rejected),
	TAP_TEST(test_fc_cross_field_checks),
	TAP_TEST(test_headers_and_sizes),
	TAP_TEST(test_debug_op_needs_fault_injection),
	TAP_TEST(test_caps_registers),
};

TAP_MAIN(tests)
