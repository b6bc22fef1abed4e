// SPDX-License-Identifier: MIT
/* Ring entry decoding (every bad field) and completion record encoding. */
#include <stddef.h>
#include <string.h>

#include "dev_guest.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"

#define OFF(field)	offsetof(struct dcaccel_ring_entry, field)
#define COFF(field)	offsetof(struct dcaccel_completion, field)

static void good_entry(uint8_t *raw)
{
	memset(raw, 0, DCACCEL_RING_ENTRY_SIZE);
	dcdev_st32(raw + OFF(flags), DCACCEL_RING_F_IRQ);
	dcdev_st32(raw + OFF(ctx), 3);
	dcdev_st64(raw + OFF(cmd_va), 0x7000000008ull);
	dcdev_st32(raw + OFF(cmd_len), 96);
	dcdev_st64(raw + OFF(seqno), 0x1122334455667788ull);
	dcdev_st64(raw + OFF(completion), 0x40000040ull);
}

static uint32_t decode(const uint8_t *raw, uint32_t *detail, int *record_ok)
{
	struct dcdev_caps caps;
	struct dcdev_entry e;

	guest_caps(&caps, 64);
	return dcdev_entry_decode(raw, &caps, 4, &e, detail, record_ok);
}

static void test_good_entry_decodes(void)
{
	uint8_t raw[DCACCEL_RING_ENTRY_SIZE];
	struct dcdev_caps caps;
	struct dcdev_entry e;
	uint32_t detail = 99;
	int ok = 0;

	good_entry(raw);
	guest_caps(&caps, 64);
	CHECK_EQ(dcdev_entry_decode(raw, &caps, 4, &e, &detail, &ok),
		 DCACCEL_JOB_OK);
	CHECK_EQ(detail, 0);
	CHECK(ok);
	CHECK_EQ(e.flags, DCACCEL_RING_F_IRQ);
	CHECK_EQ(e.ctx, 3);
	CHECK(e.cmd_va == 0x7000000008ull);
	CHECK_EQ(e.cmd_len, 96);
	CHECK(e.seqno == 0x1122334455667788ull);
	CHECK(e.completion == 0x40000040ull);
}

/* Each case breaks one field; the detail must name it. */
static void test_every_bad_field_rejected(void)
{
	static const struct {
		size_t off, width;
		uint64_t value;
		uint32_t status;
	} cases[] = {
		{ OFF(flags), 4, 1u << 3, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(flags), 4, 0x80000000u, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(ctx), 4, 4, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(ctx), 4, 0xffffffffu, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(cmd_va), 8, 0x1004, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(cmd_len), 4, 0, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(cmd_len), 4, 4, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(cmd_len), 4, 100, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(cmd_len), 4, DCACCEL_MAX_CMD_BYTES + 8,
		  DCACCEL_JOB_TOO_LARGE },
		{ OFF(cmd_len), 4, 0xfffffff8u, DCACCEL_JOB_TOO_LARGE },
		{ OFF(reserved0), 4, 1, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(reserved1), 8, 1, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(reserved1) + 8, 8, 1ull << 63, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(reserved1) + 16, 8, 2, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(completion), 8, 0x40000008, DCACCEL_JOB_BAD_ENTRY },
		{ OFF(completion), 8, UINT64_MAX - 63, DCACCEL_JOB_BAD_ENTRY },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t raw[DCACCEL_RING_ENTRY_SIZE];
		uint32_t detail = 0, st;
		int ok;

		good_entry(raw);
		if (cases[i].width == 4)
			dcdev_st32(raw + cases[i].off, (uint32_t)cases[i].value);
		else
			dcdev_st64(raw + cases[i].off, cases[i].value);
		st = decode(raw, &detail, &ok);
		if (st != cases[i].status || detail != cases[i].off)
			DIAG("case %zu: status %u detail %u", i, st, detail);
		CHECK_EQ(st, cases[i].status);
		CHECK_EQ(detail, cases[i].off);
		/* only a bad completion address loses the record */
		CHECK_EQ(ok, cases[i].off != OFF(completion));
	}
}

static void test_largest_command_accepted(void)
{
	uint8_t raw[DCACCEL_RING_ENTRY_SIZE];
	uint32_t detail;
	int ok;

	good_entry(raw);
	dcdev_st32(raw + OFF(cmd_len), DCACCEL_MAX_CMD_BYTES);
	CHECK_EQ(decode(raw, &detail, &ok), DCACCEL_JOB_OK);
	dcdev_st32(raw + OFF(flags), DCACCEL_RING_F_ALL);
	CHECK_EQ(decode(raw, &detail, &ok), DCACCEL_JOB_OK);
}

