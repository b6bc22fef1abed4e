// SPDX-License-Identifier: MIT
/*
 * CONV and POOL ops through the device core on an array guest, against
 * the dense references of conv_reference.c written from hardware.rst:
 * random layers and pools, hardware.rst's worked examples to the cycle,
 * a small CNN as one job, the FC op as a 1x1 convolution, and how the
 * ops fail (bad streams, faults, the work limit, a reset).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "conv_reference.h"
#include "dev_rig.h"
#include "eie_fixture.h"
#include "tap.h"
#include "../../qemu-device/core/dev_le.h"

#define RW	(DCACCEL_PTE_READ | DCACCEL_PTE_WRITE)
#define COFF(field)	offsetof(struct dcaccel_op_conv, field)
#define POFF(field)	offsetof(struct dcaccel_op_pool, field)
#define FOFF(field)	offsetof(struct dcaccel_op_fc, field)
#define ROFF(field)	offsetof(struct dcaccel_completion, field)

static struct dcdev_result res;	/* 2 KiB of per-PE counters: not on the stack */

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

/* A convolution: its filters encoded as a fixture, and the reference. */
struct conv_case {
	struct ref_geometry g;
	uint32_t out_channels;
	struct fixture f;
	struct ref_conv ref;
};

static size_t map_len(const struct ref_geometry *g)
{
	return (size_t)g->channels * g->in_h * g->in_w;
}

static size_t out_len(const struct conv_case *c)
{
	return (size_t)c->out_channels * ref_out_h(&c->g) * ref_out_w(&c->g);
}

/*
 * A random layer of rows x cols in f, with weights small enough that
 * most outputs neither saturate nor vanish.
 */
static void layer_make(struct fixture *f, struct rng *rng, uint32_t rows,
		       uint32_t cols, uint32_t pes, double density)
{
	memset(f, 0, sizeof(*f));
	f->rows = rows;
	f->cols = cols;
	f->pes = pes;
	f->wbits = (uint8_t)rng_range(rng, 1, 8);
	f->zbits = (uint8_t)rng_range(rng, 1, 8);
	f->in_frac = (uint8_t)rng_range(rng, 0, 15);
	f->w_frac = (uint8_t)rng_range(rng, 4, 12);
	f->out_frac = (uint8_t)rng_range(rng, 0, f->in_frac + f->w_frac < 15 ?
					 f->in_frac + f->w_frac : 15);
	f->relu = rng_chance(rng, 0.5);
	fixture_alloc(f, rng_chance(rng, 0.5));
	fixture_randomize(f, rng, density);
	for (uint32_t w = 1; w < f->codebook_len; w++)
		f->codebook[w] = (int16_t)rng_range(rng, -(1 << f->w_frac),
						    1 << f->w_frac);
	for (uint32_t k = 0; f->bias && k < f->rows; k++)
		f->bias[k] = (int32_t)rng_range(rng, -(1 << 20), 1 << 20);
	if (fixture_encode(f))
		abort();
}

/* Random filters for c->g and c->out_channels, and their reference. */
static void conv_make(struct conv_case *c, struct rng *rng, uint32_t pes,
		      double density)
{
	struct fixture *f = &c->f;

	layer_make(f, rng, c->out_channels,
		   c->g.channels * c->g.kernel_h * c->g.kernel_w, pes, density);
	c->ref = (struct ref_conv){
		.g = c->g, .out_channels = c->out_channels, .widx = f->widx,
		.codebook = f->codebook, .bias = f->bias,
		.in_frac = f->in_frac, .w_frac = f->w_frac,
		.out_frac = f->out_frac, .relu = f->relu,
	};
}

static int16_t *random_maps(struct rng *rng, size_t n, double density)
{
	int16_t *x = xcalloc(n, sizeof(*x));

	for (size_t i = 0; i < n; i++)
		x[i] = rng_chance(rng, density) ?
			(int16_t)rng_range(rng, INT16_MIN, INT16_MAX) : 0;
	return x;
}

/* The window fields, the same in both ops. */
static void put_window(uint8_t *op, const struct ref_geometry *g)
{
	dcdev_st32(op + POFF(channels), g->channels);
	dcdev_st32(op + POFF(in_height), g->in_h);
	dcdev_st32(op + POFF(in_width), g->in_w);
	op[POFF(kernel_h)] = (uint8_t)g->kernel_h;
	op[POFF(kernel_w)] = (uint8_t)g->kernel_w;
	op[POFF(stride_h)] = (uint8_t)g->stride_h;
	op[POFF(stride_w)] = (uint8_t)g->stride_w;
	op[POFF(pad_h)] = (uint8_t)g->pad_h;
	op[POFF(pad_w)] = (uint8_t)g->pad_w;
}

