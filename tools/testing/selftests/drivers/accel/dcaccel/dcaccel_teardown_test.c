// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: teardown with work in flight. Closing a file with
 * jobs queued or hung, and unbinding the device under an open file with a
 * job on it and a BO mapped: nothing hangs, nothing oopses, and the device
 * works again afterwards (the guest harness fails the run on any splat).
 */
#include <libgen.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "dcaccel_util.h"
#include "kselftest_harness.h"

/* The PCI address of the device behind fd, e.g. "0000:00:02.0". */
static int pci_address(int fd, char *buf, size_t len)
{
	char link[128], target[256];
	struct stat st;
	ssize_t n;

	if (fstat(fd, &st))
		return -errno;
	snprintf(link, sizeof(link), "/sys/class/accel/accel%u/device",
		 minor(st.st_rdev));
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	target[n] = '\0';
	snprintf(buf, len, "%s", basename(target));
	return 0;
}

static int sysfs_write(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, val, strlen(val)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* One NOP job on a fresh file completes: the device is usable. */
static int device_works(void)
{
	struct drm_dcaccel_wait_job w;
	struct dc_bo cmd;
	uint64_t job;
	int fd = dc_open(), ret;

	if (fd < 0)
		return fd;
	ret = dc_bo_create(fd, 4096, 0, &cmd);
	if (!ret) {
		dc_put_nop(&cmd, 0);
		ret = dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0, &job);
	}
	if (!ret)
		ret = dc_wait_job(fd, job, 10 * DC_SEC, &w);
	if (!ret && w.status != DRM_DCACCEL_JOB_OK)
		ret = -EIO;
	close(fd);
	return ret;
}

TEST(close_with_jobs_queued)
{
	struct dc_bo cmd;
	int fd = dc_open(), i;

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	ASSERT_EQ(0, dc_bo_create(fd, 4096, 0, &cmd));
	dc_put_nop(&cmd, 0);
	for (i = 0; i < 200; i++)
		ASSERT_EQ(0, dc_submit(fd, &cmd, 0, 8, NULL, 0, NULL, 0, 0,
				       NULL));
	munmap(cmd.map, cmd.size);
	close(fd);
	EXPECT_EQ(0, device_works());
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
	EXPECT_EQ(0, device_works());
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
	ASSERT_EQ(0, pci_address(fd, pci, sizeof(pci)));
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

	ASSERT_EQ(0, sysfs_write("/sys/bus/pci/drivers/dcaccel/unbind", pci));
	/* the file stays, its ioctls fail, its mappings still work */
	EXPECT_EQ(-ENODEV, dc_wait_job(fd, job, 0, &w));
	memset(data.map, 0xab, data.size);
	EXPECT_EQ(0xab, ((unsigned char *)data.map)[data.size - 1]);
	munmap(data.map, data.size);
	munmap(cmd.map, cmd.size);
	close(fd);

	snprintf(path, sizeof(path), "/sys/bus/pci/drivers/dcaccel/bind");
	ASSERT_EQ(0, sysfs_write(path, pci));
	usleep(200000);
	EXPECT_EQ(0, device_works());
}

TEST_HARNESS_MAIN
