// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: probe, GET_PARAM, buffer objects (create, info,
 * mmap, wait) and every way to get their arguments wrong, and the
 * isolation of one file's buffers from another's.
 */
#include <sys/eventfd.h>

#include "dcaccel_util.h"
#include "syncobj_eventfd.h"
#include "kselftest_harness.h"

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = dc_open();
	if (self->fd < 0)
		SKIP(return, "no dcaccel device");
}

FIXTURE_TEARDOWN(dev)
{
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(dev, get_param_identity)
{
	EXPECT_EQ((uint64_t)DCACCEL_PCI_VENDOR_ID << 16 | DCACCEL_PCI_DEVICE_ID,
		  dc_param(self->fd, DRM_DCACCEL_PARAM_DEVICE_ID));
	EXPECT_EQ(DCACCEL_VERSION_MAJOR,
		  dc_param(self->fd, DRM_DCACCEL_PARAM_HW_VERSION) >> 16);
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES));
	EXPECT_GE(DCACCEL_EIE_PES_MAX,
		  dc_param(self->fd, DRM_DCACCEL_PARAM_NUM_PES));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_QUEUE_DEPTH));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_CLOCK_MHZ));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_WBITS));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_ZBITS));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_DIM));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_BATCH));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_BOS));
	EXPECT_LT(0, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_BO_SIZE));
}

TEST_F(dev, get_param_va_range)
{
	uint64_t start = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START);
	uint64_t size = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_SIZE);

	EXPECT_LT(0, start);	/* VA 0 is never mapped */
	EXPECT_EQ(0, start % DCACCEL_PAGE_SIZE);
	EXPECT_LT(0, size);
	EXPECT_GE(1ull << DCACCEL_VA_BITS, start + size);
}

TEST_F(dev, get_param_bad)
{
	struct drm_dcaccel_get_param p = { .param = 0xffff };

	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_GET_PARAM, &p));
	p.param = DRM_DCACCEL_PARAM_NUM_PES;
	p.pad = 1;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_GET_PARAM, &p));
}

TEST_F(dev, bo_create_info_mmap)
{
	uint64_t start = dc_param(self->fd, DRM_DCACCEL_PARAM_VA_START);
	struct drm_dcaccel_bo_info info = { 0 };
	struct dc_bo bo;
	unsigned char *p;
	size_t i;

	ASSERT_EQ(0, dc_bo_create(self->fd, 1, 0, &bo));
	EXPECT_EQ(DCACCEL_PAGE_SIZE, bo.size);	/* rounded up to a page */
	EXPECT_LE(start, bo.va);
	EXPECT_EQ(0, bo.va % DCACCEL_PAGE_SIZE);

	info.handle = bo.handle;
	ASSERT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info));
	EXPECT_EQ(bo.va, info.va);
	EXPECT_EQ(0, info.flags);

	/* zero-filled, and what the CPU writes it reads back */
	p = bo.map;
	for (i = 0; i < bo.size; i++)
		ASSERT_EQ(0, p[i]);
	for (i = 0; i < bo.size; i++)
		p[i] = (unsigned char)(i * 7 + 1);
	for (i = 0; i < bo.size; i++)
		ASSERT_EQ((unsigned char)(i * 7 + 1), p[i]);
	dc_bo_destroy(self->fd, &bo);
}

TEST_F(dev, bo_vas_do_not_overlap)
{
	struct dc_bo a, b, c;

	ASSERT_EQ(0, dc_bo_create(self->fd, 3 * 4096, 0, &a));
	ASSERT_EQ(0, dc_bo_create(self->fd, 5000,
				  DRM_DCACCEL_BO_DEVICE_READ_ONLY, &b));
	ASSERT_EQ(0, dc_bo_create(self->fd, 1 << 20, 0, &c));
	EXPECT_TRUE(a.va + a.size <= b.va || b.va + b.size <= a.va);
	EXPECT_TRUE(a.va + a.size <= c.va || c.va + c.size <= a.va);
	EXPECT_TRUE(b.va + b.size <= c.va || c.va + c.size <= b.va);
	EXPECT_EQ(2 * 4096, b.size);
	dc_bo_destroy(self->fd, &a);
	dc_bo_destroy(self->fd, &b);
	dc_bo_destroy(self->fd, &c);
}