/* Append a CONV op over c's filters; returns the op's offset. */
static uint32_t add_conv(struct rig *r, const struct conv_case *c,
			 uint32_t batch, uint64_t in_va, uint64_t out_va)
{
	uint8_t *op = r->cmd + r->cmd_len;
	uint32_t at = r->cmd_len;

	memset(op, 0, DCACCEL_OP_CONV_SIZE);
	dcdev_st32(op + COFF(hdr.opcode), DCACCEL_OP_CONV);
	dcdev_st32(op + COFF(hdr.size), DCACCEL_OP_CONV_SIZE);
	put_window(op, &c->g);
	dcdev_st32(op + COFF(out_channels), c->out_channels);
	/* the stream fields: the FC op's, from pes on */
	rig_put_streams(r, op + COFF(pes) - FOFF(pes), &c->f, batch, in_va,
			out_va);
	r->cmd_len += DCACCEL_OP_CONV_SIZE;
	return at;
}

static uint32_t add_pool(struct rig *r, const struct ref_geometry *g,
			 bool avg, uint32_t batch, uint64_t in_va,
			 uint64_t out_va)
{
	uint8_t *op = r->cmd + r->cmd_len;
	uint32_t at = r->cmd_len;

	memset(op, 0, DCACCEL_OP_POOL_SIZE);
	dcdev_st32(op + POFF(hdr.opcode), DCACCEL_OP_POOL);
	dcdev_st32(op + POFF(hdr.size), DCACCEL_OP_POOL_SIZE);
	put_window(op, g);
	op[POFF(mode)] = avg ? DCACCEL_POOL_AVG : DCACCEL_POOL_MAX;
	dcdev_st32(op + POFF(batch), batch);
	dcdev_st64(op + POFF(input_va), in_va);
	dcdev_st64(op + POFF(output_va), out_va);
	r->cmd_len += DCACCEL_OP_POOL_SIZE;
	return at;
}

/* The record's counters against the expected ones. */
static bool record_matches(struct rig *r, const struct eie_stats *st,
			   const struct eie_cycles *cy, const uint64_t *busy,
			   uint32_t pes)
{
	bool ok = rec32(r, ROFF(status)) == DCACCEL_JOB_OK &&
		  rec64(r, ROFF(nonzero_acts)) == st->nonzero_acts &&
		  rec64(r, ROFF(entries)) == st->entries &&
		  rec64(r, ROFF(padding)) == st->padding &&
		  rec64(r, ROFF(macs)) == st->macs &&
		  rec64(r, ROFF(cycles)) == cy->cycles &&
		  rec64(r, ROFF(busy)) == cy->busy &&
		  rec64(r, ROFF(lnzd_stalls)) == cy->lnzd_stalls &&
		  rec32(r, ROFF(pes)) == pes;

	for (uint32_t p = 0; ok && p < pes; p++)
		ok = rec64(r, 128 + 8 * p) == busy[p] &&
		     rec64(r, 128 + 8 * (pes + p)) == cy->cycles - busy[p];
	if (!ok)
		DIAG("record: status %u cycles %llu (want %llu) entries %llu (want %llu)",
		     rec32(r, ROFF(status)),
		     (unsigned long long)rec64(r, ROFF(cycles)),
		     (unsigned long long)cy->cycles,
		     (unsigned long long)rec64(r, ROFF(entries)),
		     (unsigned long long)st->entries);
	return ok;
}

/*
 * hardware.rst, "Convolution", worked example: P = 2, Q = 1, a 3 x 3 map,
 * three 2 x 2 filters, no padding.
 */
static void test_conv_worked_example(void)
{
	static const int16_t codebook[4] = { 0, 1, -1, 2 };
	static const uint32_t colptr[10] = { 0, 2, 3, 3, 4, 4, 4, 5, 6, 6 };
	static const uint8_t entries[6] = { 0x04, 0x04, 0x05, 0x0c, 0x08, 0x08 };
	static const int16_t x[9] = { 2, 0, 1, 0, 3, 0, 0, 0, -1 };
	static const int16_t want[12] = { 8, 0, 0, 1, 0, -4, -3, 0,
					  2, 1, 3, 3 };
	struct conv_case c = {
		.g = { .channels = 1, .in_h = 3, .in_w = 3, .kernel_h = 2,
		       .kernel_w = 2, .stride_h = 1, .stride_w = 1 },
		.out_channels = 3,
	};
	int16_t got[12];
	struct rig r;
	uint64_t in_va, out_va;

	rig_init(&r, 2);
	r.caps.queue_depth = 1;
	c.f = (struct fixture){ .rows = 3, .cols = 4, .pes = 2, .wbits = 2,
				.zbits = 2, .codebook_len = 4,
				.codebook = (int16_t *)codebook,
				.s = { .colptr = (uint32_t *)colptr,
				       .entries = (uint8_t *)entries,
				       .entry_count = 6 } };
	in_va = rig_array(&r, x, sizeof(x), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, sizeof(got), DCACCEL_PTE_WRITE);
	add_conv(&r, &c, 1, in_va, out_va);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, out_va, got, sizeof(got));
	for (int i = 0; i < 12; i++)
		CHECK_EQ(got[i], want[i]);
	CHECK_EQ(rec64(&r, ROFF(nonzero_acts)), 4);
	CHECK_EQ(rec64(&r, ROFF(entries)), 11);
	CHECK_EQ(rec64(&r, ROFF(padding)), 0);
	CHECK_EQ(rec64(&r, ROFF(macs)), 11);
	CHECK_EQ(rec64(&r, ROFF(cycles)), 10);
	CHECK_EQ(rec64(&r, ROFF(busy)), 16);
	CHECK_EQ(rec64(&r, ROFF(lnzd_stalls)), 1);
	CHECK_EQ(rec64(&r, 128), 9);		/* pe_busy */
	CHECK_EQ(rec64(&r, 128 + 8), 7);
	CHECK_EQ(rec64(&r, 128 + 16), 1);	/* pe_stall */
	CHECK_EQ(rec64(&r, 128 + 24), 3);
	guest_free(&r.g);
}

