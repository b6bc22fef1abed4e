// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: the BITPLANE op (hardware.rst, "BITPLANE op").
 * Random bit-plane layers of every kind pair, with garbage in the padding
 * bits, run on the device and by the host's datapath (the C the device
 * runs, itself tested against the plain sum over the planes' values): the
 * outputs bit-exact, the counters and the cycle model equal. Then
 * malformed ops refused with the spec's status and field, the output
 * untouched.
 */
#include <stdlib.h>

#include "dcaccel_layer.h"
#include "dcaccel/dcaccel_bitplane.h"
#include "dp_bitplane.h"
#include "dp_bitplane_conv.h"
#include "dp_outq.h"
#include "kselftest_harness.h"

#define BOFF(field)	offsetof(struct dcaccel_op_bitplane, field)

/* Offsets in one data BO: weight planes, input planes, bases, bias. */
struct bp_layout {
	uint64_t wp, in, wb, ab, bias, size;
};

struct bp_job {
	struct dp_bitplane l;
	uint32_t batch;
	uint64_t *wp, *in;
	int16_t *wb, ab[8], *want;
	int32_t *bias;
	struct eie_stats stats;
	struct eie_cycles cycles;
	struct bp_layout at;
};

static uint64_t rnd64(struct rng *r)
{
	return (uint64_t)rnd(r, 1u << 31) << 33 ^ (uint64_t)rnd(r, 1u << 31) << 2 ^
	       rnd(r, 4);
}

static void bp_free(struct bp_job *j)
{
	free(j->wp);
	free(j->in);
	free(j->wb);
	free(j->bias);
	free(j->want);
}

/* A random layer and batch for `pes` PEs, and the host datapath's result. */
static int bp_make(struct rng *r, uint32_t pes, struct bp_job *j)
{
	size_t words, wn, in_n;

	memset(j, 0, sizeof(*j));
	j->l = (struct dp_bitplane){
		.rows = 1 + rnd(r, 300), .cols = 1 + rnd(r, 700), .pes = pes,
		.w_planes = 1 + rnd(r, 3), .a_planes = 1 + rnd(r, 3),
		.w_kind = rnd(r, 2), .a_kind = rnd(r, 2),
		.bw_frac = rnd(r, 8), .ba_frac = rnd(r, 8), .relu = rnd(r, 2),
	};
	j->l.out_frac = rnd(r, j->l.bw_frac + j->l.ba_frac + 1);
	if (j->l.out_frac > 15)
		j->l.out_frac = 15;
	j->batch = 1 + rnd(r, 8);
	words = DCACCEL_PLANE_WORDS(j->l.cols);
	wn = (size_t)j->l.w_planes * j->l.rows * words;
	in_n = (size_t)j->batch * j->l.a_planes * words;
	j->wp = malloc(8 * wn);
	j->in = malloc(8 * in_n);
	j->wb = malloc(2 * (size_t)j->l.rows * j->l.w_planes);
	j->bias = rnd(r, 2) ? malloc(4 * (size_t)j->l.rows) : NULL;
	j->want = malloc(2 * (size_t)j->batch * j->l.rows);
	if (!j->wp || !j->in || !j->wb || !j->want)
		return -ENOMEM;
	for (size_t i = 0; i < wn; i++)
		j->wp[i] = rnd64(r);
	for (size_t i = 0; i < in_n; i++)
		j->in[i] = rnd64(r);
	for (size_t i = 0; i < (size_t)j->l.rows * j->l.w_planes; i++)
		j->wb[i] = (int16_t)(rnd(r, 4001) - 2000);
	for (int i = 0; i < j->l.a_planes; i++)
		j->ab[i] = (int16_t)(rnd(r, 4001) - 2000);
	for (uint32_t i = 0; j->bias && i < j->l.rows; i++)
		j->bias[i] = (int32_t)rnd(r, 200001) - 100000;
	j->l.wplanes = j->wp;
	j->l.w_basis = j->wb;
	j->l.a_basis = j->ab;
	j->l.bias = j->bias;
	if (dp_bitplane_validate(&j->l, NULL))
		return -EINVAL;
	dp_bitplane_run(&j->l, j->batch, j->in, j->want, &j->stats, NULL);
	dp_bitplane_model_cycles(&j->l, j->batch, &j->cycles, NULL);

	j->at.wp = 0;
	j->at.in = align64(j->at.wp + 8 * wn);
	j->at.wb = align64(j->at.in + 8 * in_n);
	j->at.ab = align64(j->at.wb + 2 * (size_t)j->l.rows * j->l.w_planes);
	j->at.bias = align64(j->at.ab + 16);
	j->at.size = align64(j->at.bias + 4 * (size_t)j->l.rows);
	return 0;
}

