// SPDX-License-Identifier: MIT
/*
 * The BITPLANE_CONV op (hardware.rst, "BITPLANE_CONV op") through the
 * device core: random convolutions as jobs against dp_bitplane_conv_run()
 * and its cycle model (outputs, statistics, cycles, per-PE busy cycles);
 * every checked field with its status at its offset; a fault on each
 * array, naming it, with nothing written.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "dev_rig.h"
#include "rng.h"
#include "tap.h"
#include "bitplane_conv_run.h"
#include "dp_bitplane_conv.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "../../qemu-device/core/dev_le.h"

#define XOFF(field)	offsetof(struct dcaccel_op_bitplane_conv, field)
#define ROFF(field)	offsetof(struct dcaccel_completion, field)
#define RW		(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)

static struct dcdev_result res;	/* per-PE counters: not on the stack */

/* A convolution, its arrays and input maps, made up at random. */
struct xc_case {
	struct dp_bitplane_conv c;
	uint32_t batch;
	uint64_t *wp, *in;
	int16_t *wb, ab[DCACCEL_BITPLANE_PLANES_MAX];
	int32_t *bias;
	size_t wn, in_n, out_n;
};

static void case_make(struct xc_case *x, struct rng *r, uint32_t pes)
{
	struct dp_bitplane *l = &x->c.l;
	struct dp_window *w = &x->c.win;
	size_t lc;

	memset(x, 0, sizeof(*x));
	*l = (struct dp_bitplane){
		.rows = rng_range(r, 1, 20), .cols = rng_range(r, 1, 130),
		.pes = pes, .w_planes = rng_range(r, 1, 3),
		.a_planes = rng_range(r, 1, 3), .w_kind = rng_range(r, 0, 1),
		.a_kind = rng_range(r, 0, 1), .bw_frac = rng_range(r, 0, 6),
		.ba_frac = rng_range(r, 0, 6), .relu = rng_chance(r, 0.5),
	};
	l->out_frac = rng_range(r, 0, l->bw_frac + l->ba_frac);
	w->kernel_h = rng_range(r, 1, 3);
	w->kernel_w = rng_range(r, 1, 3);
	w->stride_h = rng_range(r, 1, 2);
	w->stride_w = rng_range(r, 1, 2);
	w->pad_h = rng_range(r, 0, w->kernel_h - 1);
	w->pad_w = rng_range(r, 0, w->kernel_w - 1);
	w->in_h = rng_range(r, w->kernel_h, 7);
	w->in_w = rng_range(r, w->kernel_w, 7);
	x->batch = rng_range(r, 1, 3);
	lc = DCACCEL_PLANE_WORDS(l->cols);
	x->wn = (size_t)l->w_planes * l->rows * w->kernel_h * w->kernel_w * lc;
	x->in_n = (size_t)x->batch * l->a_planes * w->in_h * w->in_w * lc;
	x->out_n = (size_t)x->batch * l->rows * dp_window_out_h(w) *
		   dp_window_out_w(w);
	x->wp = malloc(8 * x->wn);
	x->in = malloc(8 * x->in_n);
	x->wb = malloc(2 * (size_t)l->rows * l->w_planes);
	x->bias = rng_chance(r, 0.5) ? malloc(4 * (size_t)l->rows) : NULL;
	for (size_t i = 0; i < x->wn; i++)
		x->wp[i] = rng_next(r);
	for (size_t i = 0; i < x->in_n; i++)
		x->in[i] = rng_next(r);
	for (size_t i = 0; i < (size_t)l->rows * l->w_planes; i++)
		x->wb[i] = (int16_t)rng_range(r, -2000, 2000);
	for (int i = 0; i < l->a_planes; i++)
		x->ab[i] = (int16_t)rng_range(r, -2000, 2000);
	for (uint32_t i = 0; x->bias && i < l->rows; i++)
		x->bias[i] = (int32_t)rng_range(r, -100000, 100000);
	l->wplanes = x->wp;
	l->w_basis = x->wb;
	l->a_basis = x->ab;
	l->bias = x->bias;
}

static void case_free(struct xc_case *x)
{
	free(x->wp);
	free(x->in);
	free(x->wb);
	free(x->bias);
}