/* One random convolution job against the reference; false on mismatch. */
static bool random_conv_matches(struct rng *rng, uint32_t kernel)
{
	static const uint32_t pes_choice[] = { 1, 2, 3, 4, 8, 64 };
	static const uint32_t queue_choice[] = { 1, 2, 8 };
	struct conv_case c = { 0 };
	struct ref_geometry *g = &c.g;
	uint32_t pes = pes_choice[rng_range(rng, 0, 5)];
	uint32_t batch = (uint32_t)rng_range(rng, 1, 3);
	struct eie_stats want_st = { 0 };
	struct eie_cycles want_cy = { 0 };
	uint64_t want_busy[64] = { 0 };
	int16_t *x, *want, *got;
	uint64_t in_va, out_va;
	struct rig r;
	bool ok;

	g->channels = (uint32_t)rng_range(rng, 1, 5);
	g->kernel_h = kernel;
	g->kernel_w = (uint32_t)rng_range(rng, 1, DCACCEL_KERNEL_MAX);
	g->pad_h = (uint32_t)rng_range(rng, 0, g->kernel_h - 1);
	g->pad_w = (uint32_t)rng_range(rng, 0, g->kernel_w - 1);
	g->stride_h = (uint32_t)(rng_chance(rng, 0.1) ? DCACCEL_STRIDE_MAX :
				 rng_range(rng, 1, 3));
	g->stride_w = (uint32_t)rng_range(rng, 1, 4);
	g->in_h = (uint32_t)rng_range(rng, g->kernel_h > 2 * g->pad_h ?
				      g->kernel_h - 2 * g->pad_h : 1, 14);
	g->in_w = (uint32_t)rng_range(rng, g->kernel_w > 2 * g->pad_w ?
				      g->kernel_w - 2 * g->pad_w : 1, 14);
	c.out_channels = (uint32_t)rng_range(rng, 1, 20);
	conv_make(&c, rng, pes, rng_range(rng, 5, 90) / 100.0);

	rig_init(&r, pes);
	r.caps.queue_depth = queue_choice[rng_range(rng, 0, 2)];
	x = random_maps(rng, batch * map_len(g), rng_range(rng, 10, 100) / 100.0);
	want = xcalloc(batch * out_len(&c), 2);
	got = xcalloc(batch * out_len(&c), 2);
	for (uint32_t b = 0; b < batch; b++) {
		ref_conv(&c.ref, x + b * map_len(g), want + b * out_len(&c));
		ref_conv_counters(&c.ref, &(struct ref_streams){
					  .pes = pes, .colptr = c.f.s.colptr,
					  .entries = c.f.s.entries,
					  .entry_bytes = DCACCEL_EIE_ENTRY_BYTES(c.f.wbits, c.f.zbits),
					  .zbits = c.f.zbits },
				  r.caps.queue_depth, x + b * map_len(g),
				  &want_st, &want_cy, want_busy);
	}
	in_va = rig_array(&r, x, 2ull * batch * map_len(g), DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, 2ull * batch * out_len(&c), RW);
	add_conv(&r, &c, batch, in_va, out_va);
	ok = rig_run_to_record(&r, &res) == DCACCEL_JOB_OK &&
	     record_matches(&r, &want_st, &want_cy, want_busy, pes);
	guest_read_va(&r.g, 1, out_va, got, 2ull * batch * out_len(&c));
	ok = ok && !memcmp(got, want, 2 * batch * out_len(&c));
	if (!ok)
		DIAG("C %u %ux%u K %u kernel %ux%u stride %ux%u pad %ux%u pes %u batch %u",
		     g->channels, g->in_h, g->in_w, c.out_channels, g->kernel_h,
		     g->kernel_w, g->stride_h, g->stride_w, g->pad_h, g->pad_w,
		     pes, batch);
	fixture_free(&c.f);
	guest_free(&r.g);
	free(x);
	free(want);
	free(got);
	return ok;
}