/* The BITPLANE op of j over data at data_va and out at out_va. */
static void bp_put_op(void *dst, const struct bp_job *j, uint64_t data_va,
		      uint64_t out_va)
{
	struct dcaccel_op_bitplane op = {
		.hdr = { .opcode = DCACCEL_OP_BITPLANE,
			 .size = DCACCEL_OP_BITPLANE_SIZE },
		.rows = j->l.rows, .cols = j->l.cols, .pes = j->l.pes,
		.batch = j->batch, .w_planes = j->l.w_planes,
		.a_planes = j->l.a_planes, .w_kind = j->l.w_kind,
		.a_kind = j->l.a_kind, .bw_frac = j->l.bw_frac,
		.ba_frac = j->l.ba_frac, .out_frac = j->l.out_frac,
		.flags = (j->l.relu ? DCACCEL_BITPLANE_F_RELU : 0) |
			 (j->bias ? DCACCEL_BITPLANE_F_BIAS : 0),
		.wplanes_va = data_va + j->at.wp,
		.w_basis_va = data_va + j->at.wb,
		.a_basis_va = data_va + j->at.ab,
		.bias_va = j->bias ? data_va + j->at.bias : 0,
		.input_va = data_va + j->at.in,
		.output_va = out_va,
	};

	memcpy(dst, &op, sizeof(op));
}