TEST_F(dev, bo_create_bad)
{
	struct drm_dcaccel_bo_create c = { .size = 0 };
	uint64_t max = dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_BO_SIZE);

	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c));
	c.size = 4096;
	c.flags = 0x80000000u;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c));
	c.flags = 0;
	c.size = ~0ull;			/* would overflow page rounding */
	EXPECT_EQ(-E2BIG, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c));
	c.size = ~0ull - 4095;
	EXPECT_EQ(-E2BIG, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c));
	c.size = max + 1;
	EXPECT_EQ(-E2BIG, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_CREATE, &c));
}

TEST_F(dev, bo_info_bad_handles)
{
	struct drm_dcaccel_bo_info info = { .handle = 0 };
	struct dc_bo bo;
	uint32_t stale;

	EXPECT_EQ(-ENOENT, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info));
	info.handle = 0xdeadbeef;
	EXPECT_EQ(-ENOENT, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info));

	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &bo));
	stale = bo.handle;
	dc_bo_destroy(self->fd, &bo);
	info.handle = stale;
	EXPECT_EQ(-ENOENT, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_INFO, &info));
}

TEST_F(dev, bo_wait)
{
	struct drm_dcaccel_bo_wait w = { 0 };
	struct dc_bo bo;

	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &bo));
	w.handle = bo.handle;
	EXPECT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &w));
	w.timeout_ns = DC_SEC;
	EXPECT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &w));
	w.pad = 1;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &w));
	w.pad = 0;
	w.timeout_ns = -1;
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &w));
	w.timeout_ns = 0;
	w.handle = 0x7777;
	EXPECT_EQ(-ENOENT, dc_ioctl(self->fd, DRM_IOCTL_DCACCEL_BO_WAIT, &w));
	dc_bo_destroy(self->fd, &bo);
}

/* A second file is a second context: the first one's handles mean nothing. */
TEST_F(dev, second_file_cannot_use_handles)
{
	struct drm_dcaccel_bo_info info = { 0 };
	struct dc_bo other, bo, nop;
	uint64_t job;
	int fd2 = dc_open();

	ASSERT_LE(0, fd2);
	/* so that bo's handle is one that fd2 never hands out below */
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &other));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &bo));
	info.handle = bo.handle;
	EXPECT_EQ(-ENOENT, dc_ioctl(fd2, DRM_IOCTL_DCACCEL_BO_INFO, &info));

	/* nor submit a command buffer from them */
	dc_put_nop(&bo, 0);
	EXPECT_EQ(-ENOENT, dc_submit(fd2, &bo, 0, 8, NULL, 0, NULL, 0, 0,
				     &job));
	ASSERT_EQ(0, dc_bo_create(fd2, 4096, 0, &nop));
	dc_put_nop(&nop, 0);
	EXPECT_EQ(-ENOENT, dc_submit(fd2, &nop, 0, 8, &bo.handle, 1, NULL, 0,
				     0, &job));
	dc_bo_destroy(fd2, &nop);
	close(fd2);
	dc_bo_destroy(self->fd, &bo);
	dc_bo_destroy(self->fd, &other);
}

/* Many BOs, freed in a different order: the page tables follow. */
TEST_F(dev, many_bos)
{
	struct dc_bo bos[64];
	int i;

	for (i = 0; i < 64; i++)
		ASSERT_EQ(0, dc_bo_create(self->fd, 4096 * (1 + i % 5), 0,
					  &bos[i]));
	for (i = 0; i < 64; i += 2)
		dc_bo_destroy(self->fd, &bos[i]);
	for (i = 0; i < 64; i += 2)
		ASSERT_EQ(0, dc_bo_create(self->fd, 8192, 0, &bos[i]));
	for (i = 63; i >= 0; i--)
		dc_bo_destroy(self->fd, &bos[i]);
}

/*
 * Core ioctls that an accel file must not reach: in 6.12, GET_UNIQUE and
 * GET_MAGIC dereference the master an accel file does not have (an oops
 * with a zeroed struct), and flink would hand a BO to another file.
 */