static void test_random_convs_match_reference(void)
{
	struct rng rng = { 0xc0de };

	/* every kernel height 1 .. 11, five times */
	for (uint32_t i = 0; i < 5 * DCACCEL_KERNEL_MAX; i++)
		CHECK(random_conv_matches(&rng, 1 + i % DCACCEL_KERNEL_MAX));
}

/* hardware.rst: a 1 x 1 convolution of a 1 x 1 map is the FC layer. */
static void test_fc_is_a_1x1_convolution(void)
{
	struct rng rng = { 11 };
	struct conv_case c = {
		.g = { .channels = 300, .in_h = 1, .in_w = 1, .kernel_h = 1,
		       .kernel_w = 1, .stride_h = 1, .stride_w = 1 },
		.out_channels = 200,
	};
	int16_t *x = random_maps(&rng, 3 * 300, 0.5);
	int16_t fc_out[3 * 200], conv_out[3 * 200];
	uint8_t fc_rec[DCACCEL_COMPLETION_BYTES(8)];
	uint64_t in_va, out_va;
	struct rig r;

	conv_make(&c, &rng, 8, 0.2);
	rig_init(&r, 8);
	in_va = rig_array(&r, x, 2 * 3 * 300, DCACCEL_PTE_READ);
	out_va = rig_array(&r, NULL, sizeof(fc_out), RW);
	add_fc(&r, &c.f, 3, in_va, out_va);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, out_va, fc_out, sizeof(fc_out));
	memcpy(fc_rec, r.g.ram + r.completion, sizeof(fc_rec));

	r.cmd_len = 0;
	add_conv(&r, &c, 3, in_va, out_va);
	memset(r.g.ram + r.completion, 0, sizeof(fc_rec));
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
	guest_read_va(&r.g, 1, out_va, conv_out, sizeof(conv_out));
	CHECK(!memcmp(fc_out, conv_out, sizeof(fc_out)));
	/* every counter, the per-PE ones included */
	CHECK(!memcmp(fc_rec, r.g.ram + r.completion, sizeof(fc_rec)));
	CHECK(rec64(&r, ROFF(macs)) > 0);
	fixture_free(&c.f);
	guest_free(&r.g);
	free(x);
}

/* Pool r's maps x with g, check outputs and counters; false on mismatch. */
static bool pool_job_matches(struct rig *r, const struct ref_geometry *g,
			     bool avg, uint32_t batch, const int16_t *x)
{
	const size_t out_n = (size_t)g->channels * ref_out_h(g) * ref_out_w(g);
	const uint64_t per_channel = (uint64_t)ref_out_h(g) * ref_out_w(g) *
				     g->kernel_h * g->kernel_w;
	const uint32_t pes = r->caps.pes;
	int16_t *want = xcalloc(batch * out_n, 2), *got = xcalloc(batch * out_n, 2);
	struct eie_stats st = { 0 };
	struct eie_cycles cy = { 0 };
	uint64_t busy[256] = { 0 };
	uint64_t in_va, out_va;
	bool ok;

	for (uint32_t b = 0; b < batch; b++)
		ref_pool(g, avg, x + b * map_len(g), want + b * out_n);
	/* channel c on PE c % P, one window element per cycle */
	for (uint32_t c = 0; c < g->channels; c++)
		busy[c % pes] += batch * per_channel;
	cy.busy = (uint64_t)batch * g->channels * per_channel;
	cy.cycles = busy[0];
	r->cmd_len = 0;
	in_va = rig_array(r, x, 2ull * batch * map_len(g), DCACCEL_PTE_READ);
	out_va = rig_array(r, NULL, 2ull * batch * out_n, RW);
	add_pool(r, g, avg, batch, in_va, out_va);
	ok = rig_run_to_record(r, &res) == DCACCEL_JOB_OK &&
	     record_matches(r, &st, &cy, busy, pes);
	guest_read_va(&r->g, 1, out_va, got, 2ull * batch * out_n);
	ok = ok && !memcmp(got, want, 2 * batch * out_n);
	free(want);
	free(got);
	return ok;
}

static void test_random_pools_match_reference(void)
{
	struct rng rng = { 0x9001 };

	for (int i = 0; i < 60; i++) {
		struct ref_geometry g;
		uint32_t batch = (uint32_t)rng_range(&rng, 1, 3);
		bool avg = i & 1;
		struct rig r;
		int16_t *x;

		g.channels = (uint32_t)rng_range(&rng, 1, 9);
		g.kernel_h = 1 + (uint32_t)(i / 2) % DCACCEL_KERNEL_MAX;
		g.kernel_w = (uint32_t)rng_range(&rng, 1, DCACCEL_KERNEL_MAX);
		g.pad_h = (uint32_t)rng_range(&rng, 0, g.kernel_h - 1);
		g.pad_w = (uint32_t)rng_range(&rng, 0, g.kernel_w - 1);
		g.stride_h = (uint32_t)rng_range(&rng, 1, DCACCEL_STRIDE_MAX);
		g.stride_w = (uint32_t)rng_range(&rng, 1, 3);
		g.in_h = (uint32_t)rng_range(&rng, g.kernel_h > 2 * g.pad_h ?
					     g.kernel_h - 2 * g.pad_h : 1, 20);
		g.in_w = (uint32_t)rng_range(&rng, g.kernel_w > 2 * g.pad_w ?
					     g.kernel_w - 2 * g.pad_w : 1, 20);
		rig_init(&r, (uint32_t)rng_range(&rng, 1, 6));
		x = random_maps(&rng, batch * map_len(&g), 0.7);
		if (!pool_job_matches(&r, &g, avg, batch, x)) {
			DIAG("case %d: C %u %ux%u kernel %ux%u stride %ux%u pad %ux%u %s",
			     i, g.channels, g.in_h, g.in_w, g.kernel_h,
			     g.kernel_w, g.stride_h, g.stride_w, g.pad_h,
			     g.pad_w, avg ? "avg" : "max");
			CHECK(0);
		}
		guest_free(&r.g);
		free(x);
	}
}

