// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: the CONV and POOL ops. Random convolutions and
 * poolings, and random small CNNs (conv, pool, conv, pool, FC, FC as one
 * command buffer over intermediate BOs that only the device reads and
 * writes), computed on the device and by the host's datapath (the same C
 * the device runs): outputs bit-exact, counters and modeled cycles equal.
 * Then every kind of bad CONV and POOL field: the job fails with the
 * status hardware.rst names for it, at the field it names (read from the
 * device's last status in debugfs), and a bad op runs nothing of its job.
 */
#include "dcaccel_cnn.h"
#include "kselftest_harness.h"

/* Wait for a job: 0 or -errno. */
static int wait_done(int fd, uint64_t job, struct drm_dcaccel_wait_job *w)
{
	return dc_wait_job(fd, job, 60 * DC_SEC, w);
}

/* Bytes compared, and the first mismatch logged. */
static size_t mismatches(const int16_t *got, const int16_t *want, size_t n)
{
	size_t bad = 0, i;

	for (i = 0; i < n; i++) {
		if (got[i] != want[i] && !bad++)
			fprintf(stderr, "# first mismatch at %zu: device %d host %d\n",
				i, got[i], want[i]);
	}
	return bad;
}

/* The filters and the input maps in one read-only BO. */
struct placed {
	struct dc_bo data, out, cmd;
	struct dcaccel_op_conv op;
};

/*
 * Place a convolution and its input maps in BOs of fd and fill op; out is
 * filled with 0x5a. The caller submits (and may change op first).
 */
static int place_conv(int fd, const struct conv_layer *l, uint32_t batch,
		      const int16_t *in, struct placed *p)
{
	size_t in_b = 2 * conv_in_n(l) * batch, out_b = 2 * conv_out_n(l) * batch;
	struct bo_pack pk = { .bo = &p->data };
	int ret;

	memset(p, 0, sizeof(*p));
	ret = dc_bo_create(fd, filters_bytes(&l->c.filters) + align64(in_b) + 64,
			   DRM_DCACCEL_BO_DEVICE_READ_ONLY, &p->data);
	if (!ret)
		ret = dc_bo_create(fd, out_b, 0, &p->out);
	if (!ret)
		ret = dc_bo_create(fd, 4096, DRM_DCACCEL_BO_DEVICE_READ_ONLY,
				   &p->cmd);
	if (ret)
		return ret;
	conv_op_from(&l->c, batch, &p->op);
	ret = bo_put_filters(&pk, &l->c.filters, &p->op.codebook_va,
			     &p->op.colptr_va, &p->op.entries_va,
			     &p->op.bias_va);
	p->op.input_va = bo_put(&pk, in, in_b);
	p->op.output_va = p->out.va;
	memset(p->out.map, 0x5a, out_b);
	return ret ? ret : p->op.input_va ? 0 : -ENOSPC;
}

static void unplace(int fd, struct placed *p)
{
	dc_bo_destroy(fd, &p->data);
	dc_bo_destroy(fd, &p->out);
	dc_bo_destroy(fd, &p->cmd);
}

/* Submit `len` bytes of p->cmd at offset 0, listing data and out; wait. */
static int run_cmd(int fd, struct placed *p, uint32_t len,
		   struct drm_dcaccel_wait_job *w)
{
	uint32_t handles[2] = { p->data.handle, p->out.handle };
	uint64_t job;
	int ret = dc_submit(fd, &p->cmd, 0, len, handles, 2, NULL, 0, 0, &job);

	return ret ? ret : wait_done(fd, job, w);
}

FIXTURE(dev) {
	int fd;
	struct conv_limits lim;
	uint32_t max_dim, max_batch;
	uint64_t va_start;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	self->lim = (struct conv_limits){
		.pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES),
		.queue = dc_param(self->fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH),
		.wbits = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_WBITS),
		.zbits = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_ZBITS),
		.max_c = 6, .max_hw = 16, .max_k = 70,
		.max_kernel = DCACCEL_KERNEL_MAX, .max_stride = 3,
	};
	self->max_dim = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_DIM);
	self->max_batch = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_BATCH);
	self->va_start = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/*
 * Random convolutions, one per job; the first is a 1 x 1 map under a
 * 1 x 1 kernel, which is also the FC layer of its filters.
 */