FIXTURE(dev) {
	int fd;
	uint32_t pes;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	self->pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* Submit j (op possibly spoiled by the caller): status and record. */
static int bp_run(int fd, struct bp_job *j, struct dc_bo *cmd,
		  struct dc_bo *data, struct dc_bo *out,
		  struct drm_dcaccel_wait_job *w)
{
	uint32_t handles[2] = { data->handle, out->handle };
	uint64_t job;
	int ret = dc_submit(fd, cmd, 0, DCACCEL_OP_BITPLANE_SIZE, handles, 2,
			    NULL, 0, 0, &job);

	return ret ? ret : dc_wait_job(fd, job, 30 * DC_SEC, w);
}

static int bp_place(int fd, struct bp_job *j, struct dc_bo *cmd,
		    struct dc_bo *data, struct dc_bo *out)
{
	size_t words = DCACCEL_PLANE_WORDS(j->l.cols);
	char *d;

	if (dc_bo_create(fd, 4096, 0, cmd) ||
	    dc_bo_create(fd, j->at.size, DRM_DCACCEL_BO_DEVICE_READ_ONLY, data) ||
	    dc_bo_create(fd, 2 * (uint64_t)j->batch * j->l.rows + 64, 0, out))
		return -1;
	d = data->map;
	memcpy(d + j->at.wp, j->wp, 8 * (size_t)j->l.w_planes * j->l.rows * words);
	memcpy(d + j->at.in, j->in, 8 * (size_t)j->batch * j->l.a_planes * words);
	memcpy(d + j->at.wb, j->wb, 2 * (size_t)j->l.rows * j->l.w_planes);
	memcpy(d + j->at.ab, j->ab, 2 * (size_t)j->l.a_planes);
	if (j->bias)
		memcpy(d + j->at.bias, j->bias, 4 * (size_t)j->l.rows);
	memset(out->map, 0x5a, out->size);
	bp_put_op(cmd->map, j, data->va, out->va);
	return 0;
}

TEST_F_TIMEOUT(dev, random_layers_bit_exact, 300)
{
	struct rng r = { .s = 0xb17 };

	for (int round = 0; round < 40; round++) {
		struct drm_dcaccel_wait_job w;
		struct dc_bo cmd, data, out;
		struct bp_job j;

		ASSERT_EQ(0, bp_make(&r, self->pes, &j));
		ASSERT_EQ(0, bp_place(self->fd, &j, &cmd, &data, &out));
		ASSERT_EQ(0, bp_run(self->fd, &j, &cmd, &data, &out, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		if (memcmp(out.map, j.want, 2 * (size_t)j.batch * j.l.rows))
			TH_LOG("round %d: %ux%u Kw %u Ka %u kinds %u/%u batch %u",
			       round, j.l.rows, j.l.cols, j.l.w_planes,
			       j.l.a_planes, j.l.w_kind, j.l.a_kind, j.batch);
		EXPECT_EQ(0, memcmp(out.map, j.want,
				    2 * (size_t)j.batch * j.l.rows));
		EXPECT_EQ(j.stats.entries, w.stats.entries);
		EXPECT_EQ(j.stats.macs, w.stats.macs);
		EXPECT_EQ(j.stats.nonzero_acts, w.stats.nonzero_acts);
		EXPECT_EQ(j.cycles.cycles, w.stats.cycles);
		EXPECT_EQ(j.cycles.busy, w.stats.pe_busy_total);
		dc_bo_destroy(self->fd, &cmd);
		dc_bo_destroy(self->fd, &data);
		dc_bo_destroy(self->fd, &out);
		bp_free(&j);
	}
}

/*
 * A QUANT op turns 16-bit values into Ka planes and the BITPLANE op after
 * it in the same job reads them: the planes and the outputs are the host
 * datapath's (dp_outq_pack_fc, dp_bitplane_run), the layer after layer of
 * a low-bit network without the host between.
 */
TEST_F_TIMEOUT(dev, quant_op_feeds_a_bitplane_op, 300)
{
	struct rng r = { .s = 0x9a4 };

	for (int round = 0; round < 20; round++) {
		struct drm_dcaccel_wait_job w;
		struct dc_bo cmd, data, out, qdata, planes;
		struct bp_job j;
		struct dp_outq q;
		int16_t thr[255];
		uint8_t codes[256];
		uint32_t handles[4], levels;
		size_t words, n_in, n_planes;
		int16_t *y;
		uint64_t job;
		char *d;

		ASSERT_EQ(0, bp_make(&r, self->pes, &j));
		words = DCACCEL_PLANE_WORDS(j.l.cols);
		q.bits = j.l.a_planes;
		levels = 1u << q.bits;
		for (uint32_t l = 0; l + 1 < levels; l++)	/* non-decreasing */
			thr[l] = (int16_t)((int)l * 4000 / (int)levels - 2000 +
					   (int)rnd(&r, 20));
		for (uint32_t l = 1; l + 1 < levels; l++)
			if (thr[l] < thr[l - 1])
				thr[l] = thr[l - 1];
		for (uint32_t l = 0; l < levels; l++)
			codes[l] = (uint8_t)rnd(&r, levels);
		q.thr = thr;
		q.codes = codes;
		n_in = (size_t)j.batch * j.l.cols;
		n_planes = (size_t)j.batch * j.l.a_planes * words;
		y = malloc(2 * n_in);
		ASSERT_NE(NULL, y);
		for (size_t i = 0; i < n_in; i++)
			y[i] = (int16_t)(rnd(&r, 5001) - 2500);
		/* what the device must compute: the planes, then the layer */
		dp_outq_pack_fc(&q, j.l.cols, j.batch, y, j.in);
		dp_bitplane_run(&j.l, j.batch, j.in, j.want, NULL, NULL);

		ASSERT_EQ(0, bp_place(self->fd, &j, &cmd, &data, &out));
		ASSERT_EQ(0, dc_bo_create(self->fd, align64(2 * n_in) + 1024,
					  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &qdata));
		ASSERT_EQ(0, dc_bo_create(self->fd, 8 * n_planes, 0, &planes));
		d = qdata.map;
		memcpy(d, y, 2 * n_in);
		memcpy(d + align64(2 * n_in), thr, 2 * (levels - 1));
		memcpy(d + align64(2 * n_in) + 512, codes, levels);
		memset(planes.map, 0xa5, planes.size);
		{
			struct dcaccel_op_quant qop = {
				.hdr = { .opcode = DCACCEL_OP_QUANT,
					 .size = DCACCEL_OP_QUANT_SIZE },
				.channels = j.l.cols, .pixels = 1,
				.batch = j.batch, .bits = q.bits,
				.thr_va = qdata.va + align64(2 * n_in),
				.codes_va = qdata.va + align64(2 * n_in) + 512,
				.input_va = qdata.va, .output_va = planes.va,
			};
			struct dcaccel_op_bitplane *bop;

			memcpy(cmd.map, &qop, sizeof(qop));
			bp_put_op((char *)cmd.map + sizeof(qop), &j, data.va, out.va);
			bop = (void *)((char *)cmd.map + sizeof(qop));
			bop->input_va = planes.va;
		}
		handles[0] = data.handle;
		handles[1] = out.handle;
		handles[2] = qdata.handle;
		handles[3] = planes.handle;
		ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0,
				       DCACCEL_OP_QUANT_SIZE + DCACCEL_OP_BITPLANE_SIZE,
				       handles, 4, NULL, 0, 0, &job));
		ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		if (memcmp(planes.map, j.in, 8 * n_planes) ||
		    memcmp(out.map, j.want, 2 * (size_t)j.batch * j.l.rows))
			TH_LOG("round %d: %u values, Ko %u, %ux%u kinds %u/%u batch %u",
			       round, j.l.cols, q.bits, j.l.rows, j.l.cols,
			       j.l.w_kind, j.l.a_kind, j.batch);
		EXPECT_EQ(0, memcmp(planes.map, j.in, 8 * n_planes));
		EXPECT_EQ(0, memcmp(out.map, j.want,
				    2 * (size_t)j.batch * j.l.rows));
		dc_bo_destroy(self->fd, &cmd);
		dc_bo_destroy(self->fd, &data);
		dc_bo_destroy(self->fd, &out);
		dc_bo_destroy(self->fd, &qdata);
		dc_bo_destroy(self->fd, &planes);
		free(y);
		bp_free(&j);
	}
}

/*
 * Random bit-plane convolutions (BITPLANE_CONV): the output maps, the
 * statistics and the cycles are the host datapath's.
 */
TEST_F_TIMEOUT(dev, random_convs_bit_exact, 300)
{
	struct rng r = { .s = 0xc0f };

	for (int round = 0; round < 20; round++) {
		struct drm_dcaccel_wait_job w;
		struct dc_bo cmd, data, out;
		struct dp_bitplane_conv c;
		struct eie_stats st = { 0 };
		struct eie_cycles cy = { 0 };
		struct bp_job j;	/* its planes, bases and bias, reshaped */
		size_t lc, wn, in_n, out_n;
		uint64_t o_in, o_wb, o_ab, o_bias, job;
		uint64_t *wp, *in;
		int16_t *want;
		void *ws;
		char *d;

		ASSERT_EQ(0, bp_make(&r, self->pes, &j));
		c.l = j.l;
		c.l.rows = 1 + rnd(&r, 24);	/* K filters of C = cols channels */
		c.l.cols = 1 + rnd(&r, 140);
		c.win = (struct dp_window){
			.kernel_h = 1 + rnd(&r, 3), .kernel_w = 1 + rnd(&r, 3),
			.stride_h = 1 + rnd(&r, 2), .stride_w = 1 + rnd(&r, 2),
		};
		c.win.pad_h = rnd(&r, c.win.kernel_h);
		c.win.pad_w = rnd(&r, c.win.kernel_w);
		c.win.in_h = c.win.kernel_h + rnd(&r, 6);
		c.win.in_w = c.win.kernel_w + rnd(&r, 6);
		lc = DCACCEL_PLANE_WORDS(c.l.cols);
		wn = (size_t)c.l.w_planes * c.l.rows * c.win.kernel_h *
		     c.win.kernel_w * lc;
		in_n = (size_t)j.batch * c.l.a_planes * c.win.in_h * c.win.in_w * lc;
		out_n = (size_t)j.batch * c.l.rows * dp_window_out_h(&c.win) *
			dp_window_out_w(&c.win);
		wp = malloc(8 * wn);
		in = malloc(8 * in_n);
		want = malloc(2 * out_n);
		ASSERT_TRUE(wp && in && want);
		for (size_t i = 0; i < wn; i++)
			wp[i] = rnd64(&r);
		for (size_t i = 0; i < in_n; i++)
			in[i] = rnd64(&r);
		/* the layer's bases and bias cover K <= its rows: reuse them */
		if (c.l.rows > j.l.rows)
			c.l.rows = j.l.rows;
		wn = (size_t)c.l.w_planes * c.l.rows * c.win.kernel_h *
		     c.win.kernel_w * lc;
		out_n = (size_t)j.batch * c.l.rows * dp_window_out_h(&c.win) *
			dp_window_out_w(&c.win);
		c.l.wplanes = wp;
		ASSERT_EQ(0, dp_bitplane_conv_validate(&c, NULL));
		ws = malloc(dp_bitplane_conv_ws_size(&c));
		ASSERT_NE(NULL, ws);
		ASSERT_EQ(0, dp_bitplane_conv_run(&c, j.batch, in, want, ws, &st,
						  NULL));
		free(ws);
		dp_bitplane_conv_model_cycles(&c, j.batch, &cy, NULL);

		o_in = align64(8 * wn);
		o_wb = align64(o_in + 8 * in_n);
		o_ab = align64(o_wb + 2 * (size_t)c.l.rows * c.l.w_planes);
		o_bias = align64(o_ab + 16);
		ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
		ASSERT_EQ(0, dc_bo_create(self->fd, o_bias + 4 * (size_t)c.l.rows + 64,
					  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &data));
		ASSERT_EQ(0, dc_bo_create(self->fd, 2 * out_n + 64, 0, &out));
		d = data.map;
		memcpy(d, wp, 8 * wn);
		memcpy(d + o_in, in, 8 * in_n);
		memcpy(d + o_wb, c.l.w_basis, 2 * (size_t)c.l.rows * c.l.w_planes);
		memcpy(d + o_ab, c.l.a_basis, 2 * (size_t)c.l.a_planes);
		if (c.l.bias)
			memcpy(d + o_bias, c.l.bias, 4 * (size_t)c.l.rows);
		memset(out.map, 0x5a, out.size);
		{
			struct dcaccel_op_bitplane_conv op = {
				.hdr = { .opcode = DCACCEL_OP_BITPLANE_CONV,
					 .size = DCACCEL_OP_BITPLANE_CONV_SIZE },
				.in_channels = c.l.cols, .in_height = c.win.in_h,
				.in_width = c.win.in_w,
				.kernel_h = c.win.kernel_h, .kernel_w = c.win.kernel_w,
				.stride_h = c.win.stride_h, .stride_w = c.win.stride_w,
				.pad_h = c.win.pad_h, .pad_w = c.win.pad_w,
				.out_channels = c.l.rows, .pes = c.l.pes,
				.batch = j.batch, .w_planes = c.l.w_planes,
				.a_planes = c.l.a_planes, .w_kind = c.l.w_kind,
				.a_kind = c.l.a_kind, .bw_frac = c.l.bw_frac,
				.ba_frac = c.l.ba_frac, .out_frac = c.l.out_frac,
				.flags = (c.l.relu ? DCACCEL_BITPLANE_F_RELU : 0) |
					 (c.l.bias ? DCACCEL_BITPLANE_F_BIAS : 0),
				.wplanes_va = data.va, .w_basis_va = data.va + o_wb,
				.a_basis_va = data.va + o_ab,
				.bias_va = c.l.bias ? data.va + o_bias : 0,
				.input_va = data.va + o_in, .output_va = out.va,
			};
			uint32_t handles[2] = { data.handle, out.handle };

			memcpy(cmd.map, &op, sizeof(op));
			ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, sizeof(op),
					       handles, 2, NULL, 0, 0, &job));
		}
		ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		if (memcmp(out.map, want, 2 * out_n))
			TH_LOG("round %d: K %u C %u %ux%u kernel %ux%u stride %u/%u pad %u/%u",
			       round, c.l.rows, c.l.cols, c.win.in_h, c.win.in_w,
			       c.win.kernel_h, c.win.kernel_w, c.win.stride_h,
			       c.win.stride_w, c.win.pad_h, c.win.pad_w);
		EXPECT_EQ(0, memcmp(out.map, want, 2 * out_n));
		EXPECT_EQ(st.macs, w.stats.macs);
		EXPECT_EQ(cy.cycles, w.stats.cycles);
		dc_bo_destroy(self->fd, &cmd);
		dc_bo_destroy(self->fd, &data);
		dc_bo_destroy(self->fd, &out);
		free(wp);
		free(in);
		free(want);
		bp_free(&j);
	}
}