/* hardware.rst, "Pooling", worked example: 2 x 2 windows, stride 2. */
static void test_pool_worked_example(void)
{
	static const int16_t x[16] = { 1, -3, 4, 0, 2, 0, -1, -1,
				       -5, -5, 7, 8, -5, -7, 9, 10 };
	static const int16_t want_max[4] = { 2, 4, -5, 10 };
	static const int16_t want_avg[4] = { 0, 1, -5, 9 };
	const struct ref_geometry g = { .channels = 1, .in_h = 4, .in_w = 4,
					.kernel_h = 2, .kernel_w = 2,
					.stride_h = 2, .stride_w = 2 };
	int16_t got[4];
	uint64_t in_va, out_va;
	struct rig r;

	rig_init(&r, 2);
	for (int avg = 0; avg < 2; avg++) {
		r.cmd_len = 0;
		in_va = rig_array(&r, x, sizeof(x), DCACCEL_PTE_READ);
		out_va = rig_array(&r, NULL, sizeof(got), RW);
		add_pool(&r, &g, avg, 1, in_va, out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, sizeof(got));
		for (int i = 0; i < 4; i++)
			CHECK_EQ(got[i], avg ? want_avg[i] : want_max[i]);
		CHECK_EQ(rec64(&r, ROFF(cycles)), 16);
		CHECK_EQ(rec64(&r, ROFF(busy)), 16);
		CHECK_EQ(rec64(&r, 128), 16);		/* PE 0 */
		CHECK_EQ(rec64(&r, 128 + 8), 0);	/* PE 1: no channel */
		CHECK_EQ(rec64(&r, ROFF(macs)), 0);
	}
	guest_free(&r.g);
}

/* Average pooling rounds half up, counts padding, never overflows. */
static void test_avg_pool_rounding(void)
{
	static const struct {
		int16_t a, b, avg;
	} pairs[] = {
		{ 1, 0, 1 },		/* 0.5 -> 1 */
		{ -1, 0, 0 },		/* -0.5 -> 0 */
		{ -3, 0, -1 },		/* -1.5 -> -1 */
		{ 3, 0, 2 },		/* 1.5 -> 2 */
		{ INT16_MAX, INT16_MAX, INT16_MAX },
		{ INT16_MIN, INT16_MIN, INT16_MIN },
		{ INT16_MIN, INT16_MAX, 0 },	/* -0.5 -> 0 */
	};
	const struct ref_geometry pair = { .channels = 1, .in_h = 1, .in_w = 2,
					   .kernel_h = 1, .kernel_w = 2,
					   .stride_h = 1, .stride_w = 1 };
	/* one element, four 2 x 2 windows over it and three padding zeros */
	const struct ref_geometry padded = { .channels = 1, .in_h = 1,
					     .in_w = 1, .kernel_h = 2,
					     .kernel_w = 2, .stride_h = 1,
					     .stride_w = 1, .pad_h = 1,
					     .pad_w = 1 };
	const int16_t three = 3, minus = -6;
	int16_t got[4];
	uint64_t in_va, out_va;
	struct rig r;

	rig_init(&r, 4);
	for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
		int16_t x[2] = { pairs[i].a, pairs[i].b };

		r.cmd_len = 0;
		in_va = rig_array(&r, x, sizeof(x), DCACCEL_PTE_READ);
		out_va = rig_array(&r, NULL, 2, RW);
		add_pool(&r, &pair, true, 1, in_va, out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, 2);
		CHECK_EQ(got[0], pairs[i].avg);
	}
	for (int neg = 0; neg < 2; neg++) {
		r.cmd_len = 0;
		in_va = rig_array(&r, neg ? &minus : &three, 2, DCACCEL_PTE_READ);
		out_va = rig_array(&r, NULL, sizeof(got), RW);
		add_pool(&r, &padded, true, 1, in_va, out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, sizeof(got));
		/* 3 / 4 = 0.75 -> 1; -6 / 4 = -1.5 -> -1 */
		for (int i = 0; i < 4; i++)
			CHECK_EQ(got[i], neg ? -1 : 1);
		/* max pooling sees only the element, never the padding */
		r.cmd_len = 0;
		add_pool(&r, &padded, false, 1, in_va, out_va);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_OK);
		guest_read_va(&r.g, 1, out_va, got, sizeof(got));
		for (int i = 0; i < 4; i++)
			CHECK_EQ(got[i], neg ? -6 : 3);
	}
	guest_free(&r.g);
}

