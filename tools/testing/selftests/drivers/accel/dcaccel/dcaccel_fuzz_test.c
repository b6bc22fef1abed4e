// SPDX-License-Identifier: GPL-2.0-only
/*
 * dcaccel kselftest: every driver ioctl with random arguments, half of
 * them built around real handles so that the checks deep inside are
 * reached too. Any errno is fine; a crash, a hang or a kernel splat (the
 * guest harness watches the log) is not, and the device must still run
 * jobs afterwards.
 */
#include "dcaccel_util.h"
#include "kselftest_harness.h"

static uint64_t xs(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* A random value that is often one of the interesting ones. */
static uint64_t pick(uint64_t *s, const uint64_t *good, int n)
{
	static const uint64_t edge[] = {
		0, 1, 7, 8, 4095, 4096, 65536, 0x7fffffff, 0xffffffff,
		1ull << 32, ~0ull, ~0ull - 7, 1ull << 63,
	};
	uint64_t r = xs(s);

	switch (r % 4) {
	case 0:
		return edge[(r >> 8) % (sizeof(edge) / sizeof(edge[0]))];
	case 1:
		return n ? good[(r >> 8) % n] : 0;
	case 2:
		return (r >> 8) & 0xfff;
	default:
		return xs(s);
	}
}

FIXTURE(fuzz) {
};

FIXTURE_SETUP(fuzz)
{
}

FIXTURE_TEARDOWN(fuzz)
{
}

/* the debug kernel takes minutes over what the stock one does in seconds */
TEST_F_TIMEOUT(fuzz, random_arguments, 600)
{
	uint64_t seed = 0x9e3779b97f4a7c15ull, good[8];
	uint32_t handles[8], syncobjs[2];
	struct drm_dcaccel_wait_job w;
	struct dc_bo bos[4];
	int fd = dc_open(), i, n = 0;

	if (fd < 0)
		SKIP(return, "no dcaccel device");
	for (i = 0; i < 4; i++) {
		ASSERT_EQ(0, dc_bo_create(fd, 8192, i & 1, &bos[i]));
		dc_put_nop(&bos[i], 0);
		handles[i] = bos[i].handle;
		good[n++] = bos[i].handle;
	}
	syncobjs[0] = dc_syncobj_create(fd);
	syncobjs[1] = dc_syncobj_create(fd);
	good[n++] = syncobjs[0];
	good[n++] = (uintptr_t)handles;
	good[n++] = (uintptr_t)syncobjs;

	for (i = 0; i < 20000; i++) {
		union {
			struct drm_dcaccel_get_param gp;
			struct drm_dcaccel_bo_create bc;
			struct drm_dcaccel_bo_info bi;
			struct drm_dcaccel_submit s;
			struct drm_dcaccel_wait_job wj;
			struct drm_dcaccel_bo_wait bw;
		} a;

		memset(&a, 0, sizeof(a));
		switch (xs(&seed) % 6) {
		case 0:
			a.gp.param = pick(&seed, good, 0);
			a.gp.pad = xs(&seed) % 8 ? 0 : 1;
			dc_ioctl(fd, DRM_IOCTL_DCACCEL_GET_PARAM, &a.gp);
			break;
		case 1:
			/* small, so that the guest keeps its memory */
			a.bc.size = pick(&seed, good, n) & 0xfffff;
			a.bc.flags = xs(&seed) % 4 ? xs(&seed) & 1 :
				     (uint32_t)xs(&seed);
			if (!dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_CREATE, &a.bc)) {
				struct drm_gem_close c = {
					.handle = a.bc.handle,
				};

				dc_ioctl(fd, DRM_IOCTL_GEM_CLOSE, &c);
			}
			break;
		case 2:
			a.bi.handle = pick(&seed, good, n);
			dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_INFO, &a.bi);
			break;
		case 3:
			a.s.cmd_handle = pick(&seed, good, n);
			a.s.flags = xs(&seed) % 8 ? 0 : (uint32_t)xs(&seed);
			a.s.cmd_offset = pick(&seed, good, 0);
			a.s.cmd_size = pick(&seed, good, 0);
			a.s.bo_handles = pick(&seed, good, n);
			a.s.bo_count = pick(&seed, good, 0) & 0x1ff;
			a.s.in_syncobjs = pick(&seed, good, n);
			a.s.in_syncobj_count = pick(&seed, good, 0) & 0x7f;
			a.s.out_syncobj = xs(&seed) % 2 ? syncobjs[1] :
					  pick(&seed, good, n);
			dc_ioctl(fd, DRM_IOCTL_DCACCEL_SUBMIT, &a.s);
			break;
		case 4:
			a.wj.job_id = pick(&seed, good, 0);
			a.wj.timeout_ns = (int64_t)pick(&seed, good, 0) %
					  1000000;
			a.wj.pad = xs(&seed) % 8 ? 0 : 1;
			dc_ioctl(fd, DRM_IOCTL_DCACCEL_WAIT_JOB, &a.wj);
			break;
		default:
			a.bw.handle = pick(&seed, good, n);
			a.bw.timeout_ns = (int64_t)pick(&seed, good, 0) %
					  1000000;
			dc_ioctl(fd, DRM_IOCTL_DCACCEL_BO_WAIT, &a.bw);
			break;
		}
	}

	/* the device still runs jobs */
	{
		uint64_t job;

		ASSERT_EQ(0, dc_submit(fd, &bos[0], 0, 8, NULL, 0, NULL, 0, 0,
				       &job));
		ASSERT_EQ(0, dc_wait_job(fd, job, 10 * DC_SEC, &w));
		EXPECT_EQ(DRM_DCACCEL_JOB_OK, w.status);
	}
	close(fd);
}

TEST_HARNESS_MAIN