TEST_F_TIMEOUT(dev, random_conv_layers_bit_exact, 600)
{
	struct rng r = { .s = 0xc0417 };
	int i;

	for (i = 0; i < 20; i++) {
		struct conv_shape s = {
			.in_ch = 1 + rnd(&r, self->lim.max_c),
			.out_ch = 1 + rnd(&r, self->lim.max_k),
			.density = 1 + rnd(&r, 60), .cb_range = 2048,
			.in_frac = 8, .out_frac = rnd(&r, 12),
		};
		struct drm_dcaccel_wait_job w;
		struct eie_stats st = { 0 };
		struct eie_cycles cy = { 0 };
		struct conv_layer l;
		struct placed p;
		uint32_t batch = 1 + rnd(&r, 2);
		int16_t *in, *want;

		random_window(&r, &self->lim, &s.win);
		if (i == 0)
			s.win = (struct dp_window){ 1, 1, 1, 1, 1, 1, 0, 0 };
		ASSERT_EQ(0, make_conv_layer(&r, &self->lim, &s, &l));
		in = random_maps(&r, conv_in_n(&l) * batch, 4096);
		want = calloc(conv_out_n(&l) * batch, 2);
		ASSERT_TRUE(in && want);
		ASSERT_EQ(0, host_conv(&l, self->lim.queue, batch, in, want,
				       &st, &cy, NULL));
		TH_LOG("conv %d: %ux%ux%u -> %u, %ux%u/%u,%u pad %u,%u, %u entries, batch %u, wbits %u zbits %u",
		       i, s.in_ch, s.win.in_h, s.win.in_w, s.out_ch,
		       s.win.kernel_h, s.win.kernel_w, s.win.stride_h,
		       s.win.stride_w, s.win.pad_h, s.win.pad_w,
		       l.c.filters.entry_count, batch, l.c.filters.wbits,
		       l.c.filters.zbits);
		if (i == 0) {
			/* the FC layer of the filters: same outputs, cycles */
			struct eie_stats fst = { 0 };
			struct eie_cycles fcy = { 0 };
			int16_t *fc = calloc(conv_out_n(&l) * batch, 2);
			void *ws = malloc(eie_run_ws_size(&l.c.filters) +
					  eie_cycles_ws_size(self->lim.pes,
							     self->lim.queue));

			ASSERT_TRUE(fc && ws);
			eie_run(&l.c.filters, batch, in, fc, ws, &fst);
			ASSERT_EQ(0, eie_model_cycles(&l.c.filters,
						      self->lim.queue, batch,
						      in, ws, &fcy, NULL));
			EXPECT_EQ(0, mismatches(fc, want, conv_out_n(&l) * batch));
			EXPECT_EQ(fst.entries, st.entries);
			EXPECT_EQ(fcy.cycles, cy.cycles);
			free(fc);
			free(ws);
		}

		ASSERT_EQ(0, place_conv(self->fd, &l, batch, in, &p));
		memcpy(p.cmd.map, &p.op, sizeof(p.op));
		ASSERT_EQ(0, run_cmd(self->fd, &p, sizeof(p.op), &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		EXPECT_EQ(0, mismatches(p.out.map, want,
					conv_out_n(&l) * batch));
		EXPECT_EQ(st.nonzero_acts, w.stats.nonzero_acts);
		EXPECT_EQ(st.entries, w.stats.entries);
		EXPECT_EQ(st.macs, w.stats.macs);
		EXPECT_EQ(cy.cycles, w.stats.cycles);
		EXPECT_EQ(cy.busy, w.stats.pe_busy_total);
		unplace(self->fd, &p);
		free_conv_layer(&l);
		free(in);
		free(want);
	}
}

/* Random max and average poolings, one per job. */
TEST_F_TIMEOUT(dev, random_pool_layers_bit_exact, 300)
{
	struct rng r = { .s = 0x9001 };
	int i;

	for (i = 0; i < 20; i++) {
		struct dp_pool pool = {
			.channels = 1 + rnd(&r, 40),
			.mode = rnd(&r, 2) ? DCACCEL_POOL_AVG : DCACCEL_POOL_MAX,
		};
		uint32_t batch = 1 + rnd(&r, 3), oh, ow;
		struct drm_dcaccel_wait_job w;
		struct eie_cycles cy = { 0 };
		struct dcaccel_op_pool op;
		struct dc_bo in_bo, out_bo, cmd;
		uint32_t handles[2];
		size_t in_n, out_n;
		int16_t *want;
		uint64_t job;

		random_window(&r, &self->lim, &pool.win);
		ASSERT_EQ(0, dp_pool_validate(&pool, NULL));
		oh = dp_window_out_h(&pool.win);
		ow = dp_window_out_w(&pool.win);
		in_n = (size_t)batch * pool.channels * pool.win.in_h *
		       pool.win.in_w;
		out_n = (size_t)batch * pool.channels * oh * ow;
		ASSERT_EQ(0, dc_bo_create(self->fd, 2 * in_n,
					  DRM_DCACCEL_BO_DEVICE_READ_ONLY,
					  &in_bo));
		ASSERT_EQ(0, dc_bo_create(self->fd, 2 * out_n, 0, &out_bo));
		ASSERT_EQ(0, dc_bo_create(self->fd, 4096,
					  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &cmd));
		{
			int16_t *in = random_maps(&r, in_n, 32767);

			ASSERT_TRUE(in != NULL);
			memcpy(in_bo.map, in, 2 * in_n);
			want = calloc(out_n, 2);
			ASSERT_TRUE(want != NULL);
			ASSERT_EQ(0, dp_pool_run(&pool, batch, in, want, NULL));
			free(in);
		}
		dp_pool_model_cycles(&pool, self->lim.pes, batch, &cy, NULL);
		TH_LOG("pool %d: %s %ux%ux%u, %ux%u/%u,%u pad %u,%u, batch %u",
		       i, pool.mode ? "avg" : "max", pool.channels,
		       pool.win.in_h, pool.win.in_w, pool.win.kernel_h,
		       pool.win.kernel_w, pool.win.stride_h, pool.win.stride_w,
		       pool.win.pad_h, pool.win.pad_w, batch);
		pool_op_from(&pool, batch, &op);
		op.input_va = in_bo.va;
		op.output_va = out_bo.va;
		memcpy(cmd.map, &op, sizeof(op));
		memset(out_bo.map, 0x5a, 2 * out_n);
		handles[0] = in_bo.handle;
		handles[1] = out_bo.handle;
		ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, sizeof(op), handles,
				       2, NULL, 0, 0, &job));
		ASSERT_EQ(0, wait_done(self->fd, job, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		EXPECT_EQ(0, mismatches(out_bo.map, want, out_n));
		EXPECT_EQ(cy.cycles, w.stats.cycles);
		EXPECT_EQ(cy.busy, w.stats.pe_busy_total);
		EXPECT_EQ(0, w.stats.nonzero_acts);
		EXPECT_EQ(0, w.stats.entries);
		dc_bo_destroy(self->fd, &in_bo);
		dc_bo_destroy(self->fd, &out_bo);
		dc_bo_destroy(self->fd, &cmd);
		free(want);
	}
}

/*
 * Random small CNNs, each one job of six ops over intermediate BOs: the
 * host sees only the input it wrote and the scores the last op wrote.
 */
TEST_F_TIMEOUT(dev, random_cnn_one_job_bit_exact, 600)
{
	struct rng r = { .s = 0xc11 };
	int i;

	for (i = 0; i < 4; i++) {
		struct drm_dcaccel_wait_job w;
		struct cnn n;

		ASSERT_EQ(0, cnn_make(&r, &self->lim, &n));
		TH_LOG("cnn %d: %ux%ux%u, conv %u %ux%u, %s pool, conv %u %ux%u, %s pool, fc %u, fc %u, batch %u",
		       i, n.conv[0].c.in_channels, n.conv[0].c.win.in_h,
		       n.conv[0].c.win.in_w, n.conv[0].c.filters.rows,
		       n.conv[0].c.win.kernel_h, n.conv[0].c.win.kernel_w,
		       n.pool[0].mode ? "avg" : "max", n.conv[1].c.filters.rows,
		       n.conv[1].c.win.kernel_h, n.conv[1].c.win.kernel_w,
		       n.pool[1].mode ? "avg" : "max", n.fc[0].c.filters.rows,
		       n.fc[1].c.filters.rows, n.batch);
		ASSERT_EQ(0, cnn_host(&n, self->lim.pes, self->lim.queue));
		ASSERT_EQ(0, cnn_on_device(self->fd, &n, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		EXPECT_EQ(0, mismatches(n.got, n.want, cnn_out_n(&n)));
		EXPECT_EQ(n.st.nonzero_acts, w.stats.nonzero_acts);
		EXPECT_EQ(n.st.entries, w.stats.entries);
		EXPECT_EQ(n.st.macs, w.stats.macs);
		EXPECT_EQ(n.cy.cycles, w.stats.cycles);
		EXPECT_EQ(n.cy.busy, w.stats.pe_busy_total);
		cnn_free(&n);
	}
}

/* One change to a good op: up to two fields, and what the device says. */
struct bad_case {
	const char *what;
	uint32_t off, size;
	uint64_t val;		/* a value, or added to the field with ADD */
	uint32_t off2, size2;	/* size2 0: no second field */
	uint64_t val2;
	uint32_t status;	/* DCACCEL_JOB_* */
	int detail_field;	/* detail is the op's offset + this, -1: + off */
	unsigned int flags;
};

#define ADD	1u	/* val is added to the field (misalign a VA) */
#define CAPS	2u	/* val is relative to a cap: filled in at run time */

static void poke(uint8_t *op, uint32_t off, uint32_t size, uint64_t val,
		 bool add)
{
	uint64_t v = 0;

	memcpy(&v, op + off, size);
	v = add ? v + val : val;
	memcpy(op + off, &v, size);
}

#define CO(f)	offsetof(struct dcaccel_op_conv, f)
#define CS(f)	sizeof(((struct dcaccel_op_conv *)0)->f)
#define PO(f)	offsetof(struct dcaccel_op_pool, f)
#define PS(f)	sizeof(((struct dcaccel_op_pool *)0)->f)
#define BAD	DCACCEL_JOB_BAD_COMMAND
#define BIG	DCACCEL_JOB_TOO_LARGE
#define C1(f, v, st)		{ #f " " #v, CO(f), CS(f), v, 0, 0, 0, st, -1, 0 }
#define C2(w, f, v, g, u, st, d) { w, CO(f), CS(f), v, CO(g), CS(g), u, st, d, 0 }
#define P1(f, v, st)		{ #f " " #v, PO(f), PS(f), v, 0, 0, 0, st, -1, 0 }

/*
 * The good op these change (good_conv in the test below): 2 x 8 x 8 maps,
 * 8 filters of 3 x 3, stride 1, pad 1, 5-bit indices and 4-bit row
 * skips (two-byte entries), in_frac 8, w_frac 8, bias and ReLU.
 */
static const struct bad_case conv_cases[] = {
	{ "size 104", CO(hdr.size), 4, 104, 0, 0, 0, BAD, -1, 0 },
	C1(in_channels, 0, BAD),
	{ "in_channels over MAX_DIM", CO(in_channels), 4, 1, 0, 0, 0, BIG, -1, CAPS },
	C1(in_height, 0, BAD),
	C1(in_height, 4097, BIG),
	C1(in_width, 0, BAD),
	C1(in_width, 4097, BIG),
	C1(kernel_h, 0, BAD),
	C1(kernel_h, 12, BAD),
	C1(kernel_w, 0, BAD),
	C1(kernel_w, 12, BAD),
	{ "C R S over MAX_DIM", CO(in_channels), 4, 0, 0, 0, 0, BIG,
	  CO(kernel_w), CAPS },
	C1(stride_h, 0, BAD),
	C1(stride_h, 9, BAD),
	C1(stride_w, 0, BAD),
	C1(stride_w, 9, BAD),
	C1(pad_h, 3, BAD),
	C1(pad_w, 3, BAD),
	C2("in_height 1 pad_h 0 (window over the map)", in_height, 1, pad_h, 0,
	   BAD, CO(pad_h)),
	C2("in_width 1 pad_w 0 (window over the map)", in_width, 1, pad_w, 0,
	   BAD, CO(pad_w)),
	C1(reserved0, 1, BAD),
	C1(out_channels, 0, BAD),
	{ "out_channels over MAX_DIM", CO(out_channels), 4, 1, 0, 0, 0, BIG, -1,
	  CAPS },
	C2("K OH OW over 2^22", out_channels, 65536, in_height, 16, BIG,
	   CO(out_channels)),
	{ "pes + 1", CO(pes), 4, 1, 0, 0, 0, BAD, -1, ADD },
	C1(batch, 0, BAD),
	{ "batch over MAX_BATCH", CO(batch), 4, 1, 0, 0, 0, BIG, -1, CAPS },
	C1(wbits, 0, BAD),
	C1(wbits, 9, BAD),
	C1(zbits, 0, BAD),
	C1(zbits, 9, BAD),
	C1(in_frac, 16, BAD),
	C1(w_frac, 16, BAD),
	C1(out_frac, 16, BAD),
	C2("out_frac over in_frac + w_frac", in_frac, 2, out_frac, 11, BAD,
	   CO(out_frac)),
	C1(flags, 8, BAD),	/* bit 2 is CONV_F_INPUT_F32 */
	C1(reserved1, 1, BAD),
	C1(codebook_len, 0, BAD),
	C1(codebook_len, 33, BAD),
	C1(entry_count, DCACCEL_MAX_ENTRIES + 1, BIG),
	{ "codebook_va odd", CO(codebook_va), 8, 1, 0, 0, 0, BAD, -1, ADD },
	{ "colptr_va + 2", CO(colptr_va), 8, 2, 0, 0, 0, BAD, -1, ADD },
	{ "entries_va odd (2-byte entries)", CO(entries_va), 8, 1, 0, 0, 0,
	  BAD, -1, ADD },
	{ "bias_va + 2", CO(bias_va), 8, 2, 0, 0, 0, BAD, -1, ADD },
	{ "bias_va without CONV_F_BIAS", CO(flags), 1, DCACCEL_CONV_F_RELU,
	  0, 0, 0, BAD, CO(bias_va), 0 },
	{ "input_va odd", CO(input_va), 8, 1, 0, 0, 0, BAD, -1, ADD },
	/* float inputs are 4-aligned */
	{ "input_va + 2 with CONV_F_INPUT_F32", CO(input_va), 8, 2, CO(flags),
	  1, DCACCEL_CONV_F_RELU | DCACCEL_CONV_F_BIAS | DCACCEL_CONV_F_INPUT_F32,
	  BAD, -1, ADD },
	{ "output_va odd", CO(output_va), 8, 1, 0, 0, 0, BAD, -1, ADD },
	C1(reserved2, 1, BAD),
	/* 4 maps of 1 x 4096 x 4096 move 128 MiB: the op's offset */
	{ "bytes over MAX_OP_MB", CO(in_height), 4, 4096, CO(in_width), 4,
	  4096, BIG, 0, 0 },
};

/*
 * Submit op (size bytes) after a NOP at offset 8; the device's verdict.
 * ran: the op computed before it failed (a fault writing its outputs),
 * so that its cycles count (hardware.rst, "Completion record").
 */
static void expect_refused(struct __test_metadata *_metadata, int fd,
			   struct placed *p, const void *op, uint32_t size,
			   const char *what, uint32_t want_status,
			   uint32_t want_detail, bool ran)
{
	struct drm_dcaccel_wait_job w;
	uint32_t status = ~0u, detail = ~0u;

	dc_put_nop(&p->cmd, 0);
	memcpy((char *)p->cmd.map + 8, op, size);
	memset(p->out.map, 0x5a, p->out.size);
	ASSERT_EQ(0, run_cmd(fd, p, 8 + size, &w));
	TH_LOG("%s: status %u", what, w.status);
	EXPECT_EQ(want_status == DCACCEL_JOB_MMU_FAULT ?
		  DRM_DCACCEL_JOB_MMU_FAULT : DRM_DCACCEL_JOB_BAD_COMMAND,
		  w.status);
	/* refused before it ran, or faulted before its outputs were computed */
	if (!ran)
		EXPECT_EQ(0, w.stats.cycles);
	if (dc_last_status(fd, &status, &detail)) {
		TH_LOG("no debugfs: the device's status is not checked");
		return;
	}
	EXPECT_EQ(want_status, status);
	EXPECT_EQ(want_detail, detail);
	/* nothing of the job was written */
	EXPECT_EQ(0x5a5a, ((uint16_t *)p->out.map)[0]);
}

TEST_F_TIMEOUT(dev, bad_conv_ops_refused_as_specified, 300)
{
	struct rng r = { .s = 0xbad };
	struct conv_shape s = {
		.in_ch = 2, .out_ch = 8,
		.win = { 8, 8, 3, 3, 1, 1, 1, 1 },
		.density = 50, .cb_range = 512,
		.wbits = 5, .zbits = 4, .in_frac = 8, .out_frac = 8,
	};
	struct conv_layer l;
	struct placed p;
	int16_t *in;
	size_t i;

	ASSERT_LE(5, self->lim.wbits);
	ASSERT_EQ(0, make_conv_layer(&r, &self->lim, &s, &l));
	l.c.filters.bias = l.bias;
	l.c.filters.relu = true;
	l.c.filters.codebook_len = 32;
	l.codebook = realloc(l.codebook, 32 * sizeof(int16_t));
	ASSERT_TRUE(l.codebook != NULL);
	memset(l.codebook, 0, 32 * sizeof(int16_t));
	l.c.filters.codebook = l.codebook;
	in = random_maps(&r, conv_in_n(&l), 1000);
	ASSERT_EQ(0, place_conv(self->fd, &l, 1, in, &p));

	for (i = 0; i < sizeof(conv_cases) / sizeof(conv_cases[0]); i++) {
		const struct bad_case *c = &conv_cases[i];
		struct dcaccel_op_conv op = p.op;
		uint64_t val = c->val;

		if (c->flags & CAPS) {
			if (c->off == CO(batch))
				val = self->max_batch + 1;
			else if (c->detail_field == CO(kernel_w))
				val = self->max_dim;	/* x 3 x 3 columns */
			else
				val = self->max_dim + 1;
		}
		poke((uint8_t *)&op, c->off, c->size, val, c->flags & ADD);
		if (c->size2)
			poke((uint8_t *)&op, c->off2, c->size2, c->val2, false);
		if (c->off == CO(in_height) && c->val == 4096)
			op.batch = 4, op.stride_h = 8, op.stride_w = 8;
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op), c->what,
			       c->status, 8 + (c->detail_field < 0 ?
					       c->off : (uint32_t)c->detail_field), false);
	}

	/* over the job's work limit: 64 x 256 x 256 under 64 11 x 11 filters */
	{
		struct dcaccel_op_conv op = p.op;

		op.in_channels = 64;
		op.in_height = op.in_width = 256;
		op.kernel_h = op.kernel_w = 11;
		op.pad_h = op.pad_w = 5;
		op.out_channels = 64;
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op),
			       "work over MAX_WORK", BIG, 8, false);
	}
	/* filters that fail validation: codebook[0] is not 0 */
	{
		uint64_t off = p.op.codebook_va - p.data.va;
		int16_t *cb0 = (int16_t *)((char *)p.data.map + off);

		*cb0 = 7;
		expect_refused(_metadata, self->fd, &p, &p.op, sizeof(p.op),
			       "codebook[0] 7", DCACCEL_JOB_BAD_LAYER, 8, false);
		*cb0 = 0;
	}
	/* an input that is not mapped: a fault at the input's VA */
	{
		struct dcaccel_op_conv op = p.op;

		op.input_va = self->va_start >= 0x10000 ? 0x1000 :
			      p.data.va + (64ull << 30);
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op),
			       "input_va unmapped", DCACCEL_JOB_MMU_FAULT,
			       8 + CO(input_va), false);
	}
	/* and the good op itself runs */
	{
		struct drm_dcaccel_wait_job w;

		memcpy(p.cmd.map, &p.op, sizeof(p.op));
		ASSERT_EQ(0, run_cmd(self->fd, &p, sizeof(p.op), &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
	unplace(self->fd, &p);
	free_conv_layer(&l);
	free(in);
}

/* The good op: 4 x 8 x 8 maps, 2 x 2 max pooling, stride 2. */
static const struct bad_case pool_cases[] = {
	{ "size 64", PO(hdr.size), 4, 64, 0, 0, 0, BAD, -1, 0 },
	P1(channels, 0, BAD),
	{ "channels over MAX_DIM", PO(channels), 4, 1, 0, 0, 0, BIG, -1, CAPS },
	P1(in_height, 0, BAD),
	P1(in_height, 4097, BIG),
	P1(in_width, 0, BAD),
	P1(in_width, 4097, BIG),
	P1(kernel_h, 0, BAD),
	P1(kernel_h, 12, BAD),
	P1(kernel_w, 0, BAD),
	P1(kernel_w, 12, BAD),
	P1(stride_h, 0, BAD),
	P1(stride_h, 9, BAD),
	P1(stride_w, 0, BAD),
	P1(stride_w, 9, BAD),
	P1(pad_h, 2, BAD),
	P1(pad_w, 2, BAD),
	{ "in_height 1 (window over the map)", PO(in_height), 4, 1, 0, 0, 0,
	  BAD, PO(pad_h), 0 },
	P1(mode, 2, BAD),
	P1(reserved0, 1, BAD),
	P1(batch, 0, BAD),
	{ "batch over MAX_BATCH", PO(batch), 4, 1, 0, 0, 0, BIG, -1, CAPS },
	{ "input_va odd", PO(input_va), 8, 1, 0, 0, 0, BAD, -1, ADD },
	{ "output_va odd", PO(output_va), 8, 1, 0, 0, 0, BAD, -1, ADD },
	P1(reserved1, 1, BAD),
	/* 16 maps of 4096 x 4096 and their outputs: over 64 MiB */
	{ "bytes over MAX_OP_MB", PO(in_height), 4, 4096, PO(in_width), 4,
	  4096, BIG, 0, 0 },
};

TEST_F_TIMEOUT(dev, bad_pool_ops_refused_as_specified, 300)
{
	struct dp_pool pool = {
		.channels = 4, .win = { 8, 8, 2, 2, 2, 2, 0, 0 },
		.mode = DCACCEL_POOL_MAX,
	};
	struct rng r = { .s = 0xbad2 };
	struct dcaccel_op_pool good;
	struct placed p = { 0 };
	int16_t *in = random_maps(&r, 4 * 64, 1000);
	size_t i;

	ASSERT_TRUE(in != NULL);
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096,
				  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &p.data));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &p.out));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096,
				  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &p.cmd));
	memcpy(p.data.map, in, 2 * 4 * 64);
	pool_op_from(&pool, 1, &good);
	good.input_va = p.data.va;
	good.output_va = p.out.va;

	for (i = 0; i < sizeof(pool_cases) / sizeof(pool_cases[0]); i++) {
		const struct bad_case *c = &pool_cases[i];
		struct dcaccel_op_pool op = good;
		uint64_t val = c->val;

		if (c->flags & CAPS)
			val = (c->off == PO(batch) ? self->max_batch :
			       self->max_dim) + 1;
		poke((uint8_t *)&op, c->off, c->size, val, c->flags & ADD);
		if (c->size2)
			poke((uint8_t *)&op, c->off2, c->size2, c->val2, false);
		if (c->off == PO(in_height) && c->val == 4096)
			op.channels = 16;
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op), c->what,
			       c->status, 8 + (c->detail_field < 0 ?
					       c->off : (uint32_t)c->detail_field), false);
	}
	/* no C R S cap on pooling: MAX_DIM channels get as far as the copy */
	{
		struct dcaccel_op_pool op = good;

		op.channels = self->max_dim;
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op),
			       "channels MAX_DIM (faults past the input BO)",
			       DCACCEL_JOB_MMU_FAULT, 8 + PO(input_va), false);
	}
	/* an output in a read-only BO: a write fault */
	{
		struct dcaccel_op_pool op = good;

		op.output_va = p.data.va;
		expect_refused(_metadata, self->fd, &p, &op, sizeof(op),
			       "output_va read-only", DCACCEL_JOB_MMU_FAULT,
			       8 + PO(output_va), true);
	}
	/* a job of a good op and then a bad one: nothing of it runs */
	{
		struct dcaccel_op_pool two[2] = { good, good };

		two[1].mode = 7;
		expect_refused(_metadata, self->fd, &p, two, sizeof(two),
			       "a good op, then a bad one", BAD,
			       8 + sizeof(good) + PO(mode), false);
	}
	{
		struct drm_dcaccel_wait_job w;

		memcpy(p.cmd.map, &good, sizeof(good));
		ASSERT_EQ(0, run_cmd(self->fd, &p, sizeof(good), &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
	unplace(self->fd, &p);
	free(in);
}

TEST_HARNESS_MAIN