/* A bad field fails the job as the spec says; nothing is written. */
TEST_F(dev, bad_bitplane_ops_refused_as_specified)
{
	static const struct {
		size_t field;
		unsigned int width;
		uint64_t value;
		uint32_t status;	/* DRM_DCACCEL_JOB_* */
	} cases[] = {
		{ BOFF(rows), 4, 0, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(rows), 4, 65537, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(w_planes), 1, 9, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(a_kind), 1, 2, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(out_frac), 1, 16, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(flags), 1, 0x80, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(wplanes_va), 1, 4, DRM_DCACCEL_JOB_BAD_COMMAND },
		{ BOFF(reserved0), 1, 1, DRM_DCACCEL_JOB_BAD_COMMAND },
	};
	struct rng r = { .s = 0xbad };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct drm_dcaccel_wait_job w;
		struct dc_bo cmd, data, out;
		struct bp_job j;
		uint8_t *op;

		ASSERT_EQ(0, bp_make(&r, self->pes, &j));
		ASSERT_EQ(0, bp_place(self->fd, &j, &cmd, &data, &out));
		op = cmd.map;
		for (unsigned int b = 0; b < cases[i].width; b++)
			op[cases[i].field + b] = (uint8_t)(cases[i].value >> (8 * b));
		ASSERT_EQ(0, bp_run(self->fd, &j, &cmd, &data, &out, &w));
		EXPECT_EQ(cases[i].status, w.status);
		EXPECT_EQ(0x5a, ((uint8_t *)out.map)[0]);
		dc_bo_destroy(self->fd, &cmd);
		dc_bo_destroy(self->fd, &data);
		dc_bo_destroy(self->fd, &out);
		bp_free(&j);
	}
}

TEST_HARNESS_MAIN