/*
 * Weights of at most 1.0 at 8 fraction bits, 8 in and out: a layer of a
 * network whose activations stay Q8.8 (the bias: a few units at most).
 */
static void q8_format(struct fixture *f, struct ref_conv *ref)
{
	f->in_frac = f->w_frac = f->out_frac = 8;
	for (uint32_t w = 1; w < f->codebook_len; w++)
		f->codebook[w] = (int16_t)(f->codebook[w] % 257);
	for (uint32_t k = 0; f->bias && k < f->rows; k++)
		f->bias[k] %= 1 << 18;
	f->ref.in_frac = f->ref.w_frac = f->ref.out_frac = 8;
	if (ref)
		ref->in_frac = ref->w_frac = ref->out_frac = 8;
}

/*
 * conv, pool, conv, pool, fc, fc as one job over intermediate buffers of
 * the context, against the references chained on the host.
 */
static void test_small_cnn_job(void)
{
	enum { B = 2, PES = 4 };
	const struct ref_geometry p1 = { .channels = 4, .in_h = 12, .in_w = 12,
					 .kernel_h = 2, .kernel_w = 2,
					 .stride_h = 2, .stride_w = 2 };
	const struct ref_geometry p2 = { .channels = 8, .in_h = 4, .in_w = 4,
					 .kernel_h = 2, .kernel_w = 2,
					 .stride_h = 2, .stride_w = 2 };
	struct rng rng = { 2024 };
	struct conv_case c1 = {
		.g = { .channels = 1, .in_h = 12, .in_w = 12, .kernel_h = 3,
		       .kernel_w = 3, .stride_h = 1, .stride_w = 1, .pad_h = 1,
		       .pad_w = 1 },
		.out_channels = 4,
	}, c2 = {
		.g = { .channels = 4, .in_h = 6, .in_w = 6, .kernel_h = 3,
		       .kernel_w = 3, .stride_h = 1, .stride_w = 1 },
		.out_channels = 8,
	};
	struct fixture f1, f2;
	int16_t *x = random_maps(&rng, B * 144, 0.8);
	int16_t a1[4 * 144], m1[4 * 36], a2[8 * 16], m2[32], h[16];
	int16_t want[B * 10], got[B * 10];
	uint64_t va[7];
	unsigned int distinct = 0;
	struct dcdev_entry e;
	struct rig r;

	conv_make(&c1, &rng, PES, 0.7);
	conv_make(&c2, &rng, PES, 0.5);
	layer_make(&f1, &rng, 16, 32, PES, 0.5);
	layer_make(&f2, &rng, 10, 16, PES, 0.5);
	/* Q8.8 from layer to layer, so that the outputs stay in range */
	for (int i = 0; i < B * 144; i++)
		x[i] = (int16_t)(x[i] / 64);
	q8_format(&c1.f, &c1.ref);
	q8_format(&c2.f, &c2.ref);
	q8_format(&f1, NULL);
	q8_format(&f2, NULL);
	for (uint32_t b = 0; b < B; b++) {
		ref_conv(&c1.ref, x + b * 144, a1);
		ref_pool(&p1, false, a1, m1);
		ref_conv(&c2.ref, m1, a2);
		ref_pool(&p2, true, a2, m2);
		ref_fc(&f1.ref, m2, h);
		ref_fc(&f2.ref, h, want + b * 10);
	}

	rig_init(&r, PES);
	va[0] = rig_array(&r, x, 2 * B * 144, DCACCEL_PTE_READ);
	va[1] = rig_array(&r, NULL, sizeof(a1) * B, RW);
	va[2] = rig_array(&r, NULL, sizeof(m1) * B, RW);
	va[3] = rig_array(&r, NULL, sizeof(a2) * B, RW);
	va[4] = rig_array(&r, NULL, sizeof(m2) * B, RW);
	va[5] = rig_array(&r, NULL, sizeof(h) * B, RW);
	va[6] = rig_array(&r, NULL, sizeof(got), RW);
	add_conv(&r, &c1, B, va[0], va[1]);
	add_pool(&r, &p1, false, B, va[1], va[2]);
	add_conv(&r, &c2, B, va[2], va[3]);
	add_pool(&r, &p2, true, B, va[3], va[4]);
	add_fc(&r, &f1, B, va[4], va[5]);
	add_fc(&r, &f2, B, va[5], va[6]);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_OK);
	CHECK_EQ(res.ops_done, 6);
	guest_read_va(&r.g, 1, va[6], got, sizeof(got));
	CHECK(!memcmp(got, want, sizeof(want)));
	/* a network that computes something, not a column of zeros */
	for (int i = 0; i < B * 10; i++)
		distinct += i == 0 || want[i] != want[i - 1];
	CHECK(distinct > 5);
	if (distinct <= 5)
		for (int i = 0; i < B * 10; i++)
			DIAG("out[%d] = %d", i, want[i]);
	fixture_free(&c1.f);
	fixture_free(&c2.f);
	fixture_free(&f1);
	fixture_free(&f2);
	guest_free(&r.g);
	free(x);
}

