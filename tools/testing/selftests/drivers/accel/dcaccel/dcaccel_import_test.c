// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: dma-buf import. A udmabuf (memfd pages exported by
 * the kernel's udmabuf driver) imported into a file becomes an input BO of
 * that context only, device read-only: an FC layer whose inputs live in it
 * gives the same outputs as with a shmem BO; a device write to it faults;
 * another file cannot use its handle; and the dma-buf may go while a job
 * still reads it.
 */
#include <linux/udmabuf.h>
#include <sys/syscall.h>

#include "dcaccel_layer.h"
#include "kselftest_harness.h"

/* A dma-buf of size bytes over a sealed memfd; its fd, the memfd in *mfd. */
static int udmabuf_create(size_t size, int *mfd)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC };
	int dev, fd, buf;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return -errno;
	fd = syscall(SYS_memfd_create, "dcaccel-import", MFD_ALLOW_SEALING);
	if (fd < 0 || ftruncate(fd, size) ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		close(dev);
		return -errno;
	}
	c.memfd = fd;
	c.size = size;
	buf = ioctl(dev, UDMABUF_CREATE, &c);
	close(dev);
	if (buf < 0) {
		close(fd);
		return -errno;
	}
	*mfd = fd;
	return buf;
}

static int import(int fd, int dmabuf, struct dc_bo *bo)
{
	struct drm_prime_handle p = { .fd = dmabuf };
	struct drm_dcaccel_bo_info info = { 0 };
	int ret = dc_ioctl(fd, DRM_IOCTL_PRIME_FD_TO_HANDLE, &p);

	if (ret)
		return ret;
	info.handle = p.handle;
	ret = dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_INFO, &info);
	if (ret)
		return ret;
	memset(bo, 0, sizeof(*bo));
	bo->handle = p.handle;
	bo->va = info.va;
	bo->size = info.size;
	return info.flags;
}

FIXTURE(dev) {
	int fd;
	int dmabuf, memfd;
	uint8_t *cpu;		/* the memfd, mapped */
	size_t size;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	self->dmabuf = -1;
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
	self->size = 1 << 20;
	self->dmabuf = udmabuf_create(self->size, &self->memfd);
	if (self->dmabuf < 0)
		SKIP(return, "no udmabuf (%s)", strerror(-self->dmabuf));
	self->cpu = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->memfd, 0);
	ASSERT_NE(MAP_FAILED, self->cpu);
}

FIXTURE_TEARDOWN(dev)
{
	if (self->dmabuf >= 0) {
		munmap(self->cpu, self->size);
		close(self->dmabuf);
		close(self->memfd);
	}
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, imported_buffer_is_device_read_only_and_mapped)
{
	struct dc_bo bo;
	int flags = import(self->fd, self->dmabuf, &bo);

	ASSERT_LE(0, flags);
	EXPECT_EQ(DRM_DCACCEL_BO_DEVICE_READ_ONLY | DRM_DCACCEL_BO_IMPORTED,
		  flags);
	EXPECT_EQ(self->size, bo.size);
	EXPECT_LE(dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START), bo.va);
}

