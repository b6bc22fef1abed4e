// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: a device that a soft reset does not stop. The DEBUG
 * op's STUCK action makes the engine ignore soft resets and keep writing a
 * counter into the page it latched until the PCI function is reset
 * (hardware.rst, DEBUG op). The driver must not declare the job over, nor
 * free what the device can reach, while the device still writes: it
 * escalates to a function reset, after which the counter stands still,
 * the buffers of the stuck job's file come back untouched, and other
 * contexts' jobs are exact.
 */
#include "dcaccel_layer.h"
#include "kselftest_harness.h"

#define FILL		0xa5
#define VICTIM_BYTES	(64ull << 20)

FIXTURE(stuck) {
	int fd;
	struct dc_bo cmd, target;
};

FIXTURE_SETUP(stuck)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	if (!dc_has_fault_injection(self->fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &self->cmd));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &self->target));
	dc_put_debug(&self->cmd, 0, DCACCEL_DEBUG_STUCK, self->target.va);
}

FIXTURE_TEARDOWN(stuck)
{
	if (self->fd >= 0)
		close(self->fd);
}

static uint64_t counter_of(const struct dc_bo *bo)
{
	return __atomic_load_n((uint64_t *)bo->map, __ATOMIC_RELAXED);
}

TEST_F_TIMEOUT(stuck, function_reset_stops_the_engine, 180)
{
	struct drm_dcaccel_wait_job w;
	struct layer_job j;
	struct dev_layer d;
	struct rng rg = { .s = 77 };
	long long resets = dc_counter(self->fd, "resets");
	uint32_t status = ~0u, handle = self->target.handle;
	uint64_t job, c1;
	int other = dc_open();

	ASSERT_LE(0, other);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, DCACCEL_OP_DEBUG_SIZE,
			       &handle, 1, NULL, 0, 0, &job));
	/* another context's job, queued behind the stuck one */
	ASSERT_EQ(0, make_device_layer(other, &rg, &j));
	ASSERT_EQ(0, layer_submit(other, &j, &d));

	ASSERT_EQ(0, dc_wait_job(self->fd, job, 60 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	EXPECT_LT(resets, dc_counter(self->fd, "resets"));
	/* the engine did write while stuck, and has stopped since */
	if (dc_dma_bounced()) {
		TH_LOG("DMA is bounced: the stuck engine's writes stay in the bounce buffer");
	} else {
		c1 = counter_of(&self->target);
		EXPECT_LT(0, c1);
		usleep(200 * 1000);
		EXPECT_EQ(c1, counter_of(&self->target));
	}

	EXPECT_EQ(0, layer_check(other, &j, &d, &status, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, status);
	free_layer(&j);
	close(other);
	EXPECT_EQ(0, dc_device_works());
}

/*
 * The stuck job's file goes away at once: its buffers must outlive the
 * engine's writes. Another file fills a lot of fresh memory meanwhile
 * (the freed pages would be reused) and finds it unchanged after the
 * device is back.
 */
TEST_F_TIMEOUT(stuck, closed_file_memory_outlives_the_engine, 180)
{
	long long resets = dc_counter(self->fd, "resets");
	uint32_t handle = self->target.handle;
	struct dc_bo victims[16];
	int other = dc_open(), i;
	uint64_t job;

	ASSERT_LE(0, other);
	ASSERT_EQ(0, dc_submit(self->fd, &self->cmd, 0, DCACCEL_OP_DEBUG_SIZE,
			       &handle, 1, NULL, 0, 0, &job));
	usleep(100 * 1000);
	dc_bo_destroy(self->fd, &self->target);
	dc_bo_destroy(self->fd, &self->cmd);
	close(self->fd);
	self->fd = -1;

	memset(victims, 0, sizeof(victims));
	ASSERT_EQ(0, dc_victims_create(other, victims, 16, VICTIM_BYTES / 16,
				       FILL));
	/* until the device has been reset and works again */
	for (i = 0; i < 600 && dc_counter(other, "resets") <= resets; i++)
		usleep(100 * 1000);
	EXPECT_LT(resets, dc_counter(other, "resets"));
	EXPECT_EQ(0, dc_device_works());
	EXPECT_EQ(0, dc_victims_changed(other, victims, 16, FILL));
	close(other);
}

TEST_HARNESS_MAIN