TEST_F(dev, core_ioctls_without_a_place_here_refused)
{
	struct drm_unique u = { 0 };
	struct drm_auth a = { 0 };
	struct drm_gem_flink fl = { 0 };
	struct drm_gem_open op = { .name = 1 };
	struct drm_syncobj_handle h = { 0 };
	struct drm_syncobj_eventfd ev = { 0 };
	struct dc_bo bo;

	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_GET_UNIQUE, &u));
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_GET_MAGIC, &a));
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_AUTH_MAGIC, &a));
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_SET_MASTER, NULL));
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_DROP_MASTER,
					NULL));
	ASSERT_EQ(0, dc_bo_create(self->fd, 4096, 0, &bo));
	fl.handle = bo.handle;
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_GEM_FLINK, &fl));
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_GEM_OPEN, &op));
	dc_bo_destroy(self->fd, &bo);
	/* no fence leaves the file: it could outlive the module */
	h.handle = dc_syncobj_create(self->fd);
	ASSERT_NE(0, h.handle);
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
					&h));
	h.flags = DRM_SYNCOBJ_HANDLE_TO_FD_FLAGS_EXPORT_SYNC_FILE;
	EXPECT_EQ(-EOPNOTSUPP, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_HANDLE_TO_FD,
					&h));
	/* what libdrm clients use still works, the eventfd libaccel polls */
	ev.handle = dc_syncobj_create(self->fd);
	EXPECT_NE(0, ev.handle);
	ev.fd = eventfd(0, EFD_CLOEXEC);
	ev.flags = DRM_SYNCOBJ_WAIT_FLAGS_WAIT_AVAILABLE;
	ASSERT_LE(0, ev.fd);
	EXPECT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_EVENTFD, &ev));
	close(ev.fd);
}

/* The syncobj array ioctls take a bounded count on this node. */
TEST_F(dev, syncobj_arrays_bounded)
{
	uint32_t h = dc_syncobj_create(self->fd);
	uint64_t point = 0;
	struct drm_syncobj_wait w = {
		.handles = (uintptr_t)&h, .count_handles = 0x10000000,
	};
	struct drm_syncobj_timeline_wait tw = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 0x10000000,
	};
	struct drm_syncobj_array arr = {
		.handles = (uintptr_t)&h, .count_handles = 0x10000000,
	};
	struct drm_syncobj_timeline_array ta = {
		.handles = (uintptr_t)&h, .points = (uintptr_t)&point,
		.count_handles = 0x10000000,
	};

	ASSERT_NE(0, h);
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_TIMELINE_WAIT,
				    &tw));
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_RESET, &arr));
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &arr));
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_QUERY, &ta));
	EXPECT_EQ(-EINVAL, dc_ioctl(self->fd,
				    DRM_IOCTL_SYNCOBJ_TIMELINE_SIGNAL, &ta));
	/* one handle: the core answers as usual */
	arr.count_handles = 1;
	EXPECT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_SIGNAL, &arr));
	w.count_handles = 1;
	w.timeout_nsec = 0;
	EXPECT_EQ(0, dc_ioctl(self->fd, DRM_IOCTL_SYNCOBJ_WAIT, &w));
}

/* The per-file job cap is there for userspace to read. */
TEST_F(dev, max_jobs_param)
{
	EXPECT_LE(16, dc_param(self->fd, DRM_DCACCEL_PARAM_MAX_JOBS));
}

/*
 * A CPU mapping outlives its file, and with it the buffer, but not the
 * file's context: more files than the device has contexts, each closed
 * with a mapping left behind, all open.
 */
TEST_F_TIMEOUT(dev, mappings_do_not_hold_contexts, 200)
{
	enum { FILES = DCACCEL_CONTEXTS_MAX + 64 };
	static struct dc_bo bo[FILES];
	int i, opened = 0;

	for (i = 0; i < FILES; i++) {
		int fd = dc_open();

		if (fd < 0)
			break;
		opened++;
		if (dc_bo_create(fd, 4096, 0, &bo[i]))
			bo[i].map = NULL;
		close(fd);
	}
	for (i = 0; i < opened; i++)
		if (bo[i].map && bo[i].map != MAP_FAILED)
			munmap(bo[i].map, bo[i].size);
	EXPECT_EQ(FILES, opened);
}

TEST_HARNESS_MAIN
