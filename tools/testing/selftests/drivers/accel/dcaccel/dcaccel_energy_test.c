// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: the device's energy model through the driver
 * (DRM_DCACCEL_SUBMIT_ENERGY, &drm_dcaccel_wait_job.energy). Random FC
 * layers against the host datapath's dp_energy_fc() on the same layer and
 * inputs, priced by dp_energy_price(); nothing without the flag; a caller
 * built before the energy field (the 88-byte WAIT_JOB) still served and
 * not written past its struct; unknown submit flags refused.
 */
#include "dcaccel_layer.h"
#include "dp_energy.h"
#include "kselftest_harness.h"

/* WAIT_JOB as a program built against the 1.1 header issues it */
#define WAIT_JOB_V1_SIZE	88
#define DRM_IOCTL_DCACCEL_WAIT_JOB_V1 \
	_IOC(_IOC_READ | _IOC_WRITE, DRM_IOCTL_BASE, \
	     DRM_COMMAND_BASE + DRM_DCACCEL_WAIT_JOB, WAIT_JOB_V1_SIZE)

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	if (!dc_param(self->fd, DRM_DCACCEL_PARAM_ENERGY))
		SKIP(return, "the device has no energy model");
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* One FC op alone in its job: input and output both in DRAM. */
static void want_energy(const struct layer_job *j,
			struct drm_dcaccel_job_energy *want)
{
	const struct dp_energy_io io = { 0 };
	struct dp_energy e = { 0 };
	struct dp_energy_fj fj;

	dp_energy_fc(&j->l, j->batch, j->input, &io, &e);
	dp_energy_price(&e, &fj);
	*want = (struct drm_dcaccel_job_energy){
		.dram_weight_words = e.dram_weights,
		.dram_act_words = e.dram_acts,
		.sram_words = e.sram,
		.dram_weights_fj = fj.dram_weights,
		.dram_acts_fj = fj.dram_acts,
		.sram_fj = fj.sram,
		.arith_fj = fj.arith,
		.bitops_fj = fj.bitops,
	};
}