/* A small valid convolution job after a NOP; returns the op's offset. */
static uint32_t small_conv_job(struct rig *r, struct conv_case *c,
			       uint64_t *out_va)
{
	struct rng rng = { 3 };
	int16_t x[2 * 5 * 5];
	uint64_t in_va;

	*c = (struct conv_case){
		.g = { .channels = 2, .in_h = 5, .in_w = 5, .kernel_h = 3,
		       .kernel_w = 3, .stride_h = 1, .stride_w = 1 },
		.out_channels = 6,
	};
	conv_make(c, &rng, 4, 0.6);
	c->f.codebook[1] = 7;	/* a non-zero weight for the tests below */
	for (int i = 0; i < 50; i++)
		x[i] = (int16_t)(i - 20);
	rig_init(r, 4);
	in_va = rig_array(r, x, sizeof(x), DCACCEL_PTE_READ);
	*out_va = rig_array(r, NULL, 2 * out_len(c), RW);
	memset(r->cmd, 0, 8);
	dcdev_st32(r->cmd + 4, 8);
	r->cmd_len = 8;
	return add_conv(r, c, 1, in_va, *out_va);
}

/* The guest VA of a CONV op's array field. */
static uint64_t op_va(struct rig *r, uint32_t at, size_t field)
{
	return dcdev_ld64(r->cmd + at + field);
}

/* Streams that fail validation fail the job with JOB_BAD_LAYER. */
static void test_conv_bad_streams(void)
{
	static const struct {
		size_t field;	/* the array to spoil */
		uint32_t word;	/* at this 32-bit word of it */
		uint32_t value;
	} cases[] = {
		{ COFF(colptr_va), 0, 1 },	/* PE 0 starts past 0 */
		{ COFF(colptr_va), 1, 0xffffff },	/* past the entries */
		{ COFF(codebook_va), 0, 5 },	/* codebook[0] != 0 */
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct conv_case c;
		struct rig r;
		uint64_t out_va, va;
		uint32_t at = small_conv_job(&r, &c, &out_va);
		int16_t out[6 * 9];

		va = op_va(&r, at, cases[i].field);
		guest_write_va(&r.g, 1, va + 4 * cases[i].word,
			       &cases[i].value, cases[i].field ==
			       COFF(codebook_va) ? 2 : 4);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_BAD_LAYER);
		CHECK_EQ(res.detail, at);
		CHECK_EQ(res.ops_done, 1);	/* the NOP */
		CHECK(res.msg[0] != '\0');
		DIAG("validation said: %s", res.msg);
		guest_read_va(&r.g, 1, out_va, out, sizeof(out));
		for (int j = 0; j < 6 * 9; j++)
			CHECK_EQ(out[j], 0);
		fixture_free(&c.f);
		guest_free(&r.g);
	}
}

/* Every array of a CONV op, and of a POOL op, faults with its field. */
static void test_conv_and_pool_faults(void)
{
	static const size_t reads[] = {
		COFF(codebook_va), COFF(colptr_va), COFF(entries_va),
		COFF(bias_va), COFF(input_va),
	};
	const struct ref_geometry g = { .channels = 2, .in_h = 4, .in_w = 4,
					.kernel_h = 2, .kernel_w = 2,
					.stride_h = 2, .stride_w = 2 };
	struct conv_case c;
	struct rig r;
	uint64_t out_va, ro;
	uint32_t at;

	for (size_t i = 0; i < sizeof(reads) / sizeof(reads[0]); i++) {
		at = small_conv_job(&r, &c, &out_va);
		if (!c.f.bias) {	/* the bias must be there to fault */
			r.cmd[at + COFF(flags)] |= DCACCEL_CONV_F_BIAS;
			dcdev_st64(r.cmd + at + COFF(bias_va), 0x7000000);
		}
		dcdev_st64(r.cmd + at + reads[i], 0x7700000);
		CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
		CHECK_EQ(res.detail, at + reads[i]);
		CHECK_EQ(DCACCEL_FAULT_REASON(res.fault), DCACCEL_FAULT_NOT_PRESENT);
		CHECK(res.fault_va == 0x7700000);
		fixture_free(&c.f);
		guest_free(&r.g);
	}
	/* an output page the device may not write */
	at = small_conv_job(&r, &c, &out_va);
	ro = rig_array(&r, NULL, 2 * out_len(&c), DCACCEL_PTE_READ);
	dcdev_st64(r.cmd + at + COFF(output_va), ro);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.detail, at + COFF(output_va));
	CHECK(res.fault & DCACCEL_FAULT_WRITE);
	CHECK_EQ(DCACCEL_FAULT_REASON(res.fault), DCACCEL_FAULT_PERMISSION);
	fixture_free(&c.f);

	/* the POOL op's input and output */
	r.cmd_len = 0;
	at = add_pool(&r, &g, false, 1, 0x7700000, out_va);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.detail, at + POFF(input_va));
	r.cmd_len = 0;
	at = add_pool(&r, &g, true, 1, out_va, ro);
	CHECK_EQ(rig_run_to_record(&r, &res), DCACCEL_JOB_MMU_FAULT);
	CHECK_EQ(res.detail, at + POFF(output_va));
	CHECK(res.fault & DCACCEL_FAULT_WRITE);
	guest_free(&r.g);
}