static void test_completion_record(void)
{
	uint8_t buf[DCACCEL_COMPLETION_BYTES(DCACCEL_EIE_PES_MAX)];
	struct dcdev_entry e = { .seqno = 42, .flags = 0 };
	static struct dcdev_result r;
	uint32_t len;

	memset(&r, 0, sizeof(r));
	r.status = DCACCEL_JOB_MMU_FAULT;
	r.fault = DCACCEL_FAULT_PERMISSION << DCACCEL_FAULT_REASON_SHIFT |
		  DCACCEL_FAULT_WRITE;
	r.fault_va = 0xdead000;
	r.detail = 88;
	r.ops_done = 2;
	r.stats = (struct eie_stats){ 10, 20, 3, 17 };
	r.cycles = (struct eie_cycles){ 1600, 90, 5 };
	r.pe_busy[0] = 50;
	r.pe_busy[1] = 40;
	memset(buf, 0xee, sizeof(buf));
	len = dcdev_completion_encode(&e, &r, 2, 800, buf);
	CHECK_EQ(len, DCACCEL_COMPLETION_SIZE);
	CHECK_EQ(dcdev_ld64(buf + COFF(seqno)), 42);
	CHECK_EQ(dcdev_ld32(buf + COFF(status)), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(DCACCEL_FAULT_REASON(dcdev_ld32(buf + COFF(fault))),
		 DCACCEL_FAULT_PERMISSION);
	CHECK(dcdev_ld32(buf + COFF(fault)) & DCACCEL_FAULT_WRITE);
	CHECK_EQ(dcdev_ld64(buf + COFF(fault_va)), 0xdead000);
	CHECK_EQ(dcdev_ld32(buf + COFF(detail)), 88);
	CHECK_EQ(dcdev_ld32(buf + COFF(ops_done)), 2);
	CHECK_EQ(dcdev_ld64(buf + COFF(cycles)), 1600);
	CHECK_EQ(dcdev_ld64(buf + COFF(time_ns)), 2000);	/* 1600 @ 800 MHz */
	CHECK_EQ(dcdev_ld64(buf + COFF(nonzero_acts)), 10);
	CHECK_EQ(dcdev_ld64(buf + COFF(entries)), 20);
	CHECK_EQ(dcdev_ld64(buf + COFF(padding)), 3);
	CHECK_EQ(dcdev_ld64(buf + COFF(macs)), 17);
	CHECK_EQ(dcdev_ld64(buf + COFF(busy)), 90);
	CHECK_EQ(dcdev_ld64(buf + COFF(lnzd_stalls)), 5);
	CHECK_EQ(dcdev_ld32(buf + COFF(pes)), 0);
	for (size_t i = COFF(reserved0); i < DCACCEL_COMPLETION_SIZE; i++)
		CHECK_EQ(buf[i], 0);
	CHECK_EQ(buf[DCACCEL_COMPLETION_SIZE], 0xee);	/* no arrays */

	e.flags = DCACCEL_RING_F_PE_STATS;
	len = dcdev_completion_encode(&e, &r, 2, 800, buf);
	CHECK_EQ(len, DCACCEL_COMPLETION_SIZE + 32);
	CHECK_EQ(dcdev_ld32(buf + COFF(pes)), 2);
	CHECK_EQ(dcdev_ld64(buf + 128), 50);		/* pe_busy[0] */
	CHECK_EQ(dcdev_ld64(buf + 136), 40);		/* pe_busy[1] */
	CHECK_EQ(dcdev_ld64(buf + 144), 1550);		/* pe_stall[0] */
	CHECK_EQ(dcdev_ld64(buf + 152), 1560);		/* pe_stall[1] */
}

static void test_layouts_match_spec(void)
{
	CHECK_EQ(sizeof(struct dcaccel_ring_entry), 64);
	CHECK_EQ(OFF(seqno), 24);
	CHECK_EQ(OFF(completion), 32);
	CHECK_EQ(sizeof(struct dcaccel_completion), 128);
	CHECK_EQ(COFF(cycles), 32);
	CHECK_EQ(COFF(pes), 96);
	CHECK_EQ(sizeof(struct dcaccel_op_fc), 96);
	CHECK_EQ(offsetof(struct dcaccel_op_fc, codebook_va), 40);
	CHECK_EQ(offsetof(struct dcaccel_op_fc, output_va), 80);
	CHECK_EQ(sizeof(struct dcaccel_ctx_entry), 16);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_good_entry_decodes),
	TAP_TEST(test_every_bad_field_rejected),
	TAP_TEST(test_largest_command_accepted),
	TAP_TEST(test_completion_record),
	TAP_TEST(test_layouts_match_spec),
};

TAP_MAIN(tests)
