// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: teardown with work in flight. Closing a file with
 * jobs queued or hung, and unbinding the device under an open file with a
 * job on it and a BO mapped: nothing hangs, nothing oopses, and the device
 * works again afterwards (the guest harness fails the run on any splat).
 */
#include "dcaccel_util.h"
#include "kselftest_harness.h"

TEST(close_with_jobs_queued)
{
	struct dc_bo cmd;
	int fd = dc_open(), i, ret;

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	dc_put_nop(&cmd, 0);
	/* as many as the file may have; EBUSY past that */
	for (i = 0; i < 200; i++) {
		ret = dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0, NULL);
		ASSERT_TRUE(ret == 0 || ret == -EBUSY);
	}
	munmap(cmd.map, cmd.size);
	close(fd);
	EXPECT_EQ(0, dc_device_works());
}

/* Needs -device dcaccel,fault-injection=on; the close waits the timeout. */
TEST(close_with_job_hung)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t job;
	int fd = dc_open();

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
	ASSERT_EQ(0, dc_submit(fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL, 0,
			       NULL, 0, 0, &job));
	if (!dc_wait_job(fd, job, DC_SEC / 10, &w) &&
	    w.status == DRM_DCACCEL_JOB_BAD_COMMAND) {
		close(fd);
		SKIP(return, "the device has no fault injection");
	}
	close(fd);
	EXPECT_EQ(0, dc_device_works());
}

TEST(unbind_with_file_open_and_job_on_device)
{
	struct drm_dcaccel_wait_job w;
	char pci[64], path[128];
	struct dc_bo cmd, data;
	uint64_t job;
	int fd = dc_open(), i;

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_pci_address(fd, pci, sizeof(pci)));
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	ASSERT_EQ(0, dc_bo_create(fd, 1 << 20, 0, &data));
	/* a hang when the device can, else a queue of NOPs */
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
	dc_put_nop(&cmd, 64);
	ASSERT_EQ(0, dc_submit(fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL, 0,
			       NULL, 0, 0, &job));
	for (i = 0; i < 100; i++)
		ASSERT_EQ(0, dc_submit(fd, &cmd, 64, 8, &data.handle, 1, NULL,
				       0, 0, NULL));

	memset(data.map, 0x5c, data.size);
	ASSERT_EQ(0, dc_sysfs_write("/sys/bus/pci/drivers/dcaccel/unbind", pci));
	/*
	 * The file stays, its ioctls fail, its mappings still work and hold
	 * what they held (unbind took the buffers' DMA mappings, not their
	 * pages).
	 */
	EXPECT_EQ(-ENODEV, dc_wait_job(fd, job, 0, &w));
	EXPECT_EQ(0x5c, ((unsigned char *)data.map)[0]);
	EXPECT_EQ(0x5c, ((unsigned char *)data.map)[data.size - 1]);
	memset(data.map, 0xab, data.size);
	EXPECT_EQ(0xab, ((unsigned char *)data.map)[data.size - 1]);
	munmap(data.map, data.size);
	munmap(cmd.map, cmd.size);
	close(fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/dcaccel/bind");
	ASSERT_EQ(0, dc_sysfs_write(path, pci));
	usleep(200000);
	EXPECT_EQ(0, dc_device_works());
}

TEST_HARNESS_MAIN
