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