/* Append x's op; its output at *out_va. */
static void add_op(struct rig *r, const struct xc_case *x, uint64_t *out_va)
{
	const struct dp_bitplane *l = &x->c.l;
	const struct dp_window *w = &x->c.win;
	uint8_t *op = r->cmd + r->cmd_len;

	*out_va = rig_array(r, NULL, 2 * x->out_n, RW);
	memset(op, 0, DCACCEL_OP_BITPLANE_CONV_SIZE);
	dcdev_st32(op + XOFF(hdr.opcode), DCACCEL_OP_BITPLANE_CONV);
	dcdev_st32(op + XOFF(hdr.size), DCACCEL_OP_BITPLANE_CONV_SIZE);
	dcdev_st32(op + XOFF(in_channels), l->cols);
	dcdev_st32(op + XOFF(in_height), w->in_h);
	dcdev_st32(op + XOFF(in_width), w->in_w);
	op[XOFF(kernel_h)] = w->kernel_h;
	op[XOFF(kernel_w)] = w->kernel_w;
	op[XOFF(stride_h)] = w->stride_h;
	op[XOFF(stride_w)] = w->stride_w;
	op[XOFF(pad_h)] = w->pad_h;
	op[XOFF(pad_w)] = w->pad_w;
	dcdev_st32(op + XOFF(out_channels), l->rows);
	dcdev_st32(op + XOFF(pes), l->pes);
	dcdev_st32(op + XOFF(batch), x->batch);
	rig_put_plane_fields(r, op + XOFF(w_planes), l, x->wn, x->in, x->in_n,
			     *out_va);
	r->cmd_len += DCACCEL_OP_BITPLANE_CONV_SIZE;
}

static void test_random_convs_as_jobs(void)
{
	struct rng rng = { 61 };
	long bad = 0;

	for (int round = 0; round < 30; round++) {
		const uint32_t pes = round % 2 ? 64 : 8;
		struct xc_case x;
		struct rig r;
		struct eie_stats st = { 0 };
		struct eie_cycles cy = { 0 };
		uint64_t busy[64] = { 0 }, out_va;
		int16_t *want, *got;

		rig_init(&r, pes);
		case_make(&x, &rng, pes);
		want = calloc(x.out_n, 2);
		got = calloc(x.out_n, 2);
		CHECK_EQ(dp_bitplane_conv_validate(&x.c, NULL), 0);
		CHECK_EQ(bpconv_run(&x.c, x.batch, x.in, want, &st), 0);
		dp_bitplane_conv_model_cycles(&x.c, x.batch, &cy, busy);
		add_op(&r, &x, &out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, 2 * x.out_n);
		for (size_t i = 0; i < x.out_n; i++)
			bad += (int16_t)dcdev_ld16((uint8_t *)&got[i]) != want[i];
		CHECK_EQ(rig_record_mismatches(&r, &st, &cy, busy, pes), 0);
		CHECK(st.macs > 0);
		free(want);
		free(got);
		case_free(&x);
		guest_free(&r.g);
	}
	CHECK_EQ(bad, 0);
}

/* One good op with one field changed: the status at the field's offset. */
static void check_field(size_t off, unsigned int width, uint64_t value,
			uint32_t status)
{
	struct rng rng = { 9 };
	struct xc_case x;
	struct rig r;
	struct dcdev_entry e;
	uint64_t out_va, first;

	rig_init(&r, 8);
	case_make(&x, &rng, 8);
	add_op(&r, &x, &out_va);
	for (unsigned int b = 0; b < width; b++)
		r.cmd[off + b] = (uint8_t)(value >> (8 * b));
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	if (res.status != status || res.detail != off)
		DIAG("field at %zu = %llu: status %u detail %u, want %u", off,
		     (unsigned long long)value, res.status, res.detail, status);
	CHECK_EQ(res.status, status);
	CHECK_EQ(res.detail, off);
	guest_read_va(&r.g, 1, out_va, &first, 8);
	CHECK_EQ(first, 0);
	case_free(&x);
	guest_free(&r.g);
}

static void test_bad_fields(void)
{
	check_field(XOFF(hdr.size), 4, 96, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(in_channels), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(in_channels), 4, 65537, DCACCEL_JOB_TOO_LARGE);
	check_field(XOFF(in_height), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(kernel_h), 1, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(stride_w), 1, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(pad_h), 1, 200, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(reserved0), 2, 1, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(out_channels), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(out_channels), 4, 65537, DCACCEL_JOB_TOO_LARGE);
	check_field(XOFF(pes), 4, 7, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(batch), 4, 0, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(w_planes), 1, 9, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(a_kind), 1, 2, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(out_frac), 1, 16, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(flags), 1, 0x80, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(wplanes_va), 1, 4, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(input_va), 1, 4, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(output_va), 1, 1, DCACCEL_JOB_BAD_COMMAND);
	check_field(XOFF(reserved1), 8, 1ull << 40, DCACCEL_JOB_BAD_COMMAND);
	/* unmapped arrays: the fault names each */
	check_field(XOFF(wplanes_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(XOFF(w_basis_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(XOFF(a_basis_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(XOFF(input_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
	check_field(XOFF(output_va), 8, 0x7f000000, DCACCEL_JOB_MMU_FAULT);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_random_convs_as_jobs),
	TAP_TEST(test_bad_fields),
};

TAP_MAIN(tests)