TEST_F_TIMEOUT(dev, random_layers_energy_matches_the_model, 300)
{
	struct rng r = { .s = 0xe4e7 };
	int i;

	for (i = 0; i < 12; i++) {
		struct drm_dcaccel_wait_job w;
		struct drm_dcaccel_job_energy want;
		struct layer_job j;
		struct dev_layer d;
		uint32_t status = ~0u;

		ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
		want_energy(&j, &want);
		ASSERT_EQ(0, layer_submit_flags(self->fd, &j, &d, 0,
						DRM_DCACCEL_SUBMIT_ENERGY));
		ASSERT_EQ(0, layer_check(self->fd, &j, &d, &status, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, status);
		TH_LOG("layer %d: %ux%u batch %u: %llu fJ of DRAM weights, %llu of SRAM",
		       i, j.l.rows, j.l.cols, j.batch,
		       (unsigned long long)w.energy.dram_weights_fj,
		       (unsigned long long)w.energy.sram_fj);
		EXPECT_EQ(0, memcmp(&want, &w.energy, sizeof(want)));
		EXPECT_NE(0, w.energy.dram_weights_fj);
		free_layer(&j);
	}
}

/* Place a layer's arrays in a read-only BO; the FC op over them. */
static int place_layer(int fd, const struct layer_job *j, uint32_t batch,
		       struct dc_bo *bo, struct dcaccel_op_fc *op)
{
	const struct eie_layer *l = &j->l;
	size_t cb = 2 * l->codebook_len, cp = 4 * (size_t)l->pes * (l->cols + 1);
	size_t en = (size_t)l->entry_count *
		    DCACCEL_EIE_ENTRY_BYTES(l->wbits, l->zbits);
	uint64_t o_cp = align64(cb), o_en = align64(o_cp + cp);
	uint64_t o_bi = align64(o_en + en), o_in = align64(o_bi + 4 * (size_t)l->rows);
	int ret = dc_bo_create(fd, o_in + 2 * (size_t)batch * l->cols + 64,
			       DRM_DCACCEL_BO_DEVICE_READ_ONLY, bo);

	if (ret)
		return ret;
	memcpy(bo->map, l->codebook, cb);
	memcpy((char *)bo->map + o_cp, l->colptr, cp);
	memcpy((char *)bo->map + o_en, l->entries, en);
	memcpy((char *)bo->map + o_bi, j->bias, 4 * (size_t)l->rows);
	memcpy((char *)bo->map + o_in, j->input, 2 * (size_t)batch * l->cols);
	fc_op_from_layer(l, batch, op);
	op->codebook_va = bo->va;
	op->colptr_va = bo->va + o_cp;
	op->entries_va = bo->va + o_en;
	op->bias_va = l->bias ? bo->va + o_bi : 0;
	op->input_va = bo->va + o_in;
	return 0;
}

/*
 * Two FC ops in one job, the second reading the first's outputs: the
 * activations between them stay on chip (only the first's input and the
 * second's output are DRAM), and the block is the host model's of the two
 * ops with that travel; the outputs are the host engine's chain.
 */
TEST_F_TIMEOUT(dev, chained_ops_keep_activations_on_chip, 300)
{
	struct rng r = { .s = 0xc4a1 };
	uint32_t pes = dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES);
	uint32_t queue = dc_param(self->fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH);
	uint32_t wb = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_WBITS);
	uint32_t zb = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_ZBITS);

	for (int round = 0; round < 6; round++) {
		const struct dp_energy_io first = { .out_on_chip = true };
		const struct dp_energy_io second = { .in_on_chip = true };
		struct dp_energy e = { 0 };
		struct dp_energy_fj fj;
		struct drm_dcaccel_wait_job w;
		struct layer_job a, b;
		struct dc_bo da, db, mid, out, cmd;
		struct dcaccel_op_fc ops[2];
		uint32_t handles[4];
		int16_t *want;
		uint64_t job;
		void *ws;

		ASSERT_EQ(0, make_layer(&r, pes, queue, wb, zb, &a));
		ASSERT_EQ(0, make_layer_cols(&r, pes, queue, wb, zb, a.l.rows, &b));
		/* the second layer runs on the first's outputs */
		want = calloc((size_t)a.batch * b.l.rows, 2);
		ws = malloc(eie_run_ws_size(&b.l) + 1);
		ASSERT_TRUE(want && ws);
		eie_run(&b.l, a.batch, a.want, want, ws, NULL);
		free(ws);
		dp_energy_fc(&a.l, a.batch, a.input, &first, &e);
		dp_energy_fc(&b.l, a.batch, a.want, &second, &e);
		dp_energy_price(&e, &fj);

		ASSERT_EQ(0, place_layer(self->fd, &a, a.batch, &da, &ops[0]));
		ASSERT_EQ(0, place_layer(self->fd, &b, 0, &db, &ops[1]));
		ASSERT_EQ(0, dc_bo_create(self->fd, 2 * (uint64_t)a.batch * a.l.rows, 0, &mid));
		ASSERT_EQ(0, dc_bo_create(self->fd, 2 * (uint64_t)a.batch * b.l.rows, 0, &out));
		ASSERT_EQ(0, dc_bo_create(self->fd, 4096, DRM_DCACCEL_BO_DEVICE_READ_ONLY, &cmd));
		ops[0].output_va = mid.va;
		ops[1].batch = a.batch;
		ops[1].input_va = mid.va;
		ops[1].output_va = out.va;
		memcpy(cmd.map, ops, sizeof(ops));
		handles[0] = da.handle;
		handles[1] = db.handle;
		handles[2] = mid.handle;
		handles[3] = out.handle;
		ASSERT_EQ(0, dc_submit_flags(self->fd, &cmd, 0, sizeof(ops), handles, 4,
					     NULL, 0, 0, DRM_DCACCEL_SUBMIT_ENERGY, &job));
		ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
		ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);
		EXPECT_EQ(0, memcmp(out.map, want, 2 * (size_t)a.batch * b.l.rows));
		EXPECT_EQ(e.dram_acts, w.energy.dram_act_words);
		EXPECT_EQ(e.sram, w.energy.sram_words);
		EXPECT_EQ(fj.arith, w.energy.arith_fj);
		EXPECT_EQ(fj.dram_weights, w.energy.dram_weights_fj);
		/* only the network's input and output words reach DRAM */
		EXPECT_EQ((2 * (uint64_t)a.batch * a.l.cols + 3) / 4 +
			  (2 * (uint64_t)a.batch * b.l.rows + 3) / 4,
			  w.energy.dram_act_words);
		dc_bo_destroy(self->fd, &da);
		dc_bo_destroy(self->fd, &db);
		dc_bo_destroy(self->fd, &mid);
		dc_bo_destroy(self->fd, &out);
		dc_bo_destroy(self->fd, &cmd);
		free(want);
		free_layer(&a);
		free_layer(&b);
	}
}