/* The layer's inputs from the udmabuf: the outputs of a shmem run. */
TEST_F_TIMEOUT(dev, fc_inputs_from_udmabuf_match_shmem, 120)
{
	struct rng r = { .s = 2024 };
	struct drm_dcaccel_wait_job w;
	struct layer_job j;
	struct dev_layer d;
	struct dcaccel_op_fc op;
	struct dc_bo in;
	uint32_t handles[3], st = ~0u;
	size_t in_bytes;
	uint64_t job;

	ASSERT_LE(0, import(self->fd, self->dmabuf, &in));
	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	/* the reference run, every array in shmem BOs */
	ASSERT_EQ(0, layer_submit(self->fd, &j, &d));
	memcpy(&op, d.cmd.map, sizeof(op));
	ASSERT_EQ(0, dc_wait_job(self->fd, d.job, 30 * DC_SEC, &w));
	ASSERT_EQ(DRM_DCACCEL_JOB_OK, w.status);

	/* again, the inputs now read from the import */
	in_bytes = 2 * (size_t)j.batch * j.l.cols;
	memcpy(self->cpu, j.input, in_bytes);
	memset(d.out.map, 0x5a, d.out_bytes);
	op.input_va = in.va;
	memcpy(d.cmd.map, &op, sizeof(op));
	handles[0] = d.data.handle;
	handles[1] = d.out.handle;
	handles[2] = in.handle;
	ASSERT_EQ(0, dc_submit(self->fd, &d.cmd, 0, sizeof(op), handles, 3,
			       NULL, 0, 0, &job));
	d.job = job;
	EXPECT_EQ(0, layer_check(self->fd, &j, &d, &st, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, st);
	free_layer(&j);
}

/* The device may not write an import: an output there faults. */
TEST_F(dev, device_write_to_import_faults)
{
	struct rng r = { .s = 7 };
	struct drm_dcaccel_wait_job w;
	struct dcaccel_op_fc op;
	struct layer_job j;
	struct dev_layer d;
	struct dc_bo in;
	uint32_t handles[2];
	uint64_t job;

	ASSERT_LE(0, import(self->fd, self->dmabuf, &in));
	memset(self->cpu, 0x33, 4096);
	ASSERT_EQ(0, make_device_layer(self->fd, &r, &j));
	ASSERT_EQ(0, layer_submit(self->fd, &j, &d));
	ASSERT_EQ(0, dc_wait_job(self->fd, d.job, 30 * DC_SEC, &w));
	memcpy(&op, d.cmd.map, sizeof(op));
	op.output_va = in.va;
	memcpy(d.cmd.map, &op, sizeof(op));
	handles[0] = d.data.handle;
	handles[1] = in.handle;
	ASSERT_EQ(0, dc_submit(self->fd, &d.cmd, 0, sizeof(op), handles, 2,
			       NULL, 0, 0, &job));
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_MMU_FAULT, w.status);
	EXPECT_EQ(in.va, w.stats.fault_va);
	EXPECT_EQ(0x33, self->cpu[0]);
	EXPECT_EQ(0x33, self->cpu[4095]);
	free_layer(&j);
}

/* An import is one file's: another file's handles do not reach it. */
TEST_F(dev, import_is_per_file)
{
	struct drm_dcaccel_bo_info info = { 0 };
	struct dc_bo in, in2;
	int fd2 = dc_open();

	ASSERT_LE(0, fd2);
	ASSERT_LE(0, import(self->fd, self->dmabuf, &in));
	info.handle = in.handle;
	EXPECT_EQ(-ENOENT, dc_ioctl(fd2, DRM_IOCTL_DCACCEL_BO_INFO, &info));
	/* its own import is its own mapping, in its own context */
	ASSERT_LE(0, import(fd2, self->dmabuf, &in2));
	close(fd2);
}

/*
 * The dma-buf, its handle and the memfd all go while a job that reads the
 * import is queued behind a hang: the job still reads it, no fault.
 */
TEST_F_TIMEOUT(dev, import_outlives_its_fd_for_a_queued_job, 120)
{
	struct drm_dcaccel_wait_job w;
	struct drm_gem_close gc = { 0 };
	struct dc_bo cmd, in;
	uint64_t hang, job;
	uint32_t n;

	if (!dc_has_fault_injection(self->fd))
		SKIP(return, "needs -device dcaccel,fault-injection=on");
	ASSERT_LE(0, import(self->fd, self->dmabuf, &in));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &cmd));
	dc_put_debug(&cmd, 0, DCACCEL_DEBUG_HANG, 0);
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 0, DCACCEL_OP_DEBUG_SIZE, NULL,
			       0, NULL, 0, 0, &hang));
	n = dc_put_debug(&cmd, 64, DCACCEL_DEBUG_FAULT, in.va);
	n += dc_put_debug(&cmd, 64 + n, DCACCEL_DEBUG_FAULT,
			  in.va + in.size - 1);
	ASSERT_EQ(0, dc_submit(self->fd, &cmd, 64, n, NULL, 0, NULL, 0, 0,
			       &job));
	gc.handle = in.handle;
	ASSERT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_GEM_CLOSE, &gc));
	munmap(self->cpu, self->size);
	close(self->dmabuf);
	close(self->memfd);
	self->dmabuf = -1;
	ASSERT_EQ(0, dc_wait_job(self->fd, job, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	ASSERT_EQ(0, dc_wait_job(self->fd, hang, 30 * DC_SEC, &w));
	EXPECT_EQ(DRM_DCACCEL_JOB_TIMEOUT, w.status);
}

TEST_HARNESS_MAIN
