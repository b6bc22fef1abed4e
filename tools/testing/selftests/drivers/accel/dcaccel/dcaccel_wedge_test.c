// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: a device that no reset the driver can do stops. The
 * DEBUG op's WEDGE action makes the engine ignore soft and function
 * resets and keep writing a counter into the page it latched. The driver
 * must then declare the device wedged: fail the job (nobody waits for
 * good), refuse new work, and keep for good everything the device can
 * reach, the module included, since the device still writes.
 *
 * This leaves the driver wedged until the machine resets: run it in a
 * guest of its own (run-in-guest.sh does), never before other tests.
 */
#include "dcaccel_util.h"
#include "kselftest_harness.h"

#define FILL		0x3c
#define VICTIM_BYTES	(128ull << 20)

static uint64_t counter_of(const struct dc_bo *bo)
{
	return __atomic_load_n((uint64_t *)bo->map, __ATOMIC_RELAXED);
}

/* Whether the debugfs ring file of the device behind fd says "wedged". */
static int says_wedged(int fd)
{
	char path[160], line[128];
	int found = 0;
	FILE *f;

	if (dc_debugfs_path(fd, "ring", path, sizeof(path)))
		return 0;
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		found |= !strncmp(line, "wedged", 6);
	fclose(f);
	return found;
}

/* no state: a fixture for TEST_F_TIMEOUT's longer limit */
FIXTURE(wedge) {
	int unused;
};

FIXTURE_SETUP(wedge)
{
}

FIXTURE_TEARDOWN(wedge)
{
}

TEST_F_TIMEOUT(wedge, wedged_device_keeps_memory_and_refuses_work, 240)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd, target, victims[32];
	uint32_t handle;
	uint64_t job, c1, c2;
	int fd = dc_open(), other;

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	if (!dc_has_fault_injection(fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &target));
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_WEDGE, target.va);
	handle = target.handle;
	ASSERT_EQ(0, dc_submit(fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, &handle, 1,
			       NULL, 0, 0, &job));

	/* the job fails: nobody waits for a wedged device */
	ASSERT_EQ(0, dc_wait_job(fd, job, 120 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
	EXPECT_TRUE(says_wedged(fd));
	/* and the device really does still write (seen unless bounced) */
	c1 = counter_of(&target);
	usleep(100 * 1000);
	c2 = counter_of(&target);
	if (!dc_dma_bounced())
		EXPECT_LT(c1, c2);

	/* new work is refused, on this file and on a new one */
	EXPECT_EQ(-EIO, dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0, &job));
	other = dc_open();
	ASSERT_LE(0, other);
	EXPECT_EQ(-EIO, dc_submit(other, &cmd, 0, 8, NULL, 0, NULL, 0, 0,
				  &job));

	/* the wedged job's file goes; fresh memory elsewhere stays intact */
	dc_bo_destroy(fd, &target);
	dc_bo_destroy(fd, &cmd);
	close(fd);
	memset(victims, 0, sizeof(victims));
	ASSERT_EQ(0, dc_victims_create(other, victims, 32, VICTIM_BYTES / 32,
				       FILL));
	usleep(1000 * 1000);
	EXPECT_EQ(0, dc_victims_changed(other, victims, 32, FILL));
	close(other);

	/* the module stays: its memory is still the device's */
	usleep(500 * 1000);
	EXPECT_LT(0, dc_module_refcnt());
	EXPECT_NE(0, system("rmmod dcaccel 2>/dev/null"));
}

TEST_HARNESS_MAIN