TEST_F(dev, no_energy_without_the_flag)
{
	struct drm_dcaccel_job_energy zero = { 0 };
	struct rng r = { .s = 77 };
	struct drm_dcaccel_wait_job w;
	struct layer_job j;
	struct dev_layer d;
	uint32_t status = ~0u;

	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	ASSERT_EQ(0, layer_submit(self->fd, &j, &d));
	ASSERT_EQ(0, layer_check(self->fd, &j, &d, &status, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_OK, status);
	EXPECT_NE(0, w.stats.cycles);
	EXPECT_EQ(0, memcmp(&zero, &w.energy, sizeof(zero)));
	free_layer(&j);
}

/* A caller of the 88-byte WAIT_JOB gets its stats and nothing past them. */
TEST_F(dev, old_wait_job_size_still_served)
{
	struct rng r = { .s = 78 };
	union {
		struct drm_dcaccel_wait_job w;
		unsigned char b[sizeof(struct drm_dcaccel_wait_job)];
	} u;
	struct layer_job j;
	struct dev_layer d;
	size_t i, touched = 0;

	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	ASSERT_EQ(0, layer_submit_flags(self->fd, &j, &d, 0,
					DRM_DCACCEL_SUBMIT_ENERGY));
	memset(&u, 0xaa, sizeof(u));
	memset(&u.w, 0, WAIT_JOB_V1_SIZE);
	u.w.job_id = d.job;
	u.w.timeout_ns = 30 * DC_SEC;
	ASSERT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_WAIT_JOB_V1, &u.w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, u.w.status);
	EXPECT_EQ(j.stats.macs, u.w.stats.macs);
	for (i = WAIT_JOB_V1_SIZE; i < sizeof(u); i++)
		touched += u.b[i] != 0xaa;
	EXPECT_EQ(0, touched);
	dc_bo_destroy(self->fd, &d.data);
	dc_bo_destroy(self->fd, &d.out);
	dc_bo_destroy(self->fd, &d.cmd);
	free_layer(&j);
}

TEST_F(dev, unknown_submit_flags_refused)
{
	struct rng r = { .s = 79 };
	struct layer_job j;
	struct dev_layer d;

	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	EXPECT_EQ(-EINVAL, layer_submit_flags(self->fd, &j, &d, 0, 0x2));
	EXPECT_EQ(-EINVAL, layer_submit_flags(self->fd, &j, &d, 0,
					      DRM_DCACCEL_SUBMIT_ENERGY | 0x80000000u));
	dc_bo_destroy(self->fd, &d.data);
	dc_bo_destroy(self->fd, &d.out);
	dc_bo_destroy(self->fd, &d.cmd);
	free_layer(&j);
}

TEST_HARNESS_MAIN