/*
 * The job's work limit counts the CONV and POOL ops: pools of a 64 x 64
 * map with 11 x 11 windows, padding 5, cost (hardware.rst, "POOL op")
 * 64 * 64 + 64 * 64 * (121 + 1) = 503808 units each, so two fit in 2^20
 * and the third crosses it; nothing runs, nothing is read.
 */
static void test_work_limit_counts_new_ops(void)
{
	const struct ref_geometry g = { .channels = 1, .in_h = 64, .in_w = 64,
					.kernel_h = 11, .kernel_w = 11,
					.stride_h = 1, .stride_w = 1,
					.pad_h = 5, .pad_w = 5 };
	struct dcdev_op op;
	uint32_t detail;
	struct rig r;
	struct dcdev_entry e;

	rig_init(&r, 4);
	r.caps.max_work_mi = 1;
	for (int i = 0; i < 3; i++)
		add_pool(&r, &g, i & 1, 1, 0x7700000, 0x7800000);
	CHECK_EQ(dcdev_op_decode(r.cmd, r.cmd_len, 0, &r.caps, &op, &detail),
		 DCACCEL_JOB_OK);
	CHECK_EQ(dcdev_op_work(&op), 503808);
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_TOO_LARGE);
	CHECK_EQ(res.detail, 2 * DCACCEL_OP_POOL_SIZE);
	CHECK_EQ(res.ops_done, 0);
	/* two are within the limit: they run, and fault on their input */
	r.cmd_len = 2 * DCACCEL_OP_POOL_SIZE;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_COMPLETE);
	CHECK_EQ(res.status, DCACCEL_JOB_MMU_FAULT);
	guest_free(&r.g);
}

static unsigned int polls_left;

static bool stop_after_polls(void *opaque)
{
	(void)opaque;
	return polls_left ? (polls_left--, false) : true;
}

/* A reset stops the ops mid-way: the job is abandoned, nothing written. */
static void test_reset_stops_conv_and_pool(void)
{
	const struct ref_geometry g = { .channels = 2, .in_h = 5, .in_w = 5,
					.kernel_h = 3, .kernel_w = 3,
					.stride_h = 1, .stride_w = 1 };
	struct conv_case c;
	struct dcdev_entry e;
	struct rig r;
	uint64_t out_va;
	int16_t out[6 * 9];

	small_conv_job(&r, &c, &out_va);
	r.env.cancelled = stop_after_polls;
	/* between ops, before the map, every 16 non-zero inputs */
	for (polls_left = 1; polls_left < 6; polls_left++) {
		unsigned int n = polls_left;

		CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_CANCELLED);
		polls_left = n;
	}
	guest_read_va(&r.g, 1, out_va, out, sizeof(out));
	for (int j = 0; j < 6 * 9; j++)
		CHECK_EQ(out[j], 0);
	r.cmd_len = 0;
	add_pool(&r, &g, false, 1, op_va(&r, 8, COFF(input_va)), out_va);
	polls_left = 2;
	CHECK_EQ(rig_run(&r, 0, &e, &res), DCDEV_CANCELLED);
	guest_read_va(&r.g, 1, out_va, out, sizeof(out));
	for (int j = 0; j < 6 * 9; j++)
		CHECK_EQ(out[j], 0);
	fixture_free(&c.f);
	guest_free(&r.g);
}

static const struct tap_test tests[] = {
	TAP_TEST(test_conv_worked_example),
	TAP_TEST(test_random_convs_match_reference),
	TAP_TEST(test_fc_is_a_1x1_convolution),
	TAP_TEST(test_pool_worked_example),
	TAP_TEST(test_random_pools_match_reference),
	TAP_TEST(test_avg_pool_rounding),
	TAP_TEST(test_small_cnn_job),
	TAP_TEST(test_conv_bad_streams),
	TAP_TEST(test_conv_and_pool_faults),
	TAP_TEST(test_work_limit_counts_new_ops),
	TAP_TEST(test_reset_stops_conv_and_pool),
};

TAP_MAIN(tests)
